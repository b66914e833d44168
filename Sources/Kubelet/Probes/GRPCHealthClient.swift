/// A gRPC health check (`grpc.health.v1.Health/Check`) over HTTP/2 cleartext, as small as the
/// probe needs: one stream, headers written as HPACK literals, and the answer read from the
/// response message (`HealthCheckResponse.status`, SERVING = 1). Response headers are not
/// decoded, so a server's error status shows only as "no response message".
enum GRPCHealthClient {
    static let path = "/grpc.health.v1.Health/Check"

    static func check(host: String, port: Int, service: String, timeout: Duration) async -> ProbeResult {
        let deadline = ProbeDeadline(timeout)
        return await ProbeSocket.offload {
            do throws(ProbeSocket.Failure) {
                let socket = try ProbeSocket(host: host, port: port, deadline: deadline.dispatchTime)
                try socket.send(request(authority: HTTPProbeRequest.joinHostPort(host, port), service: service))
                return try readAnswer(socket)
            } catch {
                if error.description.contains("timeout") {
                    return .failure("timeout: health rpc did not complete within \(timeout)")
                }
                return .failure("error: health rpc probe failed: \(error.description)")
            }
        }
    }

    /// Preface, SETTINGS, HEADERS and DATA (with END_STREAM) of the request.
    static func request(authority: String, service: String) -> [UInt8] {
        var bytes = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        bytes += frame(type: 0x4, flags: 0, stream: 0, payload: [])
        var block: [UInt8] = [0x83, 0x86]  // :method POST, :scheme http (static table 3 and 6)
        block += literal(indexedName: 4, value: path)  // :path
        block += literal(indexedName: 1, value: authority)  // :authority
        block += literal(indexedName: 31, value: "application/grpc")  // content-type
        block += literal(indexedName: 58, value: HTTPProbeRequest.userAgent)  // user-agent
        block += [0x00] + string("te") + string("trailers")
        bytes += frame(type: 0x1, flags: 0x4, stream: 1, payload: block)
        var message: [UInt8] = []
        if !service.isEmpty { message = [0x0A] + varint(UInt64(service.utf8.count)) + Array(service.utf8) }
        let length = UInt32(message.count)
        let grpcMessage: [UInt8] = [0, UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)] + message
        bytes += frame(type: 0x0, flags: 0x1, stream: 1, payload: grpcMessage)
        return bytes
    }

    private static func readAnswer(_ socket: borrowing ProbeSocket) throws(ProbeSocket.Failure) -> ProbeResult {
        var buffer: [UInt8] = []
        var message: [UInt8] = []
        while true {
            while buffer.count >= 9 {
                let length = Int(buffer[0]) << 16 | Int(buffer[1]) << 8 | Int(buffer[2])
                guard buffer.count >= 9 + length else { break }
                let type = buffer[3]
                let flags = buffer[4]
                let stream = (UInt32(buffer[5]) << 24 | UInt32(buffer[6]) << 16 | UInt32(buffer[7]) << 8 | UInt32(buffer[8])) & 0x7FFF_FFFF
                let payload = Array(buffer[9..<(9 + length)])
                buffer.removeFirst(9 + length)
                switch type {
                case 0x4 where flags & 0x1 == 0:
                    try socket.send(frame(type: 0x4, flags: 0x1, stream: 0, payload: []))
                case 0x6 where flags & 0x1 == 0:
                    try socket.send(frame(type: 0x6, flags: 0x1, stream: 0, payload: payload))
                case 0x0 where stream == 1:
                    var data = payload
                    if flags & 0x8 != 0, let pad = data.first { data = Array(data.dropFirst().dropLast(Int(pad))) }
                    message += data
                    if let status = healthStatus(message) { return result(status) }
                    if flags & 0x1 != 0 { return .failure("error: health rpc probe failed: no response message") }
                case 0x1 where stream == 1 && flags & 0x1 != 0:
                    return .failure("error: health rpc probe failed: the server ended the call without a response message")
                case 0x3 where stream == 1:
                    return .failure("error: health rpc probe failed: stream reset by the server")
                case 0x7:
                    return .failure("error: health rpc probe failed: connection closed by the server (GOAWAY)")
                default:
                    break
                }
            }
            let chunk = try socket.receive()
            if chunk.isEmpty { return .failure("error: health rpc probe failed: connection closed") }
            buffer += chunk
        }
    }

    /// The `status` of a complete gRPC-framed `HealthCheckResponse`, or nil while incomplete.
    static func healthStatus(_ message: [UInt8]) -> Int? {
        guard message.count >= 5 else { return nil }
        let length = Int(message[1]) << 24 | Int(message[2]) << 16 | Int(message[3]) << 8 | Int(message[4])
        guard message.count >= 5 + length else { return nil }
        var index = 5
        let end = 5 + length
        var status = 0  // UNKNOWN when absent
        while index < end {
            let key = message[index]
            index += 1
            if key == 0x08 {
                var value = 0
                var shift = 0
                while index < end {
                    let byte = message[index]
                    index += 1
                    value |= Int(byte & 0x7F) << shift
                    shift += 7
                    if byte & 0x80 == 0 { break }
                }
                status = value
            } else {
                break
            }
        }
        return status
    }

    private static func result(_ status: Int) -> ProbeResult {
        if status == 1 { return .success(output: "") }
        let names = [0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"]
        return .failure("service unhealthy (responded with \"\(names[status] ?? String(status))\")")
    }

    static func frame(type: UInt8, flags: UInt8, stream: UInt32, payload: [UInt8]) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags,
                UInt8(stream >> 24 & 0x7F), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)] + payload
    }

    /// "Literal Header Field without Indexing — Indexed Name" (RFC 7541 §6.2.2).
    private static func literal(indexedName index: Int, value: String) -> [UInt8] {
        integer(index, prefixBits: 4, firstByte: 0x00) + string(value)
    }

    private static func string(_ text: String) -> [UInt8] {
        integer(text.utf8.count, prefixBits: 7, firstByte: 0x00) + Array(text.utf8)
    }

    private static func integer(_ value: Int, prefixBits: Int, firstByte: UInt8) -> [UInt8] {
        let limit = (1 << prefixBits) - 1
        if value < limit { return [firstByte | UInt8(value)] }
        var bytes: [UInt8] = [firstByte | UInt8(limit)]
        var rest = value - limit
        while rest >= 128 {
            bytes.append(UInt8(rest % 128 + 128))
            rest /= 128
        }
        bytes.append(UInt8(rest))
        return bytes
    }

    private static func varint(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
        return bytes
    }
}
