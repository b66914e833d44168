/// The events of one watch request, in order. Ends when the server closes the watch (its
/// `timeoutSeconds` passed, or the connection dropped cleanly); throws ``KubeAPIError`` for an
/// `ERROR` event. Objects that do not decode are reported to the client's undecodable-object
/// handler and skipped.
public struct KubeWatchStream<Object: KubeResource>: AsyncSequence, Sendable {
    public typealias Element = KubeWatchEvent<Object>

    let body: AsyncThrowingStream<[UInt8], any Error>
    let request: String
    let report: @Sendable (UndecodableObject) -> Void

    public func makeAsyncIterator() -> Iterator {
        Iterator(body: body.makeAsyncIterator(), decoder: WatchLineDecoder(request: request), report: report)
    }

    /// Reads the body chunk by chunk and hands out decoded events.
    public struct Iterator: AsyncIteratorProtocol {
        var body: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        var decoder: WatchLineDecoder<Object>
        let report: @Sendable (UndecodableObject) -> Void
        var ready: [KubeWatchEvent<Object>] = []
        var ended = false

        public mutating func next() async throws -> KubeWatchEvent<Object>? {
            while ready.isEmpty {
                if ended { return nil }
                if let chunk = try await body.next() {
                    take(try decoder.feed(chunk))
                } else {
                    ended = true
                    take(try decoder.finish().map { [$0] } ?? [])
                }
            }
            return ready.removeFirst()
        }

        private mutating func take(_ outcomes: [WatchLineDecoder<Object>.Outcome]) {
            for outcome in outcomes {
                switch outcome {
                case .event(let event): ready.append(event)
                case .skipped(let skipped): report(skipped)
                }
            }
        }
    }
}
