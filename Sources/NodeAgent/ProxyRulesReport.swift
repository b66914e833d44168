import NFTables
import ServiceProxy

/// `swiftlet proxy rules`: the Service routing the kernel holds, read back from the
/// `kube-proxy` tables (swiftlet's or upstream kube-proxy's) of both IP families.
public enum ProxyRulesReport {
    /// The routes of both families as one table (see `ProgrammedRoute.table`).
    ///
    /// - Parameter networkNamespace: a namespace file (e.g. `/run/netns/NAME`); nil reads the
    ///   caller's own namespace.
    /// - Throws: `NFTablesError` when the nf_tables socket cannot be opened or read.
    public static func text(networkNamespace: String?) throws -> String {
        var connection = try NetfilterConnection(networkNamespace: networkNamespace)
        var routes: [ProgrammedRoute] = []
        for family in ProxyIPFamily.allCases {
            routes += try ProgrammedRoute.read(from: &connection, family: family)
        }
        return ProgrammedRoute.table(routes)
    }
}
