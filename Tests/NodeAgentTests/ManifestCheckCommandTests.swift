import Foundation
import Testing

@Suite struct ManifestCheckCommandTests {
    @Test func validPodsServicesConfigMapsAndSecretsPass() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(
            "good.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              namespace: default
            spec:
              containers:
                - name: nginx
                  image: nginx:1.27
                  ports:
                    - containerPort: 80
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              selector:
                app: web
              ports:
                - port: 80
                  targetPort: 80
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
            data:
              mode: fast
            ---
            apiVersion: v1
            kind: Secret
            metadata:
              name: token
            type: Opaque
            stringData:
              token: s3cret
            """)
        let result = try await runToCompletion(try Repository.swiftletBinary(), ["manifest", "check", file])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == "\(file): ok (4 objects)\n")
    }

    @Test func aMalformedPodIsRejectedWithLineAndFieldPath() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(
            "bad.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
            spec:
              containers:
                - name: nginx
                  image: nginx:1.27
                  ports:
                    - containerPort: http
            """)
        let result = try await runToCompletion(try Repository.swiftletBinary(), ["manifest", "check", file])
        #expect(result.status == 1)
        #expect(result.error.contains("\(file):10: spec.containers[0].ports[0].containerPort: expected integer"))
    }

    @Test func aPodFailingValidationIsRejectedWithTheFieldPath() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(
            "invalid.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: Web_Server
            spec:
              containers:
                - name: nginx
                  image: nginx:1.27
            """)
        let result = try await runToCompletion(try Repository.swiftletBinary(), ["manifest", "check", file])
        #expect(result.status == 1)
        #expect(result.error.contains("\(file):4: metadata.name: Invalid value: \"Web_Server\""))
    }

    @Test func oneBadFileAmongGoodOnesFailsTheRun() async throws {
        let directory = try TemporaryDirectory()
        let good = try directory.write("good.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
        let bad = try directory.write("bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\nbogus: 1\n")
        let result = try await runToCompletion(try Repository.swiftletBinary(), ["manifest", "check", good, bad])
        #expect(result.status == 1)
        #expect(result.output == "\(good): ok (1 object)\n")
        #expect(result.error.contains("\(bad):5: bogus: unknown field"))
    }
}
