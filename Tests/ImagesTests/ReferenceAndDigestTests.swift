import Foundation
import Testing
@testable import Images

@Suite struct ReferenceAndDigestTests {
    @Test func shortDockerHubNamesAreNormalisedToLibraryAndLatest() throws {
        let reference = try ImageReference(parsing: "busybox")
        #expect(reference.registry == "docker.io")
        #expect(reference.repository == "library/busybox")
        #expect(reference.tag == "latest")
        #expect(reference.description == "docker.io/library/busybox:latest")
    }

    @Test func registryWithPortTagAndDigestAreSplitCorrectly() throws {
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let reference = try ImageReference(parsing: "127.0.0.1:5000/team/app:v1.2@\(digest)")
        #expect(reference.registry == "127.0.0.1:5000")
        #expect(reference.repository == "team/app")
        #expect(reference.tag == "v1.2")
        #expect(reference.digest?.description == digest)
        #expect(reference.manifestReference == digest)
    }

    @Test func digestOnlyReferenceHasNoTag() throws {
        let reference = try ImageReference(parsing: "quay.io/x/y@sha256:" + String(repeating: "0", count: 64))
        #expect(reference.tag == nil)
        #expect(reference.registry == "quay.io")
    }

    @Test func upperCaseRepositoryAndBadDigestAreRejectedWithTheReason() {
        #expect(throws: ImageError.self) { try ImageReference(parsing: "docker.io/Library/busybox") }
        #expect(throws: ImageError.self) { try ImageReference(parsing: "busybox@sha256:abc") }
        #expect(throws: ImageError.self) { try ImageReference(parsing: "") }
        #expect(throws: ImageError.invalidDigest("sha256:ABC")) { try Digest(parsing: "sha256:ABC") }
    }

    @Test func digestOfKnownBytesMatchesSha256() {
        #expect(Digest(of: Data("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func chainIDsFollowTheImageSpecFormula() {
        let a = Digest(of: Data("a".utf8)), b = Digest(of: Data("b".utf8))
        let chain = ImageLayer.chainIDs([a, b])
        #expect(chain[0] == a)
        #expect(chain[1] == Digest(of: Data("\(a) \(b)".utf8)))
    }
}

@Suite struct RegistryProtocolTests {
    @Test func bearerChallengeParametersAreParsedIncludingQuotedCommas() throws {
        let challenge = try #require(AuthChallenge(header:
            #"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#))
        #expect(challenge.scheme == "bearer")
        #expect(challenge.realm == "https://auth.example/token")
        #expect(challenge.service == "registry.example")
        #expect(challenge.scope == "repository:a/b:pull,push")
    }

    @Test func basicChallengeIsRecognised() throws {
        let challenge = try #require(AuthChallenge(header: #"Basic realm="Registry Realm""#))
        #expect(challenge.scheme == "basic")
        #expect(challenge.realm == "Registry Realm")
    }

    @Test func dockerConfigAuthsGiveCredentialsPerRegistry() throws {
        let json = """
            {"auths": {
              "https://index.docker.io/v1/": {"auth": "\(Data("alice:s3cr:et".utf8).base64EncodedString())"},
              "registry.example:5000": {"username": "bob", "password": "pw"}
            }}
            """
        let credentials = try DockerConfigFile.credentials(from: Data(json.utf8), file: "config.json")
        #expect(credentials["docker.io"] == RegistryCredential(username: "alice", password: "s3cr:et"))
        #expect(credentials["registry.example:5000"] == RegistryCredential(username: "bob", password: "pw"))
    }

