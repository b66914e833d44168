import Crypto
import Foundation
import KubeAPI
import X509

extension KubeTestServer {
    /// Signers whose approved CSRs this server signs with its CA.
    static let signers = [
        "kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kube-apiserver-client", "kubernetes.io/kubelet-serving",
    ]

    /// Work that follows a write: cluster-info re-signed when bootstrap tokens change, CSRs
    /// auto-approved when asked and signed once approved.
    func afterWrite(_ resource: ResourceType, _ object: JSONValue) {
        if resource == .secrets, object.metadataString("name")?.hasPrefix("bootstrap-token-") == true {
            publishClusterInfo()
        }
        guard resource == .certificateSigningRequests, let name = object.metadataString("name") else { return }
        let conditions = object["status"]?["conditions"]?.arrayValue.map(Array.init) ?? []
        if conditions.isEmpty, runtime.withLock({ $0.autoApproveCSRs }) {
            let approved = object.setting(path: ["status", "conditions"], to: [
                [
                    "type": "Approved", "status": "True", "reason": "AutoApproved",
                    "message": "Auto approving kubelet client certificate after SubjectAccessReview.",
                    "lastUpdateTime": .string(StoreState.timestamp(Date())),
                    "lastTransitionTime": .string(StoreState.timestamp(Date())),
                ]
            ])
            if let updated = try? store.transaction({ (state: inout StoreState) throws(APIError) in
                try state.update(.certificateSigningRequests, namespace: nil, name: name, approved, subresource: "approval")
            }) {
                afterWrite(resource, updated)
            }
            return
        }
        let approved = conditions.contains { $0["type"] == "Approved" && $0["status"] != "False" }
        let stopped = conditions.contains { ($0["type"] == "Denied" || $0["type"] == "Failed") && $0["status"] != "False" }
        guard approved, !stopped, object["status"]?["certificate"] == nil,
            let signer = object["spec"]?["signerName"]?.stringValue, Self.signers.contains(signer)
        else { return }
        let status: JSONValue
        do {
            let certificate = try sign(object)
            status = object.setting(path: ["status", "certificate"], to: .string(Data(certificate.utf8).base64EncodedString()))
        } catch {
            status = object.setting(path: ["status", "conditions"], to: .array(JSONArray(conditions + [[
                "type": "Failed", "status": "True", "reason": "SignerValidationFailure", "message": .string("\(error)"),
                "lastUpdateTime": .string(StoreState.timestamp(Date())),
            ]])))
        }
        _ = try? store.transaction { (state: inout StoreState) throws(APIError) in
            try state.update(.certificateSigningRequests, namespace: nil, name: name, status, subresource: "status")
        }
    }

    /// Issues the certificate a CSR object asks for (PEM), honouring expirationSeconds and usages.
    private func sign(_ object: JSONValue) throws -> String {
        guard let encoded = object["spec"]?["request"]?.stringValue, let data = Data(base64Encoded: encoded),
            let pem = String(data: data, encoding: .utf8)
        else { throw Failure(code: 400, reason: "BadRequest", message: "spec.request: expected base64 of a PEM CERTIFICATE REQUEST") }
        let request = try CertificateSigningRequest(pemEncoded: pem)
        guard request.publicKey.isValidSignature(request.signature, for: request) else {
            throw Failure(code: 400, reason: "BadRequest", message: "spec.request: the CSR's signature does not verify")
        }
        let usages = (object["spec"]?["usages"]?.arrayValue.map(Array.init) ?? []).compactMap(\.stringValue)
        let seconds = object["spec"]?["expirationSeconds"]?.integerValue.map { max(600, $0) } ?? 365 * 86400
        let certificate = try authority.issue(
            publicKey: request.publicKey, subject: request.subject, validFor: TimeInterval(seconds),
            clientAuth: usages.isEmpty || usages.contains("client auth"), serverAuth: usages.contains("server auth"))
        return try certificate.serializeAsPEM().pemString
    }

