import Foundation

/// A reference to an image in a registry: `[registry/]repository[:tag][@digest]`, normalised the
/// way Docker and containerd do it (`busybox` is `docker.io/library/busybox:latest`).
public struct ImageReference: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The registry's name as people write it, e.g. `docker.io` or `127.0.0.1:5000`.
    public let registry: String
    /// The repository path inside the registry, e.g. `library/busybox`.
    public let repository: String
    /// The tag, if the reference names one (`latest` when it names neither a tag nor a digest).
    public let tag: String?
    /// The digest, if the reference pins one; it wins over the tag when fetching.
    public let digest: Digest?

    /// The registry name used for Docker Hub.
    public static let dockerHub = "docker.io"

    /// Parses and normalises a reference; throws ``ImageError/invalidReference(_:reason:)``.
    public init(parsing text: String) throws(ImageError) {
        guard !text.isEmpty else { throw .invalidReference(text, reason: "it is empty") }
        var rest = Substring(text)
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            do { digest = try Digest(parsing: String(rest[rest.index(after: at)...])) } catch {
                throw .invalidReference(text, reason: "the part after '@' is not a sha256 digest")
            }
            rest = rest[..<at]
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var registry = Self.dockerHub
        if components.count > 1, let first = components.first,
            first.contains(".") || first.contains(":") || first == "localhost" || first.contains(where: \.isUppercase)
        {
            registry = first
            components.removeFirst()
        }
        if registry == "index.docker.io" || registry == "registry-1.docker.io" { registry = Self.dockerHub }
        if registry == Self.dockerHub, components.count == 1 { components.insert("library", at: 0) }
        for component in components {
            guard Self.isValidPathComponent(component) else {
                throw .invalidReference(
                    text, reason: "repository component \"\(component)\" must be lower-case letters, digits and . _ -")
            }
        }
        if let tag {
            guard Self.isValidTag(tag) else {
                throw .invalidReference(text, reason: "tag \"\(tag)\" must be 1-128 of [A-Za-z0-9_.-], not starting with . or -")
            }
        }
        self.registry = registry
        self.repository = components.joined(separator: "/")
        self.tag = tag ?? (digest == nil ? "latest" : nil)
        self.digest = digest
    }

    /// A reference to `repository` in `registry` by tag and/or digest.
    public init(registry: String, repository: String, tag: String?, digest: Digest?) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// What to ask the registry's manifest endpoint for: the digest if pinned, else the tag.
    public var manifestReference: String { digest?.description ?? tag ?? "latest" }

    /// The same repository pinned to `digest`, without a tag.
    public func pinned(to digest: Digest) -> ImageReference {
        ImageReference(registry: registry, repository: repository, tag: nil, digest: digest)
    }

    /// `registry/repository` without tag or digest.
    public var name: String { "\(registry)/\(repository)" }

    /// The fully qualified form, e.g. `docker.io/library/busybox:latest`.
    public var description: String {
        var text = name
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    private static func isValidPathComponent(_ component: String) -> Bool {
        guard let first = component.first, let last = component.last,
            first.isLetter || first.isNumber, last.isLetter || last.isNumber
        else { return false }
        return component.allSatisfy { c in
            c.isASCII && ((c.isLetter && c.isLowercase) || c.isNumber || c == "." || c == "_" || c == "-")
        }
    }

    private static func isValidTag(_ tag: String) -> Bool {
        guard (1...128).contains(tag.count), let first = tag.first, first != ".", first != "-" else { return false }
        return tag.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-") }
    }
}
