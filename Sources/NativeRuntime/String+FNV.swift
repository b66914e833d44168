extension String {
    /// The 64-bit FNV-1a hash of the UTF-8 bytes, as 16 lowercase hex digits: a stable short name
    /// derived from a path or a reference (Swift's `hashValue` changes from process to process).
    var fnv1aHex: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
