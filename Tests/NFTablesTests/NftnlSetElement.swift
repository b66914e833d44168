import CNftnl
@testable import NFTables

/// An owned libnftnl `nftnl_set_elem`, until `add(to:)` hands it to a set.
struct NftnlSetElement: ~Copyable {
    let pointer: OpaquePointer

    init() {
        guard let pointer = nftnl_set_elem_alloc() else { fatalError("nftnl_set_elem_alloc: out of memory") }
        self.pointer = pointer
    }

    /// Hands the element to `set`, which frees it from now on.
    consuming func add(to set: borrowing NftnlSet) {
        nftnl_set_elem_add(set.pointer, pointer)
        discard self
    }

    deinit { nftnl_set_elem_free(pointer) }
}
