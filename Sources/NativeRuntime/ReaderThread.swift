import Foundation

/// Runs a blocking reader on its own thread (it may block for as long as a process runs,
/// which must not tie up Swift's cooperative pool or Dispatch's width).
func detachNewReader(_ body: @escaping @Sendable () -> Void) {
    let thread = Thread(block: body)
    thread.name = "swiftlet-exec-reader"
    thread.start()
}
