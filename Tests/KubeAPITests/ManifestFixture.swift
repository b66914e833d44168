import Foundation
import KubeAPI

/// Reads the test fixtures copied from `Tests/KubeAPITests/Fixtures`.
enum ManifestFixture {
    struct Missing: Error, CustomStringConvertible {
        var path: String
        var description: String { "fixture \(path) is not in the test bundle" }
    }

    /// The bytes of `Fixtures/<path>`.
    static func bytes(_ path: String) throws -> [UInt8] {
        guard let base = Bundle.module.resourceURL?.appendingPathComponent("Fixtures") else {
            throw Missing(path: path)
        }
        let url = base.appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw Missing(path: path) }
        return [UInt8](data)
    }

    /// The documents of `Fixtures/<path>`, the file named by its path.
    static func documents(_ path: String, strict: Bool = true) throws -> [ManifestDocument] {
        try ManifestDecoder(strict: strict).documents(in: bytes(path), file: path)
    }
}
