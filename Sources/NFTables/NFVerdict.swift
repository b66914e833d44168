import CSwiftletNetfilter

/// A verdict: the end of a rule's evaluation, in an immediate expression or as a verdict map's data.
public enum NFVerdict: Sendable, Hashable, CustomStringConvertible {
    case accept
    case drop
    case `continue`
    case `return`
    case jump(String)
    case goto(String)

    /// The kernel's verdict code (`NF_ACCEPT`, `NFT_JUMP`, ...).
    public var code: Int32 {
        switch self {
        case .accept: Int32(NF_ACCEPT)
        case .drop: Int32(NF_DROP)
        case .continue: NFT_CONTINUE.rawValue
        case .return: NFT_RETURN.rawValue
        case .jump: NFT_JUMP.rawValue
        case .goto: NFT_GOTO.rawValue
        }
    }

    /// The target chain of `jump` and `goto`.
    public var chain: String? {
        switch self {
        case .jump(let chain), .goto(let chain): chain
        default: nil
        }
    }

    /// The verdict for a kernel code and target chain, or nil for codes swiftlet does not use.
    public init?(code: Int32, chain: String?) {
        switch code {
        case Int32(NF_ACCEPT): self = .accept
        case Int32(NF_DROP): self = .drop
        case NFT_CONTINUE.rawValue: self = .continue
        case NFT_RETURN.rawValue: self = .return
        case NFT_JUMP.rawValue:
            guard let chain else { return nil }
            self = .jump(chain)
        case NFT_GOTO.rawValue:
            guard let chain else { return nil }
            self = .goto(chain)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .accept: "accept"
        case .drop: "drop"
        case .continue: "continue"
        case .return: "return"
        case .jump(let chain): "jump \(chain)"
        case .goto(let chain): "goto \(chain)"
        }
    }
}