    /// Answers a TokenRequest for a service account: an ES256 JWT with aud, exp, iat, nbf, iss,
    /// sub and the `kubernetes.io` claims binding the namespace, service account and pod.
    func tokenRequest(namespace: String, serviceAccount: String, _ body: JSONValue) throws(APIError) -> JSONValue {
        let account = try store.transaction { (state: inout StoreState) throws(APIError) in
            try state.get(.serviceAccounts, namespace: namespace, name: serviceAccount)
        }
        let spec = body["spec"]?.objectValue ?? JSONObject()
        var audiences = (spec["audiences"]?.arrayValue.map(Array.init) ?? []).compactMap(\.stringValue)
        if audiences.isEmpty { audiences = ["https://kubernetes.default.svc.cluster.local"] }
        let lifetime = spec["expirationSeconds"]?.integerValue ?? 3600
        guard lifetime >= 600 else {
            throw APIError.invalid(
                .serviceAccounts, serviceAccount, field: "spec.expirationSeconds",
                "Invalid value: \(lifetime): may not specify a duration less than 10 minutes")
        }
        var binding: JSONObject = [
            "namespace": .string(namespace),
            "serviceaccount": ["name": .string(serviceAccount), "uid": account["metadata"]?["uid"] ?? ""],
        ]
        if let reference = spec["boundObjectRef"], let kind = reference["kind"]?.stringValue {
            let name = reference["name"]?.stringValue ?? ""
            guard kind == "Pod" || kind == "Secret" || kind == "Node" else {
                throw APIError.badRequest("cannot bind token to object of type \(kind)")
            }
            let boundResource: ResourceType = kind == "Pod" ? .pods : (kind == "Secret" ? .secrets : .nodes)
            let bound = try store.transaction { (state: inout StoreState) throws(APIError) in
                try state.get(boundResource, namespace: namespace, name: name)
            }
            let uid = bound["metadata"]?["uid"]?.stringValue ?? ""
            if let wanted = reference["uid"]?.stringValue, !wanted.isEmpty, wanted != uid {
                throw APIError.conflict(
                    boundResource, name, "the UID in the bound object reference (\(wanted)) does not match the UID in record (\(uid))")
            }
            binding[kind.lowercased()] = ["name": .string(name), "uid": .string(uid)]
            if kind == "Pod", let node = bound["spec"]?["nodeName"]?.stringValue, !node.isEmpty {
                let nodeUID = store.transaction { try? $0.get(.nodes, namespace: nil, name: node) }?["metadata"]?["uid"] ?? ""
                binding["node"] = ["name": .string(node), "uid": nodeUID]
            }
        }
        let now = Int64(Date().timeIntervalSince1970)
        let claims: JSONValue = [
            "aud": .array(JSONArray(audiences.map { .string($0) })), "exp": .number(String(now + lifetime)),
            "iat": .number(String(now)), "iss": "https://kubernetes.default.svc.cluster.local",
            "jti": .string(UUID().uuidString.lowercased()), "kubernetes.io": .object(binding),
            "nbf": .number(String(now)), "sub": .string("system:serviceaccount:\(namespace):\(serviceAccount)"),
        ]
        let keyID = Base64URL.encode(SHA256.hash(data: serviceAccountKey.publicKey.derRepresentation))
        let header: JSONValue = ["alg": "ES256", "kid": .string(keyID)]
        let signingInput = Base64URL.encode(JSONWriter.bytes(header)) + "." + Base64URL.encode(JSONWriter.bytes(claims))
        guard let signature = try? serviceAccountKey.signature(for: Data(signingInput.utf8)) else {
            throw APIError(code: 500, reason: "InternalError", message: "signing the token failed")
        }
        let token = signingInput + "." + Base64URL.encode(signature.rawRepresentation)
        var responseSpec = spec
        responseSpec["audiences"] = .array(JSONArray(audiences.map { .string($0) }))
        responseSpec["expirationSeconds"] = .number(String(lifetime))
        return [
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": ["name": .string(serviceAccount), "namespace": .string(namespace), "creationTimestamp": nil],
            "spec": .object(responseSpec),
            "status": [
                "token": .string(token),
                "expirationTimestamp": .string(StoreState.timestamp(Date(timeIntervalSince1970: Double(now + lifetime)))),
            ],
        ]
    }

    /// The public key that verifies service-account tokens, PEM.
    public var serviceAccountPublicKeyPEM: String { serviceAccountKey.publicKey.pemRepresentation }

    // MARK: cluster-info

    /// The kubeconfig kubeadm publishes in cluster-info: the CA and the server, nothing else.
    var clusterInfoKubeconfig: String {
        """
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: \(Data(caCertificatePEM.utf8).base64EncodedString())
            server: \(url)
          name: ""
        contexts: null
        current-context: ""
        kind: Config
        preferences: {}
        users: null

        """
    }

    /// A detached compact JWS over `content` as kubeadm's bootstrap signer computes it: HS256 keyed
    /// by the token secret, protected header `{"alg":"HS256","kid":"<token id>"}`, payload left out.
    public static func detachedJWS(content: String, tokenID: String, tokenSecret: String) -> String {
        let header = Base64URL.encode(Array("{\"alg\":\"HS256\",\"kid\":\"\(tokenID)\"}".utf8))
        let payload = Base64URL.encode(Array(content.utf8))
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(header).\(payload)".utf8), using: SymmetricKey(data: Data(tokenSecret.utf8)))
        return "\(header)..\(Base64URL.encode(mac))"
    }

    /// Writes the `cluster-info` ConfigMap in kube-public: `kubeconfig`, and
    /// `jws-kubeconfig-<id>` for every bootstrap token usable for signing.
    func publishClusterInfo() {
        let kubeconfig = clusterInfoKubeconfig
        store.transaction { state in
            var data: JSONObject = ["kubeconfig": .string(kubeconfig)]
            for (key, secret) in state.objects(of: .secrets).sorted(by: { $0.key < $1.key })
            where key.namespace == "kube-system" && secret["type"]?.stringValue == "bootstrap.kubernetes.io/token" {
                let fields = Self.decodedData(secret)
                guard let id = fields["token-id"], let tokenSecret = fields["token-secret"],
                    fields["usage-bootstrap-signing"] == "true"
                else { continue }
                data["jws-kubeconfig-\(id)"] = .string(Self.detachedJWS(content: kubeconfig, tokenID: id, tokenSecret: tokenSecret))
            }
            let key = ObjectKey(namespace: "kube-public", name: "cluster-info")
            if let current = state.object(.configMaps, key) {
                if current["data"] != .object(data) { state.put(.configMaps, key, current.setting("data", to: .object(data))) }
            } else {
                _ = try? state.create(
                    .configMaps, namespace: "kube-public",
                    ["metadata": ["name": "cluster-info", "namespace": "kube-public"], "data": .object(data)])
            }
        }
    }
}
