import Foundation
import KubeAPI

/// What `swiftlet manifest check` does for one file: decode every document strictly by its
/// `apiVersion` and `kind`, then validate each object as the API server would.
public enum ManifestChecker {
    /// The outcome for one file.
    public struct Report: Sendable, Hashable {
        /// The file, as given.
        public var file: String
        /// Objects that decoded and validated.
        public var objectCount: Int
        /// Every problem, in file order; empty when the file is valid.
        public var problems: [Problem]
    }

    /// One problem: `file:line: path: message`.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The file, as given.
        public var file: String
        /// The 1-based line, when known.
        public var line: Int?
        /// The field path within the document (empty for a problem of the whole file).
        public var path: FieldPath
        /// What was wrong.
        public var message: String

        public var description: String {
            let location = line.map { "\(file):\($0)" } ?? file
            return path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
        }
    }

    /// Reads and checks the file at `path`.
    public static func check(path: String) -> Report {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
            return Report(file: path, objectCount: 0, problems: [Problem(file: path, line: nil, path: .root, message: reason)])
        }
        return check(Array(data), file: path)
    }

    /// Checks manifest bytes; `file` names them in problems.
    public static func check(_ bytes: [UInt8], file: String) -> Report {
        let decoder = ManifestDecoder(strict: true)
        let documents: [ManifestDocument]
        do {
            documents = try decoder.documents(in: bytes, file: file)
        } catch {
            return Report(file: file, objectCount: 0, problems: error.errors.map { Problem(file: file, line: $0.line, path: $0.path, message: $0.message) })
        }
        var problems: [Problem] = []
        var valid = 0
        for document in documents {
            let object: any KubeObject
            do {
                object = try decoder.decodeObject(document)
            } catch {
                problems += error.errors.map { Problem(file: file, line: $0.line, path: $0.path, message: $0.message) }
                continue
            }
            let validationErrors = ManifestValidation.errors(for: object)
            if validationErrors.isEmpty {
                valid += 1
            }
            problems += validationErrors.map { error in
                Problem(file: file, line: document.sourceLine(of: error.path), path: error.path, message: error.body)
            }
        }
        if documents.isEmpty {
            problems.append(Problem(file: file, line: nil, path: .root, message: "no documents: expected at least one object"))
        }
        return Report(file: file, objectCount: valid, problems: problems)
    }
}
