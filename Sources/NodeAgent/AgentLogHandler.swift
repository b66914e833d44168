#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging

/// A swift-log handler that writes one line per message to standard error, in one of two
/// styles:
///
/// - ``Style/journal`` when standard error is connected to journald (`$JOURNAL_STREAM` names it):
///   `<6>[label] message key=value`; the `<N>` syslog priority prefix keeps the level in the
///   journal, and there is no timestamp because journald adds its own.
/// - ``Style/terminal`` otherwise: `2026-01-02T03:04:05.678Z info [label] message key=value`.
public struct AgentLogHandler: LogHandler {
    /// How lines are laid out.
    public enum Style: Sendable, Equatable {
        /// For journald: syslog priority prefix, no timestamp.
        case journal
        /// For a terminal or a file: UTC timestamp and level name.
        case terminal
    }

    /// The logger's label, shown in brackets.
    public let label: String
    /// The line layout.
    public let style: Style
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    /// Creates a handler for `label`.
    public init(label: String, style: Style, logLevel: Logger.Level = .info) {
        self.label = label
        self.style = style
        self.logLevel = logLevel
    }

    /// Installs this handler as the process-wide swift-log backend. Call once, early in `main`.
    public static func bootstrap(logLevel: Logger.Level, environment: [String: String]) {
        let style = detectStyle(environment: environment)
        LoggingSystem.bootstrap { label in
            AgentLogHandler(label: label, style: style, logLevel: logLevel)
        }
    }

    /// ``Style/journal`` when `$JOURNAL_STREAM` (`device:inode`) names the file standard error
    /// is connected to, as `sd_journal_stream_fd` documents; ``Style/terminal`` otherwise.
    public static func detectStyle(environment: [String: String], descriptor: Int32 = STDERR_FILENO) -> Style {
        guard let value = environment["JOURNAL_STREAM"] else { return .terminal }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else {
            return .terminal
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .terminal }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode ? .journal : .terminal
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let eventMetadata = event.metadata {
            merged.merge(eventMetadata) { _, new in new }
        }
        if let error = event.error {
            merged["error"] = "\(error)"
        }
        let line = Self.format(
            level: event.level, message: "\(event.message)", metadata: merged, label: label, style: style,
            timestamp: style == .terminal ? Self.timestamp() : nil)
        Self.writeToStandardError(line + "\n")
    }

    /// Formats one log line (without the trailing newline); exposed for tests.
    public static func format(
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata,
        label: String,
        style: Style,
        timestamp: String?
    ) -> String {
        var line: String
        switch style {
        case .journal:
            line = "<\(syslogPriority(level))>[\(label)] \(message)"
        case .terminal:
            line = "\(timestamp.map { $0 + " " } ?? "")\(level.rawValue) [\(label)] \(message)"
        }
        for key in metadata.keys.sorted() {
            line += " \(key)=\(quoted("\(metadata[key]!)"))"
        }
        // One message is one journal entry: fold embedded newlines.
        return line.replacingNewlines()
    }

    /// The syslog priority journald understands for each level (`sd-daemon.h`'s `SD_*`).
    public static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    private static func quoted(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }
        guard needsQuotes else { return value }
        var escaped = "\""
        for character in value {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped + "\""
    }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }

    private static func writeToStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        guard contains(where: \.isNewline) else { return self }
        return String(map { $0.isNewline ? " " : $0 })
    }
}
