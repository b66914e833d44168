// KubeClient: the node's Kubernetes API client. kubeconfig files as kubectl reads them, REST and
// watch over async-http-client with TLS from swift-nio-ssl, client-side rate limits and retries,
// informers (list + watch reflectors with an indexed store), and the TLS bootstrap of `swiftlet join`.
// It depends only on KubeAPI; the kubelet and the service proxy see it through their own seams.
