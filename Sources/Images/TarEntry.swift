/// One entry of a tar archive, with its PAX and GNU extensions already applied.
public struct TarEntry: Sendable, Equatable {
    /// What an entry creates.
    public enum Kind: Sendable, Equatable {
        case regular, hardLink, symbolicLink, characterDevice, blockDevice, directory, fifo
    }

    public var path: String
    public var kind: Kind
    /// Permission bits including setuid, setgid and sticky (`0o7777`).
    public var mode: UInt32
    public var uid: Int
    public var gid: Int
    public var size: Int64
    /// Seconds since the epoch.
    public var modificationTime: Int64
    /// The target of a symbolic link, or the archive path a hard link points at.
    public var linkName: String
    public var deviceMajor: UInt32
    public var deviceMinor: UInt32
    /// Extended attributes from PAX `SCHILY.xattr.*` records.
    public var xattrs: [String: [UInt8]]

    public init(
        path: String, kind: Kind, mode: UInt32 = 0o644, uid: Int = 0, gid: Int = 0, size: Int64 = 0, modificationTime: Int64 = 0,
        linkName: String = "", deviceMajor: UInt32 = 0, deviceMinor: UInt32 = 0, xattrs: [String: [UInt8]] = [:]
    ) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.size = size
        self.modificationTime = modificationTime
        self.linkName = linkName
        self.deviceMajor = deviceMajor
        self.deviceMinor = deviceMinor
        self.xattrs = xattrs
    }
}
