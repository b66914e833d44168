import Foundation
import Images

/// An OCI image layout holding one busybox image built by the test: the machine's static busybox
/// with every applet as a symlink, in one uncompressed layer, with the given container defaults.
enum BusyboxLayout {
    static let busybox = "/usr/bin/busybox"

    /// Writes the layout to `directory` with the image tagged `tag` (a full reference).
    static func write(to directory: String, tag: String, defaults: ContainerDefaults) throws {
        let manager = FileManager.default
        let rootfs = directory + "-rootfs"
        defer { try? manager.removeItem(atPath: rootfs) }
        for path in ["bin", "etc", "tmp", "root", "proc", "sys", "dev"] {
            try manager.createDirectory(atPath: "\(rootfs)/\(path)", withIntermediateDirectories: true)
        }
        try manager.copyItem(atPath: busybox, toPath: rootfs + "/bin/busybox")
        for applet in try run(busybox, ["--list"]).split(separator: "\n") where applet != "busybox" {
            try? manager.createSymbolicLink(atPath: "\(rootfs)/bin/\(applet)", withDestinationPath: "busybox")
        }
        try "root:x:0:0:root:/root:/bin/sh\n".write(toFile: rootfs + "/etc/passwd", atomically: true, encoding: .utf8)
        try "root:x:0:\n".write(toFile: rootfs + "/etc/group", atomically: true, encoding: .utf8)

        try manager.createDirectory(atPath: directory + "/blobs/sha256", withIntermediateDirectories: true)
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: directory + "/oci-layout"))
        let layerPath = directory + "/layer.tar"
        try run("/usr/bin/tar", ["--numeric-owner", "--owner=0", "--group=0", "-C", rootfs, "-cf", layerPath, "."])
        let layer = try Data(contentsOf: URL(fileURLWithPath: layerPath))
        try manager.removeItem(atPath: layerPath)

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let layerDescriptor = try blob(layer, MediaType.ociLayer, in: directory)
        let configuration = ImageConfiguration(platform: .current, config: defaults, diffIDs: [Digest(of: layer)], created: "2026-01-01T00:00:00Z")
        let config = try blob(encoder.encode(configuration), MediaType.ociConfig, in: directory)
        var manifest = try blob(encoder.encode(ImageManifest(config: config, layers: [layerDescriptor])), MediaType.ociManifest, in: directory)
        manifest.annotations = [Descriptor.refNameAnnotation: tag]
        try encoder.encode(ImageIndex(manifests: [manifest])).write(to: URL(fileURLWithPath: directory + "/index.json"))
    }

    private static func blob(_ data: Data, _ mediaType: String, in directory: String) throws -> Descriptor {
        let digest = Digest(of: data)
        try data.write(to: URL(fileURLWithPath: "\(directory)/blobs/sha256/\(digest.hex)"))
        return Descriptor(mediaType: mediaType, digest: digest, size: Int64(data.count))
    }

    /// Runs a command to completion; returns its standard output, throwing on a non-zero exit.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        // Standard error goes to a file, so a chatty command cannot block on a full pipe.
        let errorsPath = NSTemporaryDirectory() + "swiftlet-cmd-\(UUID().uuidString.prefix(8)).err"
        guard FileManager.default.createFile(atPath: errorsPath, contents: nil) else {
            throw CommandFailed(command: executable, status: -1, output: "cannot create \(errorsPath)")
        }
        defer { try? FileManager.default.removeItem(atPath: errorsPath) }
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorsPath))
        defer { try? errors.close() }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errData = FileManager.default.contents(atPath: errorsPath) ?? Data()
        let text = String(decoding: outData, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw CommandFailed(
                command: ([executable] + arguments).joined(separator: " "), status: process.terminationStatus,
                output: text + String(decoding: errData, as: UTF8.self))
        }
        return text
    }
}

/// A command the test ran exited non-zero.
struct CommandFailed: Error, CustomStringConvertible {
    let command: String
    let status: Int32
    let output: String
    var description: String { "\(command) exited \(status): \(output)" }
}
