import Foundation
import KubeAPI
import SwiftASN1

/// What the `cluster-info` ConfigMap in `kube-public` tells a joining node: the API server's
/// address and the cluster CA, taken from the kubeconfig in `data.kubeconfig`.
///
/// ``verified(_:token:pins:)`` is kubeadm's token discovery: the kubeconfig must be signed for
/// the token (`data.jws-kubeconfig-<id>`) and the CA must match one of the pins.
public struct ClusterInfo: Sendable, Hashable {
    /// The `server` of the kubeconfig's cluster.
    public var server: String
    /// The cluster CA bundle as PEM (`certificate-authority-data`, decoded).
    public var caPEM: String
    /// The certificates of the bundle, DER each.
    public var caCertificatesDER: [[UInt8]]
    /// `data.kubeconfig` as it was signed.
    public var kubeconfig: String

    /// Verifies `configMap` for `token` and `pins`, then reads the cluster from it.
    ///
    /// - Throws: ``BootstrapError/missingSignature(tokenID:)`` when there is no signature for the
    ///   token, ``BootstrapError/badSignature(tokenID:reason:)``,
    ///   ``BootstrapError/invalidClusterInfo(_:)`` for a kubeconfig without a cluster, server or
    ///   CA, ``BootstrapError/caPinMismatch(expected:found:)``.
    public static func verified(_ configMap: ConfigMap, token: BootstrapToken, pins: [CACertificatePin]) throws(BootstrapError)
        -> ClusterInfo
    {
        guard let kubeconfig = configMap.data?["kubeconfig"] else {
            throw .invalidClusterInfo("data.kubeconfig is missing")
        }
        guard let signature = configMap.data?["jws-kubeconfig-\(token.id)"] else {
            throw .missingSignature(tokenID: token.id)
        }
        try ClusterInfoSignature.verify(signature, content: kubeconfig, token: token)
        let info = try parse(kubeconfig: kubeconfig)
        guard pins.contains(where: { $0.matchesAny(of: info.caCertificatesDER) }) else {
            let found = info.caCertificatesDER.compactMap { try? CACertificatePin(certificateDER: $0).description }
            throw .caPinMismatch(expected: pins.map(\.description), found: found)
        }
        return info
    }

    /// Reads the server and CA of the current context's cluster (or the only cluster) of a
    /// kubeconfig whose CA is inline (`certificate-authority-data`), as `cluster-info` has it.
    /// Read here rather than by ``KubeConfig/parse(_:file:directory:)`` because kubeadm names
    /// the cluster `""` and leaves contexts and users `null`, which a kubeconfig to use must not.
    ///
    /// - Throws: ``BootstrapError/invalidClusterInfo(_:)`` naming the field.
    public static func parse(kubeconfig: String) throws(BootstrapError) -> ClusterInfo {
        let document: JSONValue
        do {
            guard let first = try YAMLReader.documents(kubeconfig).first?.value else {
                throw BootstrapError.invalidClusterInfo("data.kubeconfig is empty")
            }
            document = first
        } catch let error as BootstrapError {
            throw error
        } catch {
            throw .invalidClusterInfo("data.kubeconfig is not YAML: \(error)")
        }
        guard let clusters = document["clusters"]?.arrayValue, !clusters.isEmpty else {
            throw .invalidClusterInfo("data.kubeconfig: clusters is missing or empty, expected one cluster")
        }
        var chosen = clusters[0]
        if let context = document["current-context"]?.stringValue,
            let contexts = document["contexts"]?.arrayValue,
            let entry = contexts.first(where: { $0["name"]?.stringValue == context }),
            let clusterName = entry["context"]?["cluster"]?.stringValue,
            let named = clusters.first(where: { $0["name"]?.stringValue == clusterName })
        {
            chosen = named
        }
        guard let server = chosen["cluster"]?["server"]?.stringValue, !server.isEmpty else {
            throw .invalidClusterInfo("data.kubeconfig: clusters[].cluster.server is missing")
        }
        guard let caBase64 = chosen["cluster"]?["certificate-authority-data"]?.stringValue else {
            throw .invalidClusterInfo("data.kubeconfig: clusters[].cluster.certificate-authority-data is missing")
        }
        guard let caData = Data(base64Encoded: caBase64), let caPEM = String(data: caData, encoding: .utf8) else {
            throw .invalidClusterInfo("data.kubeconfig: clusters[].cluster.certificate-authority-data is not base64 of PEM text")
        }
        let certificates: [[UInt8]]
        do {
            certificates = try PEMDocument.parseMultiple(pemString: caPEM).filter { $0.discriminator == "CERTIFICATE" }.map(\.derBytes)
        } catch {
            throw .invalidClusterInfo("data.kubeconfig: certificate-authority-data is not PEM: \(error)")
        }
        guard !certificates.isEmpty else {
            throw .invalidClusterInfo("data.kubeconfig: certificate-authority-data holds no CERTIFICATE block")
        }
        return ClusterInfo(server: server, caPEM: caPEM, caCertificatesDER: certificates, kubeconfig: kubeconfig)
    }
}
