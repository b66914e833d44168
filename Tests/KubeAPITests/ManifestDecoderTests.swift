import KubeAPI
import Testing

@Suite("Manifest decoding")
struct ManifestDecoderTests {
    /// The ManifestError `body` throws; nil (and a recorded issue for any other error) if none.
    private func errorOf(_ body: () throws -> Void) -> ManifestError? {
        do {
            try body()
            return nil
        } catch let error as ManifestError {
            return error
        } catch {
            Issue.record("expected a ManifestError, got \(error)")
            return nil
        }
    }

    @Test(arguments: ["pod-nginx.yaml", "pod-multi-container.yaml", "service.yaml", "configmap.yaml", "secret.yaml"])
    func kubernetesDocumentationExamplesDecodeInStrictMode(file: String) throws {
        let documents = try ManifestFixture.documents("docs/\(file)")
        try #require(documents.count == 1)
        let object = try ManifestDecoder(strict: true).decodeObject(documents[0])
        #expect(type(of: object).kind == documents[0].kind)
        // What was read is what is written back.
        #expect(object.encoded() == documents[0].value)
    }

    @Test func documentationExamplesHaveTheirValues() throws {
        let decoder = ManifestDecoder(strict: true)
        let pod = try decoder.decode(Pod.self, from: ManifestFixture.documents("docs/pod-multi-container.yaml")[0])
        #expect(pod.spec?.containers.map(\.name) == ["nginx-container", "debian-container"])
        #expect(pod.spec?.containers[1].args == ["-c", "echo Hello from the debian container > /pod-data/index.html"])
        #expect(pod.spec?.volumes?.first?.emptyDir == CoreV1.EmptyDirVolumeSource())

        let service = try decoder.decode(CoreV1.Service.self, from: ManifestFixture.documents("docs/service.yaml")[0])
        #expect(service.spec?.ports?.first?.targetPort == IntOrString.int(9376))

        let configMap = try decoder.decode(ConfigMap.self, from: ManifestFixture.documents("docs/configmap.yaml")[0])
        #expect(configMap.data?["player_initial_lives"] == "3")
        #expect(configMap.data?["game.properties"] == "enemy.types=aliens,monsters\nplayer.maximum-lives=5    \n")
        #expect(configMap.binaryData?["logo.png"]?.hasPrefix("iVBORw0KGgo") == true)

        let secret = try decoder.decode(Secret.self, from: ManifestFixture.documents("docs/secret.yaml")[0])
        #expect(secret.stringData == ["username": "admin", "password": "t0p-Secret"])
        #expect(secret.data == ["extra": "YWRtaW4="])
        #expect(secret.type == "kubernetes.io/basic-auth")
    }

    @Test func aDeploymentIsAnUnknownKind() throws {
        let document = try ManifestFixture.documents("docs/deployment.yaml")[0]
        let error = errorOf { _ = try ManifestDecoder().decodeObject(document) }
        #expect(error?.description == #"docs/deployment.yaml:1: kind: unknown kind "Deployment" for apiVersion "apps/v1""#)
    }

    @Test func aWrongTypeNamesTheFieldPathTheLineAndWhatWasExpected() throws {
        let document = try ManifestFixture.documents("errors/port-name-as-number.yaml")[0]
        let error = try #require(errorOf { _ = try ManifestDecoder().decode(Pod.self, from: document) })
        #expect(error.errors.count == 1)
        #expect(error.errors[0].description == #"spec.containers[0].ports[1].containerPort: expected integer, got "http""#)
        #expect(error.errors[0].line == 15)
        #expect(error.description == #"errors/port-name-as-number.yaml:15: spec.containers[0].ports[1].containerPort: expected integer, got "http""#)
    }

    @Test func unknownFieldsAreErrorsInStrictModeOnly() throws {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  foo: 1\n  containers:\n  - name: c\n    imagee: nginx\n"
        let strict = ManifestDecoder(strict: true)
        let document = try strict.documents(in: yaml, file: "pod.yaml")[0]
        let error = errorOf { _ = try strict.decode(Pod.self, from: document) }
        #expect(error?.description == "pod.yaml:6: spec.foo: unknown field \"foo\"\npod.yaml:9: spec.containers[0].imagee: unknown field \"imagee\"")

        let lax = ManifestDecoder(strict: false)
        let pod = try lax.decode(Pod.self, from: lax.documents(in: yaml, file: "pod.yaml")[0])
        #expect(pod.spec?.containers.first?.name == "c")
        #expect(pod.spec?.containers.first?.image == nil)
    }

    @Test func missingRequiredFieldsAreReported() throws {
        let yaml = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: nginx\n    ports:\n    - name: http\n"
        let decoder = ManifestDecoder()
        let document = try decoder.documents(in: yaml, file: "pod.yaml")[0]
        let error = errorOf { _ = try decoder.decode(Pod.self, from: document) }
        #expect(error?.description == "pod.yaml:7: spec.containers[0].ports[0].containerPort: required value\npod.yaml:5: spec.containers[0].name: required value")
    }

