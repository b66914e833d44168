import Foundation

/// Reads a tar stream (ustar, GNU long names, PAX extended headers) entry by entry without
/// buffering file contents: call ``next()``, then optionally ``readContent(_:)`` before the next call.
final class TarReader {
    private let source: any ByteSource
    private let name: String
    private var remaining: Int64 = 0
    private var padding: Int64 = 0
    private var globalPAX: [String: [UInt8]] = [:]
    private var ended = false

    init(_ source: any ByteSource, name: String) {
        self.source = source
        self.name = name
    }

    /// The next entry, or `nil` at the end of the archive.
    func next() throws(ImageError) -> TarEntry? {
        try skipRest()
        guard !ended else { return nil }
        var pax: [String: [UInt8]] = globalPAX
        var longName: String?
        var longLink: String?
        while true {
            let header = try source.readBytes(512)
            let count = header.count
            if count == 0 || header.allSatisfy({ $0 == 0 }) {
                // End of archive: a zero block (the second one is optional in practice), or the stream's end.
                ended = true
                try source.drain()
                return nil
            }
            guard count == 512 else { throw .invalidArchive(source: name, reason: "a header is cut short (\(count) of 512 bytes)") }
            try verifyChecksum(header)
            let typeflag = header[156]
            let size = try number(header, 124, 12, field: "size")
            guard size >= 0 else { throw .invalidArchive(source: name, reason: "negative entry size") }
            switch typeflag {
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                let records = try parsePAX(try readSmallBody(size))
                if typeflag == UInt8(ascii: "g") {
                    globalPAX.merge(records) { $1 }
                }
                pax.merge(records) { $1 }
                continue
            case UInt8(ascii: "L"):
                longName = cString(try readSmallBody(size))
                continue
            case UInt8(ascii: "K"):
                longLink = cString(try readSmallBody(size))
                continue
            default:
                break
            }
            var entry = try decodeHeader(header, size: size)
            if let longName { entry.path = longName }
            if let longLink { entry.linkName = longLink }
            try apply(pax, to: &entry)
            // Only regular files carry data; the size field of links, directories and devices is ignored.
            let dataSize = entry.kind == .regular ? entry.size : 0
            remaining = dataSize
            padding = (512 - dataSize % 512) % 512
            if entry.kind != .regular { entry.size = 0 }
            return entry
        }
    }

    /// Streams the current regular file's content to `body` in chunks.
    func readContent(_ body: (UnsafeRawBufferPointer) throws(ImageError) -> Void) throws(ImageError) {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 1)
        defer { chunk.deallocate() }
        while remaining > 0 {
            let want = Int(min(Int64(chunk.count), remaining))
            let count = try source.readFully(into: UnsafeMutableRawBufferPointer(rebasing: chunk[..<want]))
            guard count == want else { throw .invalidArchive(source: name, reason: "the archive ends inside a file") }
            remaining -= Int64(count)
            try body(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
        }
    }

    private func skipRest() throws(ImageError) {
        try readContent { _ in }
        if padding > 0 {
            let count = try source.readBytes(Int(padding)).count
            guard count == Int(padding) else { throw .invalidArchive(source: name, reason: "the archive ends inside padding") }
            padding = 0
        }
    }

    private func readSmallBody(_ size: Int64) throws(ImageError) -> [UInt8] {
        guard size <= 16 * 1024 * 1024 else { throw .invalidArchive(source: name, reason: "an extended header of \(size) bytes") }
        let body = try source.readBytes(Int(size))
        guard body.count == Int(size) else { throw .invalidArchive(source: name, reason: "the archive ends inside an extended header") }
        remaining = 0
        padding = (512 - size % 512) % 512
        try skipRest()
        return body
    }

    private func verifyChecksum(_ header: [UInt8]) throws(ImageError) {
        let stored = try number(header, 148, 8, field: "chksum")
        var sum: Int64 = 0
        for (index, byte) in header.enumerated() { sum += (148..<156).contains(index) ? 32 : Int64(byte) }
        guard sum == stored else {
            throw .invalidArchive(source: name, reason: "header checksum is \(stored), the header sums to \(sum)")
        }
    }

