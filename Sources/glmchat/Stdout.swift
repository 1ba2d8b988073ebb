// Standard output for text glmchat did not write (stored conversations, model files): to a terminal every control and
// bidi character is escaped (`terminalSafe`), so that text cannot drive the terminal; to a file or pipe it is exact.
import Foundation
import Quote

enum Stdout {
    static let isTerminal = isatty(STDOUT_FILENO) != 0

    /// `text` as it should reach standard output; `style` .json keeps JSON valid.
    static func shown(_ text: String, style: EscapeStyle = .swift) -> String {
        isTerminal ? terminalSafe(text, style: style) : text
    }

    static func print(_ line: String) { Swift.print(shown(line)) }

    static func write(_ text: String, style: EscapeStyle = .swift) { Swift.print(shown(text, style: style), terminator: "") }
}