    @Test func everyProblemOfADocumentIsReported() throws {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: [x]
              labels:
                app: 3
            spec:
              hostNetwork: "yes"
              containers:
              - name: a
                ports:
                - containerPort: 99999999999
            """
        let decoder = ManifestDecoder()
        let document = try decoder.documents(in: yaml, file: "bad.yaml")[0]
        let error = try #require(errorOf { _ = try decoder.decode(Pod.self, from: document) })
        #expect(error.errors.map(\.description) == [
            "metadata.name: expected string, got array",
            "metadata.labels[app]: expected string, got 3",
            #"spec.hostNetwork: expected boolean, got "yes""#,
            "spec.containers[0].ports[0].containerPort: value 99999999999 out of range for 32-bit integer",
        ])
        #expect(error.errors.map(\.line) == [4, 6, 8, 12])
    }

    @Test func invalidYAMLGivesFileAndLine() {
        let error = errorOf { _ = try ManifestDecoder().documents(in: "a: 1\nb:\n  - x\n - y\n", file: "broken.yaml") }
        #expect(error?.errors.first?.line == 4)
        #expect(error?.description.hasPrefix("broken.yaml:4: invalid YAML:") == true)
    }

    @Test func severalDocumentsInOneFileDecodeByKind() throws {
        let documents = try ManifestFixture.documents("multi.yaml")
        #expect(documents.map(\.kind) == ["Pod", "Service", "ConfigMap"])
        #expect(documents.map(\.line) == [3, 15, 26])
        #expect(documents.map(\.index) == [0, 1, 2])
        let objects = try ManifestDecoder().decodeObjects(in: ManifestFixture.bytes("multi.yaml"), file: "multi.yaml")
        let service = try #require(objects[1] as? CoreV1.Service)
        #expect(service.spec?.ports?.first?.targetPort == IntOrString.string("http"))
        let configMap = try #require(objects[2] as? ConfigMap)
        #expect(configMap.data == ["mode": "0644", "replicas": "3"])
    }

    @Test func errorsInSeveralDocumentsAreAllReported() throws {
        let yaml = "apiVersion: v1\nkind: Pod\nspec:\n  bogus: 1\n---\napiVersion: v1\nkind: Service\nspec:\n  ports:\n  - port: x\n"
        let error = errorOf { _ = try ManifestDecoder().decodeObjects(in: Array(yaml.utf8), file: "two.yaml") }
        #expect(error?.description == "two.yaml:4: spec.bogus: unknown field \"bogus\"\ntwo.yaml:10: spec.ports[0].port: expected integer, got \"x\"")
    }

    @Test func jsonInputIsRecognisedIncludingSeveralValues() throws {
        let json = """
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}
            {"apiVersion": "v1", "kind": "Namespace",
             "metadata": {"name": "b", "labels": {"x": 1}}}
            """
        let decoder = ManifestDecoder()
        let documents = try decoder.documents(in: Array(json.utf8), file: "ns.json")
        #expect(documents.count == 2)
        #expect(try decoder.decode(Namespace.self, from: documents[0]).metadata?.name == "a")
        let error = errorOf { _ = try decoder.decode(Namespace.self, from: documents[1]) }
        #expect(error?.description == "ns.json:3: metadata.labels[x]: expected string, got 1")
    }

    @Test func invalidJSONGivesFileAndLine() {
        let error = errorOf { _ = try ManifestDecoder().documents(in: "{\n\"a\": 1,\n}", file: "bad.json") }
        #expect(error?.description == "bad.json:3: invalid JSON: unexpected character '}', expected a string key")
    }

    @Test func duplicateJSONKeysAreErrorsInStrictModeOnly() throws {
        let json = Array("{\"kind\": \"Namespace\",\n\"kind\": \"Namespace\"}".utf8)
        let error = errorOf { _ = try ManifestDecoder(strict: true).documents(in: json, file: "dup.json") }
        #expect(error?.description == "dup.json:2: invalid JSON: duplicate key \"kind\"")
        #expect(try ManifestDecoder(strict: false).documents(in: json, file: "dup.json").count == 1)
    }

    @Test func aV1ListIsReadAsItsItems() throws {
        let yaml = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: b}\n"
        let documents = try ManifestDecoder().documents(in: yaml, file: "list.yaml")
        #expect(documents.map(\.line) == [4, 7])
        #expect(documents.map { $0.value["metadata"]?["name"] } == ["a", "b"])
    }

    @Test func decodingAsTheWrongKindSaysWhichWasExpected() throws {
        let document = try ManifestFixture.documents("docs/service.yaml")[0]
        let error = errorOf { _ = try ManifestDecoder().decode(Pod.self, from: document) }
        #expect(error?.description == #"docs/service.yaml:1: kind: expected "Pod", got "Service""#)
    }

    @Test func aDocumentWithoutKindSaysSo() throws {
        let document = try ManifestDecoder().documents(in: "metadata:\n  name: x\n", file: "nokind.yaml")[0]
        let error = errorOf { _ = try ManifestDecoder().decodeObject(document) }
        #expect(error?.description == "nokind.yaml:1: apiVersion: required value\nnokind.yaml:1: kind: required value")
    }
}
