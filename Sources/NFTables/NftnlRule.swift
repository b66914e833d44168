import CNftnl

/// An owned libnftnl `nftnl_rule`, freed when the wrapper ends.
struct NftnlRule: ~Copyable {
    let pointer: OpaquePointer

    /// Allocates an empty object; libnftnl only fails to allocate when memory is exhausted.
    init() {
        guard let pointer = nftnl_rule_alloc() else { fatalError("nftnl_rule_alloc: out of memory") }
        self.pointer = pointer
    }

    deinit { nftnl_rule_free(pointer) }
}
