import Crypto
import Foundation
import KubeAPI

extension KubeTestServer {
    /// The identity of a request: its client certificate, else its bearer token (static, bootstrap
    /// `<id>.<secret>`, or a service-account JWT this server issued), else anonymous. Without TLS
    /// a request with no token acts as admin.
    func authenticate(_ request: HTTPRequest) throws(APIError) -> Identity {
        if let certificate = request.clientCertificate {
            let (user, groups) = TestCertificateAuthority.identity(of: certificate.subject)
            return Identity(user: user, groups: groups + ["system:authenticated"])
        }
        guard let authorization = request.headers.first(name: "Authorization") else {
            return options.tls ? .anonymous : Identity(user: "kubernetes-admin", groups: ["system:masters", "system:authenticated"])
        }
        guard authorization.lowercased().hasPrefix("bearer ") else { throw APIError.unauthorized }
        let token = String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        if let identity = runtime.withLock({ $0.staticTokens[token] }) {
            return Identity(user: identity.user, groups: identity.groups + ["system:authenticated"])
        }
        if let identity = bootstrapIdentity(token) { return identity }
        if let identity = serviceAccountIdentity(token) { return identity }
        throw APIError.unauthorized
    }

    private func bootstrapIdentity(_ token: String) -> Identity? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789")
        guard parts.count == 2, parts[0].count == 6, parts[1].count == 16,
            parts.allSatisfy({ $0.allSatisfy(allowed.contains) })
        else { return nil }
        guard let secret = store.transaction({ try? $0.get(.secrets, namespace: "kube-system", name: "bootstrap-token-\(parts[0])") }),
            secret["type"]?.stringValue == "bootstrap.kubernetes.io/token"
        else { return nil }
        let data = Self.decodedData(secret)
        guard data["token-secret"] == parts[1], data["usage-bootstrap-authentication"] == "true" else { return nil }
        if let expiration = data["expiration"], let date = try? Date(expiration, strategy: .iso8601), date < Date() {
            return nil
        }
        var groups = ["system:bootstrappers"]
        for extra in (data["auth-extra-groups"] ?? "").split(separator: ",") where !extra.isEmpty {
            groups.append(String(extra))
        }
        return Identity(user: "system:bootstrap:\(parts[0])", groups: groups + ["system:authenticated"])
    }

    private func serviceAccountIdentity(_ token: String) -> Identity? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let signature = Base64URL.decode(parts[2]),
            let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature),
            serviceAccountKey.publicKey.isValidSignature(ecdsa, for: Data("\(parts[0]).\(parts[1])".utf8)),
            let payload = Base64URL.decode(parts[1]), let claims = try? JSONParser.parse(payload),
            let expiry = claims["exp"]?.integerValue, Double(expiry) > Date().timeIntervalSince1970,
            let subject = claims["sub"]?.stringValue
        else { return nil }
        let namespace = claims["kubernetes.io"]?["namespace"]?.stringValue ?? ""
        return Identity(
            user: subject, groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", "system:authenticated"])
    }

    /// A Secret's `data` decoded from base64 (entries that do not decode are left out).
    static func decodedData(_ secret: JSONValue) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in secret["data"]?.objectMembers ?? [] {
            if let text = value.stringValue, let data = Data(base64Encoded: text) {
                result[key] = String(decoding: data, as: UTF8.self)
            }
        }
        return result
    }
}

/// Base64url without padding, as JWS uses it.
enum Base64URL {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
