import CSwiftletNetfilter

/// An nf_tables register. `verdict` holds the verdict; `r1`...`r4` are the 16-byte registers,
/// `r32(n)` the 4-byte registers that concatenations use (`r32(0)` overlaps the start of `r1`).
public struct NFRegister: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public static let verdict = NFRegister(rawValue: NFT_REG_VERDICT.rawValue)
    public static let r1 = NFRegister(rawValue: NFT_REG_1.rawValue)
    public static let r2 = NFRegister(rawValue: NFT_REG_2.rawValue)
    public static let r3 = NFRegister(rawValue: NFT_REG_3.rawValue)
    public static let r4 = NFRegister(rawValue: NFT_REG_4.rawValue)

    /// The 4-byte register `n` (0...15).
    public static func r32(_ n: UInt32) -> NFRegister {
        precondition(n < 16, "nf_tables has 16 four-byte registers, asked for \(n)")
        return NFRegister(rawValue: NFT_REG32_00.rawValue + n)
    }

    /// The 4-byte register that follows a value of `length` bytes stored from this register,
    /// the way concatenations lay out their parts.
    public func advanced(byBytes length: Int) -> NFRegister {
        let start = rawValue >= NFT_REG32_00.rawValue ? rawValue : NFT_REG32_00.rawValue + (rawValue - 1) * 4
        return NFRegister(rawValue: start + UInt32((length + 3) / 4))
    }

    public var description: String { "reg \(rawValue)" }
}
