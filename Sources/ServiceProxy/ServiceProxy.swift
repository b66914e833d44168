// ServiceProxy: kube-proxy's work in swiftlet, in the layout of upstream's nftables mode
// (KEP-3866): a `kube-proxy` table per IP family with the `service-ips` and `service-nodeports`
// verdict maps, per-service chains that pick an endpoint with `numgen random mod N`,
// per-endpoint chains that mark hairpin traffic for masquerade and DNAT, and the filter chains
// that reject traffic to services without endpoints and enforce `loadBalancerSourceRanges`.
//
// It owns an internal model of service ports and endpoints (as upstream's proxier does), the
// change trackers that merge Service and EndpointSlice events, the pure builder from that model
// to nftables objects, the diff that turns a change into one small transaction, the
// bounded-frequency runner, health and metrics state, and stale-conntrack cleanup.
//
// It must not know about HTTP servers, the API client or the agent's wiring: those live in
// NodeAgent, which feeds the trackers and serves the health and metrics this module exposes.
