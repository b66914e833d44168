import Foundation

extension SeccompProfile {
    /// Reads a `Localhost` profile: the OCI runtime spec's `linux.seccomp` object as JSON
    /// (`defaultAction`, `defaultErrnoRet`, `architectures`, `syscalls[].names/action/errnoRet/args`).
    /// Throws `SeccompProfileError` naming the file and the field that is wrong.
    public static func load(ociJSONFile path: String) throws -> SeccompProfile {
        let bytes: [UInt8]
        do { bytes = try FileSystem.readBytes(path) } catch {
            throw SeccompProfileError(file: path, field: "", reason: "cannot be read: \(error)")
        }
        return try parse(ociJSON: bytes, file: path)
    }

    /// Parses the OCI seccomp JSON; `file` names the source in errors.
    public static func parse(ociJSON bytes: [UInt8], file: String) throws -> SeccompProfile {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(bytes)) } catch {
            throw SeccompProfileError(file: file, field: "", reason: "is not JSON: \(error)")
        }
        guard let root = object as? [String: Any] else { throw SeccompProfileError(file: file, field: "", reason: "is not a JSON object") }
        func action(_ value: Any?, _ field: String) throws -> Action {
            guard let text = value as? String, let action = Action(rawValue: text) else {
                throw SeccompProfileError(file: file, field: field, reason: "expected one of \(allActions), got \(value ?? "nothing")")
            }
            return action
        }
        func unsigned(_ value: Any?, _ field: String) throws -> UInt64 {
            if let number = value as? NSNumber, number.int64Value >= 0 { return number.uint64Value }
            throw SeccompProfileError(file: file, field: field, reason: "expected a non-negative integer, got \(value ?? "nothing")")
        }
        let defaultAction = try action(root["defaultAction"], "defaultAction")
        let defaultErrno = try root["defaultErrnoRet"].map { UInt32(truncatingIfNeeded: try unsigned($0, "defaultErrnoRet")) }
        let architectures = root["architectures"] as? [String] ?? []
        var rules: [Rule] = []
        for (ruleIndex, entry) in (root["syscalls"] as? [Any] ?? []).enumerated() {
            let field = "syscalls[\(ruleIndex)]"
            guard let rule = entry as? [String: Any] else { throw SeccompProfileError(file: file, field: field, reason: "expected an object") }
            guard let names = rule["names"] as? [String], !names.isEmpty else {
                throw SeccompProfileError(file: file, field: field + ".names", reason: "expected a non-empty array of syscall names")
            }
            let ruleAction = try action(rule["action"], field + ".action")
            let errnoRet = try rule["errnoRet"].map { UInt32(truncatingIfNeeded: try unsigned($0, field + ".errnoRet")) }
            var args: [Argument] = []
            for (argIndex, argEntry) in (rule["args"] as? [Any] ?? []).enumerated() {
                let argField = "\(field).args[\(argIndex)]"
                guard let arg = argEntry as? [String: Any] else { throw SeccompProfileError(file: file, field: argField, reason: "expected an object") }
                guard let opText = arg["op"] as? String, let op = Operator(rawValue: opText) else {
                    throw SeccompProfileError(file: file, field: argField + ".op", reason: "expected an SCMP_CMP_* operator, got \(arg["op"] ?? "nothing")")
                }
                args.append(Argument(
                    index: UInt32(try unsigned(arg["index"], argField + ".index")), value: try unsigned(arg["value"], argField + ".value"),
                    valueTwo: try arg["valueTwo"].map { try unsigned($0, argField + ".valueTwo") } ?? 0, op: op))
            }
            rules.append(Rule(names: names, action: ruleAction, errnoRet: errnoRet, args: args))
        }
        return SeccompProfile(defaultAction: defaultAction, defaultErrnoRet: defaultErrno, architectures: architectures, syscalls: rules)
    }

    private static var allActions: String {
        [Action.kill, .killProcess, .killThread, .trap, .errno, .trace, .allow, .log].map(\.rawValue).joined(separator: ", ")
    }
}

/// A `Localhost` seccomp profile that cannot be used: which file, which field, what was expected.
public struct SeccompProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var field: String
    public var reason: String

    public var description: String { field.isEmpty ? "seccomp profile \(file) \(reason)" : "seccomp profile \(file): \(field): \(reason)" }
}
