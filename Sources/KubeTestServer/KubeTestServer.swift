// KubeTestServer: a Kubernetes API server for tests, faithful to the REST semantics the agent relies
// on (a global resourceVersion, list with continue, watch with bookmarks and 410 Gone, selectors,
// conflicts, patches, TokenRequest, the CSR approval flow, cluster-info with its JWS signature, TLS
// with client certificates) and with faults on demand. Test support only; never shipped.
