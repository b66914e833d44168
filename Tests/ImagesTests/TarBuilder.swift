import Foundation

/// Builds tar archives in memory for tests: ustar headers, with a PAX header when a path is long
/// or an entry has extended attributes.
struct TarBuilder {
    private(set) var data = Data()

    enum Kind: UInt8 {
        case file = 48  // '0'
        case hardLink = 49  // '1'
        case symlink = 50  // '2'
        case characterDevice = 51  // '3'
        case directory = 53  // '5'
        case fifo = 54  // '6'
    }

    mutating func file(_ path: String, _ content: String, mode: Int = 0o644, uid: Int = 0, gid: Int = 0, xattrs: [String: String] = [:]) {
        file(path, Data(content.utf8), mode: mode, uid: uid, gid: gid, xattrs: xattrs)
    }

    mutating func file(_ path: String, _ content: Data, mode: Int = 0o644, uid: Int = 0, gid: Int = 0, xattrs: [String: String] = [:]) {
        entry(path, kind: .file, mode: mode, uid: uid, gid: gid, size: content.count, xattrs: xattrs)
        data.append(content)
        pad()
    }

    mutating func directory(_ path: String, mode: Int = 0o755, uid: Int = 0, gid: Int = 0) {
        entry(path.hasSuffix("/") ? path : path + "/", kind: .directory, mode: mode, uid: uid, gid: gid)
    }

    mutating func symlink(_ path: String, to target: String) { entry(path, kind: .symlink, mode: 0o777, linkName: target) }

    mutating func hardLink(_ path: String, to target: String) { entry(path, kind: .hardLink, mode: 0o644, linkName: target) }

    mutating func whiteout(_ path: String) {
        let name = (path as NSString).lastPathComponent, parent = (path as NSString).deletingLastPathComponent
        file(parent.isEmpty ? ".wh.\(name)" : "\(parent)/.wh.\(name)", "")
    }

    mutating func opaque(_ directory: String) { file("\(directory)/.wh..wh..opq", "") }

    mutating func entry(
        _ path: String, kind: Kind, mode: Int, uid: Int = 0, gid: Int = 0, size: Int = 0, linkName: String = "",
        xattrs: [String: String] = [:], mtime: Int = 1_700_000_000
    ) {
        var pax: [(String, String)] = xattrs.sorted { $0.key < $1.key }.map { ("SCHILY.xattr.\($0.key)", $0.value) }
        if path.utf8.count > 100 { pax.append(("path", path)) }
        if linkName.utf8.count > 100 { pax.append(("linkpath", linkName)) }
        if !pax.isEmpty {
            var body = Data()
            for (key, value) in pax {
                let rest = " \(key)=\(value)\n"
                var length = rest.utf8.count + 1
                while "\(length)\(rest)".utf8.count != length { length += 1 }
                body.append(Data("\(length)\(rest)".utf8))
            }
            data.append(header(name: "PaxHeaders/x", typeflag: UInt8(ascii: "x"), mode: 0o644, uid: 0, gid: 0, size: body.count, linkName: "", mtime: mtime))
            data.append(body)
            pad()
        }
        data.append(header(name: String(path.utf8.prefix(100))!, typeflag: kind.rawValue, mode: mode, uid: uid, gid: gid, size: size,
                           linkName: String(linkName.utf8.prefix(100))!, mtime: mtime))
    }

    /// The archive with its two zero end blocks.
    var archive: Data { data + Data(count: 1024) }

    private mutating func pad() {
        let remainder = data.count % 512
        if remainder != 0 { data.append(Data(count: 512 - remainder)) }
    }

    private func header(name: String, typeflag: UInt8, mode: Int, uid: Int, gid: Int, size: Int, linkName: String, mtime: Int) -> Data {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, _ offset: Int, _ length: Int) {
            for (index, byte) in text.utf8.prefix(length).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, _ offset: Int, _ length: Int) {
            put(String(value, radix: 8).leftPadded(to: length - 1), offset, length - 1)
        }
        put(name, 0, 100)
        octal(mode, 100, 8)
        octal(uid, 108, 8)
        octal(gid, 116, 8)
        octal(size, 124, 12)
        octal(mtime, 136, 12)
        block[156] = typeflag
        put(linkName, 157, 100)
        put("ustar\0", 257, 6)
        put("00", 263, 2)
        for index in 148..<156 { block[index] = 32 }
        let sum = block.reduce(0) { $0 + Int($1) }
        put(String(sum, radix: 8).leftPadded(to: 6), 148, 6)
        block[154] = 0
        block[155] = 32
        return Data(block)
    }
}

extension String {
    func leftPadded(to length: Int) -> String { String(repeating: "0", count: max(0, length - count)) + self }
}
