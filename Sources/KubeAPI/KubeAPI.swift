// KubeAPI: the Kubernetes object model swiftlet reads and writes.
//
// Owns the value tree (`JSONValue`), JSON and YAML reading and writing, decoding with field
// paths (`KubeCodable`, `ObjectReader`, `ManifestDecoder`), the types generated from the upstream
// schema (`Generated/`, see tools/kubeapi-gen), the hand-written primitives (`Quantity`,
// `IntOrString`, `MetaV1.Time`, `MetaV1.MicroTime`), label selectors and pod validation.
//
// It must not know about anything else in swiftlet: no API client, no runtime, no files other
// than the bytes it is handed.