    @Test func dockerConfigWithBadAuthNamesTheField() {
        let json = #"{"auths": {"r.example": {"auth": "not base64!"}}}"#
        #expect(throws: ImageError.invalidConfiguration(file: "cfg.json", field: "auths.r.example.auth", expected: "base64 of \"user:password\"")) {
            try DockerConfigFile.credentials(from: Data(json.utf8), file: "cfg.json")
        }
    }

    @Test func mirrorsComeBeforeTheRegistryAndPlainHTTPIsHonoured() {
        let configuration = RegistryConfiguration(
            mirrors: ["docker.io": ["https://mirror.example/"]], plainHTTP: ["local.example:5000"])
        #expect(configuration.endpoints(for: "docker.io") == ["https://mirror.example", "https://registry-1.docker.io"])
        #expect(configuration.endpoints(for: "local.example:5000") == ["http://local.example:5000"])
        #expect(configuration.endpoints(for: "quay.io") == ["https://quay.io"])
    }

    @Test func indexSelectionPrefersTheExactPlatformAndReportsWhatIsAvailable() throws {
        let digest = { (n: Int) in Digest(of: Data([UInt8(n)])) }
        let index = ImageIndex(manifests: [
            Descriptor(mediaType: MediaType.ociManifest, digest: digest(1), size: 1, platform: Platform(os: "linux", architecture: "arm", variant: "v6")),
            Descriptor(mediaType: MediaType.ociManifest, digest: digest(2), size: 1, platform: Platform(os: "linux", architecture: "arm", variant: "v7")),
            Descriptor(mediaType: MediaType.ociManifest, digest: digest(3), size: 1, platform: Platform(os: "linux", architecture: "arm64")),
        ])
        #expect(try index.manifest(for: Platform(os: "linux", architecture: "arm", variant: "v7"), source: "t").digest == digest(2))
        #expect(try index.manifest(for: Platform(os: "linux", architecture: "arm64", variant: "v8"), source: "t").digest == digest(3))
        #expect(throws: ImageError.noMatchingPlatform(wanted: "linux/s390x", available: ["linux/arm/v6", "linux/arm/v7", "linux/arm64"], source: "t")) {
            try index.manifest(for: Platform(os: "linux", architecture: "s390x"), source: "t")
        }
    }

    @Test func manifestMediaTypeFallsBackFromGenericContentTypeToTheDocument() throws {
        let body = Data(#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]}"#.utf8)
        #expect(try RegistryClient.mediaType(of: body, header: "application/json", source: "t") == MediaType.dockerManifestList)
        let bare = Data(#"{"schemaVersion":2,"config":{},"layers":[]}"#.utf8)
        #expect(try RegistryClient.mediaType(of: bare, header: nil, source: "t") == MediaType.ociManifest)
    }

    @Test func imageConfigurationExposesTheContainerDefaults() throws {
        let json = """
            {"architecture":"amd64","os":"linux","config":{"User":"1000:1000","ExposedPorts":{"8080/tcp":{}},
             "Env":["PATH=/bin"],"Entrypoint":["/bin/app"],"Cmd":["--serve"],"WorkingDir":"/srv",
             "Labels":{"a":"b"},"StopSignal":"SIGINT"},"rootfs":{"type":"layers","diff_ids":[]}}
            """
        let configuration = try ImageConfiguration.decode(Data(json.utf8), source: "config")
        let defaults = try #require(configuration.config)
        #expect(defaults.user == "1000:1000")
        #expect(defaults.exposedPortList == ["8080/tcp"])
        #expect(defaults.entrypoint == ["/bin/app"])
        #expect(defaults.cmd == ["--serve"])
        #expect(defaults.env == ["PATH=/bin"])
        #expect(defaults.workingDir == "/srv")
        #expect(defaults.labels == ["a": "b"])
        #expect(defaults.stopSignal == "SIGINT")
    }

    @Test func configWithMissingRootfsNamesTheFieldPath() {
        #expect(throws: ImageError.invalidDocument(source: "cfg", field: "rootfs", expected: "a value (it is missing)")) {
            try ImageConfiguration.decode(Data(#"{"architecture":"amd64","os":"linux"}"#.utf8), source: "cfg")
        }
    }
}