    private func decodeHeader(_ header: [UInt8], size: Int64) throws(ImageError) -> TarEntry {
        var path = cString(header[0..<100])
        let isUstar = header[257..<263].elementsEqual(Array("ustar\0".utf8))
        if isUstar {
            let prefix = cString(header[345..<500])
            if !prefix.isEmpty { path = prefix + "/" + path }
        }
        let kind: TarEntry.Kind
        switch header[156] {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = path.hasSuffix("/") ? .directory : .regular
        case UInt8(ascii: "1"): kind = .hardLink
        case UInt8(ascii: "2"): kind = .symbolicLink
        case UInt8(ascii: "3"): kind = .characterDevice
        case UInt8(ascii: "4"): kind = .blockDevice
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "6"): kind = .fifo
        default:
            throw .invalidArchive(source: name, reason: "entry \"\(path)\" has unsupported type '\(Character(UnicodeScalar(header[156])))'")
        }
        return TarEntry(
            path: path, kind: kind,
            mode: UInt32(truncatingIfNeeded: try number(header, 100, 8, field: "mode")) & 0o7777,
            uid: Int(try number(header, 108, 8, field: "uid")),
            gid: Int(try number(header, 116, 8, field: "gid")),
            size: size,
            modificationTime: try number(header, 136, 12, field: "mtime"),
            linkName: cString(header[157..<257]),
            deviceMajor: UInt32(truncatingIfNeeded: try number(header, 329, 8, field: "devmajor")),
            deviceMinor: UInt32(truncatingIfNeeded: try number(header, 337, 8, field: "devminor")))
    }

    private func apply(_ pax: [String: [UInt8]], to entry: inout TarEntry) throws(ImageError) {
        for (key, value) in pax {
            let text = String(decoding: value, as: UTF8.self)
            switch key {
            case "path": entry.path = text
            case "linkpath": entry.linkName = text
            case "uid": entry.uid = Int(text) ?? entry.uid
            case "gid": entry.gid = Int(text) ?? entry.gid
            case "size":
                guard let size = Int64(text), size >= 0 else { throw .invalidArchive(source: name, reason: "PAX size \"\(text)\"") }
                entry.size = size
            case "mtime":
                entry.modificationTime = Int64(text.split(separator: ".").first.map(String.init) ?? "") ?? entry.modificationTime
            default:
                if key.hasPrefix("SCHILY.xattr.") { entry.xattrs[String(key.dropFirst("SCHILY.xattr.".count))] = value }
            }
        }
    }

    /// PAX records: `"<length> <key>=<value>\n"`, where the length counts the whole record.
    private func parsePAX(_ body: [UInt8]) throws(ImageError) -> [String: [UInt8]] {
        var records: [String: [UInt8]] = [:]
        var index = 0
        while index < body.count {
            guard let space = body[index...].firstIndex(of: UInt8(ascii: " ")),
                let length = Int(String(decoding: body[index..<space], as: UTF8.self)), length > 0,
                index + length <= body.count, body[index + length - 1] == UInt8(ascii: "\n"),
                let equals = body[(space + 1)..<(index + length)].firstIndex(of: UInt8(ascii: "="))
            else {
                if body[index...].allSatisfy({ $0 == 0 }) { break }
                throw .invalidArchive(source: name, reason: "malformed PAX record at offset \(index)")
            }
            let key = String(decoding: body[(space + 1)..<equals], as: UTF8.self)
            records[key] = Array(body[(equals + 1)..<(index + length - 1)])
            index += length
        }
        return records
    }

    /// A numeric header field: octal text, or base-256 when the first byte has its high bit set.
    private func number(_ header: [UInt8], _ offset: Int, _ length: Int, field: String) throws(ImageError) -> Int64 {
        let bytes = header[offset..<(offset + length)]
        if let first = bytes.first, first & 0x80 != 0 {
            var value = Int64(first & 0x7f)
            for byte in bytes.dropFirst() {
                guard value < Int64.max >> 8 else { throw .invalidArchive(source: name, reason: "header field \(field) overflows") }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        var value: Int64 = 0
        var seenDigit = false
        for byte in bytes {
            if byte == 0 || (byte == 32 && seenDigit) { break }
            if byte == 32 { continue }
            guard (48...55).contains(byte) else {
                throw .invalidArchive(source: name, reason: "header field \(field) is not octal")
            }
            seenDigit = true
            value = value * 8 + Int64(byte - 48)
        }
        return value
    }

    private func cString<C: Collection<UInt8>>(_ bytes: C) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}
