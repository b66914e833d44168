// NFTables: swiftlet's nftables layer. It owns a value model of nftables objects (tables, chains,
// rules and their expressions, sets, maps and elements), the batch encoder that turns a
// `NFTransaction` into one netlink batch (libnftnl builds each message, into one large buffer), and
// `NetfilterConnection`, which sends a batch in as few `sendmsg` calls as the kernel allows, maps a
// kernel error back to the object that caused it, and reads the ruleset back for reconciliation.
//
// It must not know about Kubernetes, Services or kube-proxy's layout: `ServiceProxy` decides which
// chains and maps exist; this module only programs and reads them.
