import CMalloc

/// When to trim the C heap: once its free bytes have grown by `threshold` since the least seen
/// after the last trim (`malloc_trim(0)` releases the whole free pages inside every arena).
struct HeapTrimmer {
    /// How much freed memory is worth a trim, in bytes.
    let threshold: Int
    private var baseline = Int.max

    init(threshold: Int) {
        self.threshold = threshold
    }

    /// The bytes the heap holds free (`mallinfo2().fordblks`).
    static var freeBytes: Int { Int(mallinfo2().fordblks) }

    /// Trims when `free` is more than `threshold` above the baseline; says whether it did.
    @discardableResult
    mutating func trimIfWorthIt(free: Int = HeapTrimmer.freeBytes) -> Bool {
        baseline = min(baseline, free)
        guard free - baseline > threshold else { return false }
        _ = malloc_trim(0)
        baseline = free
        return true
    }
}
