import Testing
import KubeAPI

/// Manifest values for a quantity: the JSON value and the canonical string it encodes back to.
private let decodingTable: [(JSONValue, String)] = [
    (.number("1"), "1"),
    (.number("1e3"), "1e3"),
    (.number("0.5"), "500m"),
    (.number("-1"), "-1"),
    (.string("100m"), "100m"),
    (.string("1.5Gi"), "1536Mi"),
    (.string(" 1"), "1"),
    (.string("1 "), "1"),
    (.null, "0"),
]

@Test(arguments: decodingTable)
func quantityDecodesNumbersAndStringsAndEncodesCanonicalString(value: JSONValue, canonical: String) throws {
    let quantity = try Quantity(decoding: value)
    #expect(quantity.encoded() == .string(canonical))
}

@Test func quantityDecodingErrorNamesTextAndExpectedForm() {
    #expect(throws: FieldErrorList(FieldError(message:
        "invalid quantity \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"))) {
        try Quantity(decoding: .string("lots"))
    }
    #expect(throws: FieldErrorList(FieldError(message: "expected quantity (string or number), got true"))) {
        try Quantity(decoding: .bool(true))
    }
}

@Test func podResourcesInYAMLAcceptNumbersAndStrings() throws {
    let yaml = """
    apiVersion: v1
    kind: Pod
    metadata:
      name: p
    spec:
      containers:
      - name: c
        image: busybox
        resources:
          requests:
            cpu: 1
            memory: 1e3
          limits:
            cpu: "1.5"
            memory: 1Ki
    """
    let decoder = ManifestDecoder(strict: true)
    let pod = try decoder.decode(CoreV1.Pod.self, from: try #require(try decoder.documents(in: yaml, file: "p.yaml").first))
    let resources = try #require(pod.spec?.containers.first?.resources)
    #expect(resources.requests?["cpu"]?.description == "1")
    #expect(resources.requests?["memory"]?.description == "1e3")
    #expect(resources.limits?["cpu"]?.description == "1500m")
    #expect(resources.limits?["memory"] == Quantity(1024))
}
