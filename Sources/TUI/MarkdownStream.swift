// A streaming reply's Markdown rendered piece by piece: the pieces that can no longer change (see
// Markdown.render) are rendered once, and each new token re-renders only the last piece.
import Foundation

final class MarkdownStreamCache: @unchecked Sendable {
    private let lock = NSLock()
    private var key = ""
    private var stableBytes = 0            // UTF-8 bytes of the text rendered into `lines`
    private var lines: [StyledLine] = []   // the finished pieces, each followed by its blank row

    func render(_ text: String, key k: String, width: Int, base: Style, theme: Theme) -> [StyledLine] {
        lock.lock(); defer { lock.unlock() }
        let bytes = text.utf8
        if k != key || stableBytes > bytes.count { key = k; stableBytes = 0; lines = [] }
        var rest = String(decoding: bytes.dropFirst(stableBytes), as: UTF8.self)
        let finished = Markdown.pieces(rest, completeOnly: true).dropLast()
        for p in finished {
            lines += Markdown.renderPiece(p, width: width, base: base, theme: theme) + [[]]
            stableBytes += p.utf8.count
        }
        if !finished.isEmpty { rest = String(decoding: bytes.dropFirst(stableBytes), as: UTF8.self) }
        return lines + Markdown.render(rest, width: width, base: base, theme: theme)
    }
}
