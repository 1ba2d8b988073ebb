// A streaming reply's Markdown rendered piece by piece: the pieces that can no longer change (see
// Markdown.render) are rendered once, each new token re-renders only the last piece, and a code block
// still being written (a piece that opens with a fence at column 0) only its newest line.
import Foundation

final class MarkdownStreamCache: @unchecked Sendable {
    private let lock = NSLock()
    private var key = ""
    private var refsKey = ""
    private var stableBytes = 0            // UTF-8 bytes of the text rendered into `lines`
    private var lines: [StyledLine] = []   // the finished pieces, each followed by its blank row if it had one
    /// The open code block at `stableBytes`: its finished lines' rows and the lexer state after them.
    private var code: (doneBytes: Int, rows: [StyledLine], state: HighlightState)? = nil

    func render(_ text: String, key k: String, width: Int, base: Style, theme: Theme) -> [StyledLine] {
        lock.lock(); defer { lock.unlock() }
        let bytes = text.utf8
        // A link definition that arrives later changes how earlier pieces look: then all are drawn again.
        let refs = Markdown.references(text)
        let refsKey = refs.keys.sorted().map { "\($0)\u{0}\(refs[$0]!.url)\u{0}\(refs[$0]!.title ?? "")" }.joined(separator: "\u{1}")
        if k != key || stableBytes > bytes.count || refsKey != self.refsKey {
            key = k; stableBytes = 0; lines = []; self.refsKey = refsKey; code = nil
        }
        var rest = String(decoding: bytes.dropFirst(stableBytes), as: UTF8.self)
        let finished = Markdown.pieces(rest, completeOnly: true).dropLast()
        for p in finished {
            lines += Markdown.renderPiece(p.text, width: width, base: base, theme: theme, refs: refs) + (p.blankAfter ? [[]] : [])
            stableBytes += p.text.utf8.count
            code = nil
        }
        if !finished.isEmpty { rest = String(decoding: bytes.dropFirst(stableBytes), as: UTF8.self) }
        let tail = Markdown.pieces(rest)
        if tail.count == 1, let open = openCode(rest, width: max(4, width), theme: theme) { return lines + open }
        code = nil
        var out = lines
        for p in tail {
            out += Markdown.renderPiece(p.text, width: width, base: base, theme: theme, refs: refs)
            if p.blankAfter { out.append([]) }
        }
        return out
    }

    /// `rest` when it is a fenced block opened at column 0 and not yet closed: rendered a line at a time,
    /// exactly as MarkdownRenderer.code draws it whole.
    private func openCode(_ rest: String, width: Int, theme: Theme) -> [StyledLine]? {
        guard let firstNL = rest.firstIndex(of: "\n") else { return nil }
        let first = MDBlockParser.expandTabs(String(rest[..<firstNL]))
        guard MDBlockParser.indent(first) == 0, let f = MDBlockParser.fenceOpen(first) else { return nil }
        let body = rest[rest.index(after: firstNL)...]
        let r = MarkdownRenderer(theme: theme, refs: [:])
        let syntax = SyntaxHighlighter.syntax(named: f.info)
        var c = code ?? (0, [], HighlightState())
        // Lines finished since the last call (a closing fence among them: not an open block any more).
        let done = body.utf8.dropFirst(c.doneBytes)
        var newRows: [StyledLine] = [], st = c.state, consumed = 0
        for raw in String(decoding: done, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let line = MDBlockParser.expandTabs(String(raw))
            if MDBlockParser.indent(line) < 4, MDBlockParser.isFenceClose(String(line.dropFirst(MDBlockParser.indent(line))), f.char, f.count) { code = nil; return nil }
            newRows += r.codeRows(line, syntax, &st, width: width)
            consumed += raw.utf8.count + 1
        }
        c.rows += newRows; c.state = st; c.doneBytes += consumed
        code = c
        // The line being written, drawn from a copy of the state.
        let partial = MDBlockParser.expandTabs(String(decoding: body.utf8.dropFirst(c.doneBytes), as: UTF8.self))
        if MDBlockParser.indent(partial) < 4, MDBlockParser.isFenceClose(String(partial.dropFirst(MDBlockParser.indent(partial))), f.char, f.count) { code = nil; return nil }
        var ps = c.state
        return [r.codeHeader(f.info)] + c.rows + r.codeRows(partial, syntax, &ps, width: width)
    }
}
