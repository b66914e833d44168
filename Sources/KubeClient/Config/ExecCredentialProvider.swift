import Foundation
import KubeAPI

/// Runs an exec credential plugin and caches its answer until `expirationTimestamp` (forever when
/// it has none), as client-go's exec authenticator does; ``credential(refresh:)`` with `refresh`
/// runs it again (after a 401).
actor ExecCredentialProvider {
    /// What the plugin returned (`ExecCredential.status`).
    struct Credential: Sendable {
        var token: String?
        var clientCertificateData: String?
        var clientKeyData: String?
        var expiration: Date?
    }

    private let config: ExecCredentialConfig
    private let server: String
    private var cached: Credential?

    init(config: ExecCredentialConfig, server: String) {
        self.config = config
        self.server = server
    }

    func credential(refresh: Bool) async throws -> Credential {
        if !refresh, let cached, cached.expiration.map({ $0 > Date() }) ?? true {
            return cached
        }
        let output = try await run()
        let credential = try Self.parse(output, config: config)
        cached = credential
        return credential
    }

    /// The `KUBERNETES_EXEC_INFO` the plugin reads.
    func execInfo() -> String {
        var spec = JSONObject()
        spec.append("interactive", .bool(false))
        if config.provideClusterInfo {
            spec.append("cluster", .object(["server": .string(server)]))
        }
        let info: JSONValue = [
            "apiVersion": .string(config.apiVersion), "kind": "ExecCredential", "spec": .object(spec),
        ]
        return JSONWriter.string(info)
    }

    private func run() async throws -> [UInt8] {
        let process = Process()
        if config.command.contains("/") {
            process.executableURL = URL(fileURLWithPath: config.command)
            process.arguments = config.args
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [config.command] + config.args
        }
        var environment = ProcessInfo.processInfo.environment
        for variable in config.env { environment[variable.name] = variable.value }
        environment["KUBERNETES_EXEC_INFO"] = execInfo()
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let command = config.command
        let hint = config.installHint
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    try process.run()
                } catch {
                    let advice = hint.map { "; \($0)" } ?? ""
                    continuation.resume(
                        throwing: KubeConfigError(
                            field: "user.exec.command", message: "cannot run \"\(command)\": \(error)\(advice)"))
                    return
                }
                let output = stdout.fileHandleForReading.readDataToEndOfFile()
                let errors = stderr.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                guard process.terminationStatus == 0 else {
                    let text = String(decoding: errors.prefix(1024), as: UTF8.self)
                    continuation.resume(
                        throwing: KubeConfigError(
                            field: "user.exec.command",
                            message: "\"\(command)\" exited with \(process.terminationStatus): \(text)"))
                    return
                }
                continuation.resume(returning: [UInt8](output))
            }
        }
    }

    /// Reads an `ExecCredential` from the plugin's output.
    ///
    /// - Throws: ``KubeConfigError`` saying what the output lacks.
    static func parse(_ output: [UInt8], config: ExecCredentialConfig) throws -> Credential {
        let field = "ExecCredential from \"\(config.command)\""
        let value: JSONValue
        do {
            value = try JSONParser.parse(output)
        } catch {
            throw KubeConfigError(field: field, message: "expected JSON: \(error)")
        }
        guard value["kind"]?.stringValue == "ExecCredential" else {
            throw KubeConfigError(field: field + ".kind", message: "expected \"ExecCredential\"")
        }
        guard value["apiVersion"]?.stringValue == config.apiVersion else {
            throw KubeConfigError(
                field: field + ".apiVersion",
                message: "expected \"\(config.apiVersion)\", got \"\(value["apiVersion"]?.stringValue ?? "")\"")
        }
        guard let status = value["status"], case .object = status else {
            throw KubeConfigError(field: field + ".status", message: "expected a status with a token or certificate")
        }
        var credential = Credential(
            token: status["token"]?.stringValue, clientCertificateData: status["clientCertificateData"]?.stringValue,
            clientKeyData: status["clientKeyData"]?.stringValue)
        if let expiry = status["expirationTimestamp"]?.stringValue {
            guard let time = try? MetaV1.Time(decoding: .string(expiry)) else {
                throw KubeConfigError(
                    field: field + ".status.expirationTimestamp", message: "expected an RFC 3339 time, got \"\(expiry)\"")
            }
            credential.expiration = time.date
        }
        let hasToken = !(credential.token ?? "").isEmpty
        let hasCertificate = credential.clientCertificateData != nil && credential.clientKeyData != nil
        guard hasToken || hasCertificate else {
            throw KubeConfigError(
                field: field + ".status",
                message: "expected a token, or clientCertificateData with clientKeyData")
        }
        return credential
    }
}
