// The tool approval panel: a write (its coloured diff), a command (made visible whole) or any other call
// (its arguments), in a box over most of the screen, scrolled until all of it was shown; the answers below.
import Foundation
import Chat

/// What the panel is showing and where the user is in it.
public struct ApprovalPanel: Equatable, Sendable {
    public var request: ApprovalRequest
    public var call: ToolCall { request.call }
    /// First line of the preview shown.
    public var offset = 0
    /// The last line of the preview has been on screen: only then may it be approved.
    public var seenEnd = false
    /// The reason being typed after "r" (Enter refuses with it).
    public var reasonField: InputEditor? = nil
    /// The command prefix being edited after "p" (Enter allows it and runs the command).
    public var prefixField: InputEditor? = nil
    /// Set aside (Tab) while the user reads the transcript behind it; Tab or Esc brings it back.
    public var aside = false
    public init(_ request: ApprovalRequest) { self.request = request }

    /// The command line, for run_command.
    public var commandLine: String? { request.commandLine }
}

/// The panel laid out on a screen: its box, the lines above, in and below the scrolled part.
struct ApprovalView {
    var x0 = 0, y0 = 0, width = 0, height = 0
    var title = ""
    var header: [StyledLine] = []
    var body: [StyledLine] = []
    var footer: [StyledLine] = []
    /// Rows of `body` shown at once.
    var rows = 1
    var maxOffset: Int { max(0, body.count - rows) }
    /// Body lines after the last one shown at `offset`.
    func below(_ offset: Int) -> Int { max(0, body.count - min(offset, maxOffset) - rows) }

    init(_ p: ApprovalPanel, _ s: AppState) {
        let t = s.theme
        width = max(12, s.width - 4); height = max(7, s.height - 2)
        x0 = (s.width - width) / 2; y0 = max(0, (s.height - height) / 2)
        let w = width - 4
        // Named for what is shown: a tool glmchat does not know (a server's, a script's) is just "a tool".
        switch p.request.preview {
        case .diff: title = "Write a file?"
        case .command: title = "Run a command?"
        case .arguments: title = "Run a tool?"
        }
        // The summary in one line (the whole action is below it).
        header = [s.clip(VisibleText.command(p.request.summary).replacingOccurrences(of: "\n", with: " "), style: t[.tool].with(.bold), width: w)]
        switch p.request.preview {
        case .diff(let path, let isNew, _, let added, let removed):
            let stats: StyledLine = isNew ? [Span("new file, ", t[.text]), Span("+\(added)", t[.code])]
                : [Span("+\(added)", t[.code]), Span(" −\(removed)", t[.error])]
            header += Wrap.line(stats + [Span(", " + VisibleText.command(path), t[.text])], width: w)
        case .command(_, let dir, let timeout):
            header += Wrap.line([Span("in " + VisibleText.command(dir) + " · timeout \(timeout) s", t[.dim])], width: w)
        case .arguments: break
        }
        // A write of a large file is wrapped once per width, not on every key and frame.
        body = s.approvalCache.lines(p.request, key: "\(w)|\(t.name)") { Self.bodyLines(p.request.preview, theme: t, width: w) }
        footer = answerLines(p, s, width: w)
        rows = max(1, height - 2 - header.count - 1 - footer.count)
    }

    /// The action itself: the diff, the command line or the arguments, made visible and wrapped.
    static func bodyLines(_ preview: ToolPreview, theme t: Theme, width w: Int) -> [StyledLine] {
        switch preview {
        case .diff(let path, _, let unified, _, _): return diffLines(unified, path: path, theme: t, width: w)
        case .command(let line, _, _): return Wrap.text(VisibleText.command(line), style: t[.code], width: w, words: false)
        case .arguments(let json): return Wrap.text(VisibleText.arguments(json), style: t[.code], width: w, words: false)
        }
    }

    /// A unified diff without its ---/+++ lines: added lines green, removed red, hunk headers in the accent;
    /// the code in them highlighted for the file's language (the sign and plain text keep the diff colour).
    /// The old and the new side each carry their own lexer state (a comment opened in removed lines).
    static func diffLines(_ unified: String, path: String, theme t: Theme, width w: Int) -> [StyledLine] {
        if unified.isEmpty { return [[Span("(no change)", t[.dim])]] }
        let syntax = SyntaxHighlighter.syntax(forPath: path)
        var old = HighlightState(), new = HighlightState()
        var out: [StyledLine] = []
        for l in unified.split(separator: "\n", omittingEmptySubsequences: true) {
            if l.hasPrefix("--- ") || l.hasPrefix("+++ ") { continue }
            let st = l.hasPrefix("+") ? t[.code] : l.hasPrefix("-") ? t[.error] : l.hasPrefix("@@") ? t[.accent] : l.hasPrefix("\\") ? t[.dim] : t[.text]
            let shown = VisibleText.controls(String(l))
            guard let syntax, let sign = shown.first, "+- ".contains(sign) else {
                out += Wrap.line([Span(shown, st)], width: w, words: false)
                continue
            }
            let code = String(shown.dropFirst())
            var spans: StyledLine = [Span(String(sign), st)]
            switch sign {
            case "+": spans += SyntaxHighlighter.styled(code, syntax, &new, theme: t, base: st)
            case "-": spans += SyntaxHighlighter.styled(code, syntax, &old, theme: t, base: st)
            default:   // a context line is on both sides
                spans += SyntaxHighlighter.styled(code, syntax, &new, theme: t, base: st)
                _ = SyntaxHighlighter.styled(code, syntax, &old, theme: t, base: st)
            }
            out += Wrap.line(spans.merged, width: w, words: false)
        }
        return out
    }

