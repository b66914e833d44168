/// The `uint16_t` attribute number libnftnl's setters and getters take, from one of its
/// attribute enums (imported as structs with a `UInt32` raw value).
@inline(__always)
func nftnlAttribute<A: RawRepresentable>(_ attribute: A) -> UInt16 where A.RawValue == UInt32 {
    UInt16(truncatingIfNeeded: attribute.rawValue)
}

/// The same, for attributes of libnftnl's anonymous enums (imported as integers).
@inline(__always)
func nftnlAttribute<I: BinaryInteger>(_ attribute: I) -> UInt16 {
    UInt16(truncatingIfNeeded: attribute)
}
