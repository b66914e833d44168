import CNftnl

/// An owned libnftnl `nftnl_set`, freed when the wrapper ends.
struct NftnlSet: ~Copyable {
    let pointer: OpaquePointer

    /// Allocates an empty object; libnftnl only fails to allocate when memory is exhausted.
    init() {
        guard let pointer = nftnl_set_alloc() else { fatalError("nftnl_set_alloc: out of memory") }
        self.pointer = pointer
    }

    deinit { nftnl_set_free(pointer) }
}
