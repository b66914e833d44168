import Foundation

/// Unpacked layers under `<root>/layers/<diff ID hex>/fs`, each unpacked once and shared by every
/// image that has it. A layer is unpacked into a temporary directory and renamed into place only
/// when its diff ID checks out; concurrent requests for the same layer wait for one unpack.
actor LayerStore {
    let root: String
    private var inFlight: [Digest: Task<Int64, any Error>] = [:]

    init(root: String) throws(ImageError) {
        self.root = root
        try Syscall.makeDirectories(root)
    }

    /// The directory a layer's files are in (whether or not it is unpacked yet).
    nonisolated func directory(for diffID: Digest) -> String { "\(root)/\(diffID.hex)/fs" }

    nonisolated func isUnpacked(_ diffID: Digest) -> Bool { (try? Syscall.lstat(directory(for: diffID))) != nil }

    /// Unpacks `blobPath` as the layer `diffID` unless it is there already; returns the bytes of
    /// file content it holds, or `nil` if it was unpacked already.
    func ensureUnpacked(diffID: Digest, blobPath: String, layerName: String) async throws -> Int64? {
        if isUnpacked(diffID) { return nil }
        if let running = inFlight[diffID] { return try await running.value }
        let root = root
        let final = "\(root)/\(diffID.hex)"
        let task = Task<Int64, any Error> {
            try await Syscall.offload {
                let temporary = "\(root)/.unpack-\(diffID.hex)-\(UInt32.random(in: 0...UInt32.max))"
                do {
                    try Syscall.makeDirectories(temporary + "/fs")
                    let summary = try LayerUnpacker.unpack(
                        blobAt: blobPath, into: temporary + "/fs", mode: .overlay, layerName: layerName)
                    guard summary.diffID == diffID else {
                        throw ImageError.digestMismatch(expected: diffID, actual: summary.diffID, source: "\(layerName) (uncompressed)")
                    }
                    try Syscall.check("rename", final) { rename(temporary, final) }
                    return summary.contentBytes
                } catch {
                    try? Syscall.removeTree(temporary)
                    throw error
                }
            }
        }
        inFlight[diffID] = task
        defer { inFlight[diffID] = nil }
        return try await task.value
    }

    /// Deletes an unpacked layer.
    func remove(_ diffID: Digest) throws(ImageError) {
        let path = "\(root)/\(diffID.hex)"
        // Rename first so that a half-deleted layer is never taken for a complete one.
        let doomed = "\(root)/.remove-\(diffID.hex)-\(UInt32.random(in: 0...UInt32.max))"
        guard try Syscall.check("rename", path, tolerating: [ENOENT], { rename(path, doomed) }) != nil else { return }
        try Syscall.removeTree(doomed)
    }

    /// Diff IDs of every unpacked layer.
    func all() throws(ImageError) -> [Digest] {
        try Syscall.directoryEntries(root).compactMap { try? Digest(parsing: "sha256:" + $0) }
    }

    /// Removes leftovers of interrupted unpacks and removals last modified before `cutoff`.
    func removeLeftovers(modifiedBefore cutoff: Date) throws(ImageError) {
        for name in try Syscall.directoryEntries(root) where name.hasPrefix(".") {
            let path = "\(root)/\(name)"
            if let info = try Syscall.lstat(path), Double(info.st_mtim.tv_sec) < cutoff.timeIntervalSince1970 {
                try Syscall.removeTree(path)
            }
        }
    }
}
