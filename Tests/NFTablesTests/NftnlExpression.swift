import CNftnl
@testable import NFTables

/// An owned libnftnl `nftnl_expr`, until `add(to:)` hands it to a rule.
struct NftnlExpression: ~Copyable {
    let pointer: OpaquePointer

    /// Allocates an expression of the kernel type `name` (`payload`, `cmp`, ...).
    init(name: String) {
        guard let pointer = nftnl_expr_alloc(name) else { fatalError("nftnl_expr_alloc(\(name)): out of memory") }
        self.pointer = pointer
    }

    /// Hands the expression to `rule`, which frees it from now on.
    consuming func add(to rule: borrowing NftnlRule) {
        nftnl_rule_add_expr(rule.pointer, pointer)
        discard self
    }

    deinit { nftnl_expr_free(pointer) }
}
