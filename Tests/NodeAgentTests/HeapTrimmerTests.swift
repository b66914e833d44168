import Testing

@testable import NodeAgent

@Suite struct HeapTrimmerTests {
    @Test func trimsOnlyOnceFreeMemoryGrewByTheThresholdSinceTheLeastSeen() {
        let mebibyte = 1 << 20
        var trimmer = HeapTrimmer(threshold: 4 * mebibyte)
        let frees = [1, 2, 7, 7, 3, 6, 8, 12, 13].map { $0 * mebibyte }
        let trimmed = frees.map { trimmer.trimIfWorthIt(free: $0) }
        // 1→7 grew by 6 MiB: trim, and 7 is the new baseline; down to 3, then 6 is within 4 MiB
        // of it and 8 is 5 MiB above: trim; 12 is within 4 MiB of 8, 13 is not: trim.
        #expect(trimmed == [false, false, true, false, false, false, true, false, true])
    }

    @Test func readsTheHeapsFreeBytes() {
        #expect(HeapTrimmer.freeBytes >= 0)
    }
}
