import CNftnl

/// An owned libnftnl `nftnl_table`, freed when the wrapper ends.
struct NftnlTable: ~Copyable {
    let pointer: OpaquePointer

    /// Allocates an empty object; libnftnl only fails to allocate when memory is exhausted.
    init() {
        guard let pointer = nftnl_table_alloc() else { fatalError("nftnl_table_alloc: out of memory") }
        self.pointer = pointer
    }

    deinit { nftnl_table_free(pointer) }
}
