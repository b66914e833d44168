import Foundation
import SwiftASN1
import X509

/// The node's client certificate and key on disk, laid out as the kubelet's certificate store
/// keeps them: each pair in one PEM file `<prefix>-<UTC yyyy-MM-dd-HH-mm-ss>.pem` (certificate
/// chain, then key), and `<prefix>-current.pem` a symlink to the pair in use, swapped atomically.
///
/// The directory is mode 0700 and every pair file 0600. A kubeconfig that names
/// ``currentPath`` as both `client-certificate` and `client-key` follows rotations without
/// being rewritten.
public struct KubeletCertificateStore: Sendable {
    /// The directory (`--cert-dir`).
    public let directory: String
    /// The file name prefix, `kubelet-client` for the kubelet's client certificate.
    public let prefix: String

    /// A store in `directory` (not created until the first ``update(certificatePEM:keyPEM:at:)``).
    public init(directory: String, prefix: String = "kubelet-client") {
        self.directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        self.prefix = prefix
    }

    /// `<directory>/<prefix>-current.pem`.
    public var currentPath: String { "\(directory)/\(prefix)-current.pem" }

    /// Stores a new pair and makes it current; returns the path of the new pair file.
    ///
    /// - Throws: ``BootstrapError/credentials(_:)`` when the PEM holds no certificate or no key,
    ///   ``BootstrapError/filesystem(path:reason:)`` when writing fails (the current pair is
    ///   then unchanged).
    @discardableResult
    public func update(certificatePEM: String, keyPEM: String, at date: Date) throws(BootstrapError) -> String {
        let certificates = try Self.blocks(certificatePEM, what: "certificate").filter { $0.discriminator == "CERTIFICATE" }
        guard !certificates.isEmpty else { throw .credentials("the issued certificate PEM holds no CERTIFICATE block") }
        let keys = try Self.blocks(keyPEM, what: "key").filter { $0.discriminator.hasSuffix("PRIVATE KEY") }
        guard let key = keys.first else { throw .credentials("the key PEM holds no PRIVATE KEY block") }
        let contents = (certificates + [key]).map { $0.pemString + "\n" }.joined()

        try CredentialFiles.makeDirectory(directory, mode: 0o700)
        let path = "\(directory)/\(prefix)-\(Self.timestamp(date)).pem"
        try CredentialFiles.writeAtomically(Array(contents.utf8), to: path, mode: 0o600)
        try CredentialFiles.replaceSymlink(currentPath, target: path)
        return path
    }

    /// The current pair: the certificate chain (PEM), the key (PEM) and the leaf certificate;
    /// nil when there is none.
    ///
    /// - Throws: ``BootstrapError/credentials(_:)`` when the file does not hold a certificate and a key.
    public func current() throws(BootstrapError) -> (certificatePEM: String, keyPEM: String, leaf: Certificate)? {
        guard let bytes = try CredentialFiles.contents(of: currentPath) else { return nil }
        let documents = try Self.blocks(String(decoding: bytes, as: UTF8.self), what: currentPath)
        let certificates = documents.filter { $0.discriminator == "CERTIFICATE" }
        guard let leafDocument = certificates.first, let key = documents.first(where: { $0.discriminator.hasSuffix("PRIVATE KEY") })
        else {
            throw .credentials("\(currentPath) must hold a CERTIFICATE and a PRIVATE KEY block")
        }
        let leaf: Certificate
        do {
            leaf = try Certificate(derEncoded: leafDocument.derBytes)
        } catch {
            throw .credentials("\(currentPath): the certificate does not parse: \(error)")
        }
        return (certificates.map(\.pemString).joined(separator: "\n") + "\n", key.pemString + "\n", leaf)
    }

    /// `yyyy-MM-dd-HH-mm-ss` in UTC (the kubelet's layout, Go's "2006-01-02-15-04-05").
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { let text = String(value ?? 0); return text.count < 2 ? "0" + text : text }
        return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day))-\(two(parts.hour))-\(two(parts.minute))-\(two(parts.second))"
    }

    private static func blocks(_ pem: String, what: String) throws(BootstrapError) -> [PEMDocument] {
        do {
            return try PEMDocument.parseMultiple(pemString: pem)
        } catch {
            throw .credentials("\(what) is not PEM: \(error)")
        }
    }
}