    /// The field being typed, else the answers, each key named as the keymap binds it.
    func answerLines(_ p: ApprovalPanel, _ s: AppState, width w: Int) -> [StyledLine] {
        let t = s.theme
        if let f = p.reasonField {
            return Wrap.line([Span("Reason for the model: ", t[.accent]), Span(f.withCaret, t[.text])], width: w)
                + [[Span("Enter refuses with it · Esc back", t[.dim])]]
        }
        if let f = p.prefixField {
            return Wrap.line([Span("Allow commands starting with: ", t[.accent]), Span(f.withCaret, t[.text])], width: w)
                + [[Span("Enter allows it here and runs this one · Esc back", t[.dim])]]
        }
        var answers: [(KeyAction, String)] = [(.approve, "run"), (.refuse, "refuse"), (.refuseWithReason, "refuse with a reason"),
                                              (.allowTool, "allow \(p.call.name) in this conversation")]
        if p.commandLine != nil { answers.append((.allowPrefix, "allow commands with its prefix")) }
        // Each answer stays whole on one line.
        var lines: [StyledLine] = [[]]
        for (a, what) in answers {
            let key = Keymap.key(a, in: .approval)
            let gap = lines[lines.count - 1].isEmpty ? "" : "   "
            if lines[lines.count - 1].columns + CharWidth.of(gap + key + " " + what) > w, !gap.isEmpty { lines.append([]) }
            let sep = lines[lines.count - 1].isEmpty ? "" : "   "
            lines[lines.count - 1] += [Span(sep + key, t[.accent]), Span(" " + what, t[.text])]
        }
        return lines
    }
}

/// The approval panel's wrapped action, for the request and the width it was made for (pure memoization,
/// shared by copies of the state like `LayoutCache`).
public final class ApprovalCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entry: (request: ApprovalRequest, key: String, lines: [StyledLine])?
    public init() {}
    func lines(_ request: ApprovalRequest, key: String, make: () -> [StyledLine]) -> [StyledLine] {
        lock.lock(); defer { lock.unlock() }
        if let e = entry, e.key == key, e.request == request { return e.lines }
        let lines = make()
        entry = (request, key, lines)
        return lines
    }
}

func renderApproval(_ p: ApprovalPanel, _ s: AppState, into buf: inout Buffer) {
    let t = s.theme
    let v = ApprovalView(p, s)
    buf.fill(t[.background], x: 0, y: v.y0, w: s.width, h: v.height)   // no transcript text beside the box
    drawBox(title: v.title, footer: "Esc refuses · \(Keymap.key(.toggleFocus, in: .approval)) reads the transcript behind", x: v.x0, y: v.y0, w: v.width, h: v.height, theme: t, into: &buf)
    let x = v.x0 + 2, limit = v.x0 + v.width - 2
    var y = v.y0 + 1
    for l in v.header { buf.put(l, x: x, y: y, limit: limit); y += 1 }
    let offset = min(p.offset, v.maxOffset)
    for l in v.body.dropFirst(offset).prefix(v.rows) { buf.put(l, x: x, y: y, limit: limit); y += 1 }
    y = v.y0 + 1 + v.header.count + v.rows
    if let n = s.notice {
        // The notice line is under the panel: a refused answer says why here.
        buf.put(s.clip(n, style: t[.warning].with(.bold), width: v.width - 4), x: x, y: y, limit: limit)
    } else if v.body.count > v.rows {
        let last = offset + v.rows, below = v.below(offset)
        var pos: StyledLine = [Span("lines \(offset + 1)–\(last) of \(v.body.count)", t[.dim])]
        pos += below > 0 ? [Span(" · ", t[.dim]), Span("▼ more below (\(below) line\(below == 1 ? "" : "s"))", t[.warning].with(.bold))]
                         : [Span(" · end", t[.dim])]
        buf.put(pos, x: x, y: y, limit: limit)
    }
    y += 1
    for l in v.footer { buf.put(l, x: x, y: y, limit: limit); y += 1 }
}
