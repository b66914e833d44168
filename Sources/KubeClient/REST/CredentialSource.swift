import Foundation
import Synchronization

/// Produces the `Authorization` header: a fixed token, a token file re-read at most once a minute,
/// or an exec plugin's token cached until it expires (and refreshed after a 401).
final class CredentialSource: Sendable {
    private let credentials: KubeClientConfiguration.Credentials
    private let clock: KubeClock
    private let exec: ExecCredentialProvider?
    private let fileToken: Mutex<(token: String, readAt: Duration)?> = Mutex(nil)

    init(_ credentials: KubeClientConfiguration.Credentials, server: String, clock: KubeClock) {
        self.credentials = credentials
        self.clock = clock
        if case .exec(let config) = credentials {
            exec = ExecCredentialProvider(config: config, server: server)
        } else {
            exec = nil
        }
    }

    /// Whether a 401 may be cured by fetching the credentials again.
    var refreshable: Bool {
        switch credentials {
        case .exec, .tokenFile: true
        default: false
        }
    }

    /// The header value, nil for none; `refresh` drops what is cached first.
    func authorization(refresh: Bool) async throws -> String? {
        switch credentials {
        case .none:
            return nil
        case .bearerToken(let token):
            return "Bearer " + token
        case .basic(let username, let password):
            return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        case .tokenFile(let path):
            let now = clock.now()
            if !refresh, let cached = fileToken.withLock({ $0 }), now - cached.readAt < .seconds(60) {
                return "Bearer " + cached.token
            }
            let token = try KubeConfig.readText(path, field: "tokenFile").trimmingWhitespace()
            fileToken.withLock { $0 = (token, now) }
            return "Bearer " + token
        case .exec:
            guard let exec else { return nil }
            return try await exec.credential(refresh: refresh).token.map { "Bearer " + $0 }
        }
    }
}
