// swiftlet-bench: the benchmark suites, each measured against its real peer in the same run.
// Run through scripts/bench, which builds this in release mode and installs the peers.
//
//   swiftlet-bench SUITE [--iterations N] --output FILE --peers DIR [--python PATH]

import BenchReport
import Foundation

struct BenchOptions {
    var suite = ""
    var iterations: Int?
    var output: String?
    var peersDirectory = "Benchmarks/peers"
    var python = "python3"

    static func parse(_ arguments: [String]) throws -> BenchOptions {
        var options = BenchOptions()
        var rest = arguments[...]
        func value(after flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw BenchError.usage("\(flag) needs a value") }
            return next
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--iterations":
                guard let count = Int(try value(after: argument)), count > 0 else {
                    throw BenchError.usage("--iterations takes a positive whole number")
                }
                options.iterations = count
            case "--output": options.output = try value(after: argument)
            case "--peers": options.peersDirectory = try value(after: argument)
            case "--python": options.python = try value(after: argument)
            case _ where argument.hasPrefix("-"): throw BenchError.usage("unknown option \(argument)")
            default:
                guard options.suite.isEmpty else { throw BenchError.usage("one suite at a time") }
                options.suite = argument
            }
        }
        guard !options.suite.isEmpty else { throw BenchError.usage("name a suite: \(Suites.names)") }
        return options
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    case peer(String)

    var description: String {
        switch self {
        case .usage(let message): "usage: swiftlet-bench SUITE [--iterations N] --output FILE: \(message)"
        case .peer(let message): "peer: \(message)"
        }
    }
}

/// Every suite by name; a new suite is one file and one line here.
enum Suites {
    static let all: [String: @Sendable (BenchOptions) throws -> [MetricResult]] = [
        "model": ModelSuite.run
    ]
    static var names: String { all.keys.sorted().joined(separator: ", ") }
}

do {
    let options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
    guard let suite = Suites.all[options.suite] else {
        throw BenchError.usage("unknown suite \(options.suite); suites: \(Suites.names)")
    }
    let results = try suite(options)
    try Report.emit(options.suite, results.map(\.row), output: options.output)
} catch {
    FileHandle.standardError.write(Data("swiftlet-bench: \(error)\n".utf8))
    exit(2)
}
