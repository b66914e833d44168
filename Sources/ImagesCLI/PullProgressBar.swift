import Foundation
import Images
import Synchronization

/// A one-line progress bar for `images pull`, drawn only when standard output is a terminal and
/// redrawn at most ten times a second.
final class PullProgressBar: Sendable {
    private struct State {
        var total: Int64 = 0
        var cached: Int64 = 0
        var received: [Digest: Int64] = [:]
        var layers = 0
        var ready = 0
        var lastDraw = Date.distantPast
    }

    private let reference: String
    private let state = Mutex(State())

    private init(reference: String) { self.reference = reference }

    /// A bar for `reference`, or `nil` when standard output is not a terminal.
    static func forStandardOutput(reference: String) -> PullProgressBar? {
        isatty(STDOUT_FILENO) == 1 ? PullProgressBar(reference: reference) : nil
    }

    func update(_ event: PullProgress) {
        let line: String? = state.withLock { state in
            switch event {
            case .resolved(_, _, let layers, let total, let cached):
                state.layers = layers
                state.total = total
                state.cached = cached
            case .downloading(let layer, let completed, _):
                state.received[layer] = completed
            case .layerReady:
                state.ready += 1
            case .unpacking, .done:
                break
            }
            let now = Date()
            guard now.timeIntervalSince(state.lastDraw) >= 0.1 || state.ready == state.layers else { return nil }
            state.lastDraw = now
            let done = state.cached + state.received.values.reduce(0, +)
            return Self.render(reference: reference, done: done, total: state.total, ready: state.ready, layers: state.layers)
        }
        if let line { FileHandle.standardOutput.write(Data(("\r\u{1B}[2K" + line).utf8)) }
    }

    func finish() { FileHandle.standardOutput.write(Data("\n".utf8)) }

    static func render(reference: String, done: Int64, total: Int64, ready: Int, layers: Int, width: Int = 30) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
        return "\(reference) [\(bar)] \(ByteFormatting.format(done))/\(ByteFormatting.format(total)) \(ready)/\(layers) layers"
    }
}

/// Sizes for people: 1.5 MB, 312 kB (decimal units, as registries and Docker show them).
enum ByteFormatting {
    static func format(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
