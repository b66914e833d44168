import Foundation

/// Runs a peer program that prints `{"samples_ns": [...]}` and returns its samples.
enum PeerProcess {
    static func samples(executable: String, arguments: [String]) throws -> Samples {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError.peer("\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let samples = object["samples_ns"] as? [NSNumber]
        else {
            throw BenchError.peer("\(executable) printed no samples_ns")
        }
        return Samples(nanoseconds: samples.map(\.uint64Value))
    }
}
