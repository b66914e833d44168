import Foundation

/// A terminal put in raw mode for `exec -t` (no echo, no line editing, no signals from keys:
/// everything goes to the command's terminal), restored by ``restore()``.
final class RawTerminal: Sendable {
    let fileDescriptor: Int32
    private let saved: termios?

    /// Puts `fileDescriptor` in raw mode when it is a terminal; otherwise changes nothing.
    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
        var original = termios()
        guard isatty(fileDescriptor) == 1, tcgetattr(fileDescriptor, &original) == 0 else {
            saved = nil
            return
        }
        saved = original
        var raw = original
        cfmakeraw(&raw)
        tcsetattr(fileDescriptor, TCSANOW, &raw)
    }

    /// The terminal's size, when it is one.
    var size: (width: UInt16, height: UInt16)? {
        var window = winsize()
        guard ioctl(fileDescriptor, UInt(TIOCGWINSZ), &window) == 0, window.ws_col > 0 else { return nil }
        return (window.ws_col, window.ws_row)
    }

    /// Puts the terminal back as it was.
    func restore() {
        guard var saved else { return }
        tcsetattr(fileDescriptor, TCSANOW, &saved)
    }
}
