import CNftnl

/// An owned libnftnl `nftnl_chain`, freed when the wrapper ends.
struct NftnlChain: ~Copyable {
    let pointer: OpaquePointer

    /// Allocates an empty object; libnftnl only fails to allocate when memory is exhausted.
    init() {
        guard let pointer = nftnl_chain_alloc() else { fatalError("nftnl_chain_alloc: out of memory") }
        self.pointer = pointer
    }

    deinit { nftnl_chain_free(pointer) }
}
