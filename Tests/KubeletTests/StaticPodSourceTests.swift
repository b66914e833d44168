import Foundation
import KubeAPI
import Testing

@testable import Kubelet

@Suite("Static pod defaults and manifest reading")
struct StaticPodSourceTests {
    @Test func md5MatchesTheRFC1321TestVectors() {
        let vectors = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (input, digest) in vectors {
            var md5 = MD5()
            md5.update(input)
            #expect(md5.hexDigest() == digest, "md5(\(input))")
        }
    }

    static let web = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
          - name: app
            image: busybox:1.36
            command: ["sleep", "3600"]
        """

    @Test func staticPodGetsNodeSuffixedNameDefaultNamespaceHashAnnotationAndToleration() throws {
        let defaulted = try staticPod(Self.web)
        #expect(defaulted.metadata?.name == "web-node1")
        #expect(defaulted.metadata?.namespace == "default")
        let uid = try #require(defaulted.metadata?.uid)
        #expect(uid.count == 32)
        #expect(defaulted.metadata?.annotations?[StaticPodDefaults.configHashAnnotation] == uid)
        #expect(defaulted.metadata?.annotations?[StaticPodDefaults.configSourceAnnotation] == "file")
        #expect(defaulted.spec?.nodeName == "node1")
        #expect(defaulted.spec?.tolerations?.contains { $0.operator == "Exists" && $0.effect == "NoExecute" } == true)
        #expect(defaulted.status?.phase == "Pending")
    }

    @Test func staticPodUIDIsStableAndDependsOnContentNodeAndFile() throws {
        let base = try pod(Self.web)
        let uid = StaticPodDefaults.uid(of: base, source: "/m/web.yaml", isFile: true, nodeName: "node1")
        #expect(uid == StaticPodDefaults.uid(of: base, source: "/m/web.yaml", isFile: true, nodeName: "node1"))
        #expect(uid != StaticPodDefaults.uid(of: base, source: "/m/other.yaml", isFile: true, nodeName: "node1"))
        #expect(uid != StaticPodDefaults.uid(of: base, source: "/m/web.yaml", isFile: true, nodeName: "node2"))
        #expect(uid != StaticPodDefaults.uid(of: base, source: "/m/web.yaml", isFile: false, nodeName: "node1"))
        var changed = base
        changed.spec?.containers[0].image = "busybox:1.37"
        #expect(uid != StaticPodDefaults.uid(of: changed, source: "/m/web.yaml", isFile: true, nodeName: "node1"))
    }

    @Test func podWithItsOwnUIDKeepsIt() throws {
        var given = try pod(Self.web)
        given.metadata?.uid = "fixed-uid"
        let defaulted = StaticPodDefaults.apply(to: given, source: "/m/web.yaml", isFile: true, nodeName: "node1")
        #expect(defaulted.metadata?.uid == "fixed-uid")
    }

    @Test func readerTakesEveryGoodDocumentOfAFileAndReportsEachBadOneWithFileLineAndField() {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata: {name: good}
            spec:
              containers: [{name: app, image: busybox:1.36}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: typo}
            spec:
              containers: [{name: app, image: busybox:1.36, imagePullPolcy: Always}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: Bad_Name}
            spec:
              containers: [{name: app, image: busybox:1.36}]
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {mode: fast}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              selector: {app: web}
              ports: [{port: 80}]
            """
        let contents = ManifestReader(nodeName: "node1").read(Array(text.utf8), location: "/m/pods.yaml", isFile: true)
        #expect(contents.pods.map { $0.metadata?.name } == ["good-node1"])
        #expect(contents.configMaps.map { $0.metadata?.name } == ["settings"])
        #expect(contents.configMaps.first?.metadata?.namespace == "default")
        #expect(contents.services.map { $0.metadata?.name } == ["web"])
        #expect(contents.issues.count == 2)
        let unknown = contents.issues.first { $0.message.contains("imagePullPolcy") }
        #expect(unknown?.message.contains("/m/pods.yaml:") == true)
        #expect(unknown?.message.contains("spec.containers[0].imagePullPolcy") == true)
        let badName = contents.issues.first { $0.message.contains("metadata.name") }
        #expect(badName?.message.contains("/m/pods.yaml:13") == true, "\(badName?.message ?? "")")
        #expect(badName?.podName == "default/Bad_Name")
    }

    @Test func invalidYAMLMakesTheFileUnreadableWithItsLine() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n"
        let contents = ManifestReader(nodeName: "node1").read(Array(text.utf8), location: "/m/broken.yaml", isFile: true)
        #expect(contents.unreadable)
        #expect(contents.pods.isEmpty)
        #expect(contents.issues.first?.message.hasPrefix("/m/broken.yaml:") == true, "\(contents.issues)")
    }

    @Test func unsupportedKindIsReportedNotDecoded() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
        let contents = ManifestReader(nodeName: "node1").read(Array(text.utf8), location: "/m/d.yaml", isFile: true)
        #expect(contents.pods.isEmpty)
        #expect(contents.issues.first?.message.contains("expected Pod, ConfigMap, Secret or Service") == true)
    }
}
