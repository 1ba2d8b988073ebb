// Lays the conversation out as blocks of styled lines at a width: user and assistant messages,
// thinking blocks (open/closed, header with tokens, time, first line), tool blocks, notices.
import Foundation
import Chat

public enum BlockKind: Equatable, Sendable { case user, answer, thinking, tool, note, truncation, queued }

public struct Block: Sendable {
    public var key: String
    public var kind: BlockKind
    public var lines: [StyledLine]
    /// Can be opened and closed.
    public var collapsible: Bool
    /// What `y` copies.
    public var copyText: String
    /// Blank line above (between messages).
    public var gapBefore: Bool
    /// For collapsible blocks: shown open.
    public var open: Bool = false
}

public struct TranscriptLayout: Sendable {
    public var blocks: [Block]
    /// First row of each block in `rows`.
    public var starts: [Int]
    public var rows: [StyledLine]
    /// Index in `blocks` for each row.
    public var rowBlock: [Int]

    public func blockIndex(_ key: String?) -> Int? { key.flatMap { k in blocks.firstIndex { $0.key == k } } }
}

extension AppState {
    /// Columns for transcript text: a selection gutter of 2 on the left, 1 free on the right.
    public var transcriptTextWidth: Int { max(8, width - 3) }

    public func isExpanded(_ key: String, default d: Bool) -> Bool { expanded[key] ?? d }

    /// Whether a thinking block is open: the user's choice, else open while it streams, else Ctrl-T's view, else the setting.
    func thinkingOpen(_ key: String, streamingReasoning: Bool) -> Bool {
        if let e = expanded[key] { return e }
        if streamingReasoning { return true }
        return showThinking ?? settings.expandThinking
    }

    public func layoutTranscript() -> TranscriptLayout {
        let w = transcriptTextWidth
        let t = theme
        var blocks: [Block] = systemBlocks()
        let toolResults: [String: Message] = Dictionary(messages.compactMap { m in m.toolResult.map { ($0.callID, m) } }, uniquingKeysWith: { a, _ in a })
        // Where the summary goes: after the messages it covers (or is being written for); at the top when set aside.
        let summaryAt = compacting?.end ?? (compaction == nil ? nil : compactionEnd ?? 0)
        let summarised = compacting == nil ? compactionEnd ?? 0 : 0
        var summaryShown = summaryAt == nil
        for (mi, m) in messages.enumerated() where m.role != .system && m.role != .tool {
            if !summaryShown, let at = summaryAt, mi >= at { blocks += summaryBlocks(hasBefore: !blocks.isEmpty); summaryShown = true }
            if mi >= droppedMessages, droppedMessages > summarised, !blocks.contains(where: { $0.kind == .truncation }) {
                // The line between what the model no longer sees (above) and what it gets (below).
                let turns = messages[min(summarised, droppedMessages)..<droppedMessages].filter { $0.role == .user }.count
                let text = "⋯ \(turns) earlier turn\(turns == 1 ? " is" : "s are") not sent to the model (context full) — select and press Enter to view"
                blocks.append(Block(key: "truncation", kind: .truncation, lines: Wrap.text(text, style: t[.warning], width: w), collapsible: false, copyText: text, gapBefore: !blocks.isEmpty))
            }
            let live = streaming?.messageIndex == mi
            let sig = live ? nil : signature(m, toolResults: toolResults, hasBefore: !blocks.isEmpty)
            if let sig, let cached = layoutCache.get(m.id, sig) { blocks += cached; continue }
            let mb = messageBlocks(m, live: live, toolResults: toolResults, hasBefore: !blocks.isEmpty)
            if let sig { layoutCache.put(m.id, sig, mb) }
            blocks += mb
        }
        if !summaryShown { blocks += summaryBlocks(hasBefore: !blocks.isEmpty) }
        blocks += queuedBlocks(hasBefore: !blocks.isEmpty)
        var rows: [StyledLine] = [], starts: [Int] = [], rowBlock: [Int] = []
        for (bi, b) in blocks.enumerated() {
            if b.gapBefore { rows.append([]); rowBlock.append(bi) }
            starts.append(rows.count)
            rows += b.lines
            rowBlock += Array(repeating: bi, count: b.lines.count)
        }
        return TranscriptLayout(blocks: blocks, starts: starts, rows: rows, rowBlock: rowBlock)
    }

    /// What decides how a finished message looks; nil when it depends on live state (not cached).
    func signature(_ m: Message, toolResults: [String: Message], hasBefore: Bool) -> String? {
        var sig = "\(transcriptTextWidth)|\(theme.name)|\(hasBefore)|\(m.content.utf8.count)|\(m.reasoning?.utf8.count ?? -1)|\(m.finishReason?.rawValue ?? "")"
        if m.reasoning != nil { sig += "|t\(thinkingOpen(m.id + ":thinking", streamingReasoning: false))" }
        for c in m.toolCalls {
            guard let r = toolResults[c.id] else { return nil }
            let tr = r.toolResult
            sig += "|\(c.id):\(r.content.utf8.count):\(tr?.exitStatus ?? -1):\(tr?.denied ?? false):\(tr?.stopped ?? false):\(tr?.undone ?? false)"
            sig += ":\(isExpanded(m.id + ":tool:" + c.id, default: false))"
        }
        if let n = messageNotes[m.id] { sig += "|n\(n.count)/\(earlyNotes[m.id] ?? 0)" }
        if m.role == .user { sig += "|o\(isExpanded(m.id, default: false))" }
        for i in m.attachments.indices { sig += "|f\(isExpanded(m.id + ":file:\(i)", default: false))" }
        if m.versions != nil { sig += "|v\(m.versionIndex)/\(m.versionCount)" }
        return sig
    }

    /// Errors and warnings shown under a message (a failed reply, a retry with a shorter prompt).
    func noteBlocks(_ m: Message, _ range: PartialRangeFrom<Int> = 0...) -> [Block] {
        noteBlocks(m, range.lowerBound..<(messageNotes[m.id]?.count ?? 0))
    }

    func noteBlocks(_ m: Message, _ range: Range<Int>) -> [Block] {
        guard let notes = messageNotes[m.id], !range.isEmpty else { return [] }
        return range.clamped(to: notes.indices).map { i in
            let n = notes[i]
            let st = n.hasPrefix("✗") ? theme[.error] : theme[.warning]
            return Block(key: m.id + ":note:\(i)", kind: .note, lines: Wrap.text(n, style: st, width: transcriptTextWidth), collapsible: false, copyText: n, gapBefore: false)
        }
    }

    /// The blocks of one message (not system or tool messages).
    func messageBlocks(_ m: Message, live: Bool, toolResults: [String: Message], hasBefore: Bool) -> [Block] {
        let w = transcriptTextWidth
        let t = theme
        var blocks: [Block] = []
        switch m.role {
        case .system, .tool:
            return []
        case .user:
            // A long message (a paste) is folded to its first lines; Enter on it opens it.
            var body = Substring(m.content)
            while body.hasSuffix("\n") { body = body.dropLast() }
            let all = body.split(separator: "\n", omittingEmptySubsequences: false)
            let folds = all.count > Self.foldedMessageLines
            let open = !folds || isExpanded(m.id, default: false)
            let text = open ? m.content : all.prefix(Self.foldedPreviewLines).joined(separator: "\n")
            var lines: [StyledLine] = []
            for (i, l) in Wrap.text(text, style: t[.user], width: w - 2).enumerated() {
                lines.append([Span(i == 0 ? "› " : "  ", t[.user])] + l)
            }
            if folds {
                let more = all.count - Self.foldedPreviewLines
                lines.append([Span(open ? "  ▾ \(all.count) lines (Enter folds it)" : "  ▸ … \(more) more lines, \(all.count) in all (select and press Enter)", t[.dim])])
            }
            blocks.append(Block(key: m.id, kind: .user, lines: lines, collapsible: folds, copyText: m.content, gapBefore: hasBefore, open: open))
            blocks += attachmentBlocks(m)
            blocks += versionBlocks(m)
            blocks += noteBlocks(m)
        case .assistant:
            var first = true
            if let r = m.reasoning, !r.isEmpty {
                let key = m.id + ":thinking"
                let streamingReasoning = live && m.content.isEmpty && m.toolCalls.isEmpty
                let open = thinkingOpen(key, streamingReasoning: streamingReasoning)
                blocks.append(Block(key: key, kind: .thinking, lines: thinkingLines(m, open: open, live: streamingReasoning, width: w),
                                    collapsible: true, copyText: r, gapBefore: hasBefore, open: open))
                first = false
            }
            // Warnings that came before the answer are drawn before it.
            let early = earlyNotes[m.id] ?? 0
            if early > 0 {
                var nb = noteBlocks(m, 0..<early)
                if first, hasBefore, !nb.isEmpty { nb[0].gapBefore = true }
                blocks += nb
                first = nb.isEmpty && first
            }
            if !m.content.isEmpty || (live && m.reasoning == nil && m.toolCalls.isEmpty) {
                var lines = live ? liveCache.render(m, width: w, theme: t) : Markdown.render(m.content, width: w, base: t[.assistant], theme: t)
                if live { lines = lines.isEmpty ? [[Span("▍", t[.accent])]] : lines }
                if live, let sr = streaming, sr.firstTokenAt == nil {
                    if let p = sr.prefill, p.total > 0 {
                        lines = [[Span("⋯ reading the prompt ", t[.dim]), Span(p.bar(width: max(4, min(30, w - 36))), t[.accent]),
                                  Span(" \(p.percent)% · Esc stops", t[.dim])]]
                    } else {
                        lines = [[Span("⋯ waiting for the model", t[.dim])]]
                    }
                }
                // A blank line under the thinking too, so the answer does not read as part of it.
                let afterThinking = blocks.last?.kind == .thinking
                blocks.append(Block(key: m.id, kind: .answer, lines: lines, collapsible: false, copyText: m.content,
                                    gapBefore: (first && hasBefore) || afterThinking))
            }
            for call in m.toolCalls {
                let key = m.id + ":tool:" + call.id
                let result = toolResults[call.id]
                let open = isExpanded(key, default: false)
                blocks.append(Block(key: key, kind: .tool, lines: toolLines(call, result: result, open: open, width: w),
                                    collapsible: true, copyText: result?.content ?? call.arguments.serialized(), gapBefore: false, open: open))
            }
            blocks += versionBlocks(m)
            blocks += noteBlocks(m, early...)
            if m.finishReason == .cancelled || m.finishReason == .length || m.finishReason == .loop {
                let why = m.finishReason == .cancelled ? "stopped by you" : m.finishReason == .length ? "stopped at the token limit" : "stopped: the model was repeating itself"
                let hint = m.id == messages.last?.id && m.finishReason != .loop && m.toolCalls.isEmpty ? " · c continues it (in the transcript)" : ""
                blocks.append(Block(key: m.id + ":end", kind: .note, lines: Wrap.line([Span("⏹ " + why, t[.dim]), Span(hint, t[.dim])], width: w),
                                    collapsible: false, copyText: why, gapBefore: false))
            }
        }
        return blocks
    }

    func thinkingLines(_ m: Message, open: Bool, live: Bool, width w: Int) -> [StyledLine] {
        let t = theme
        let r = m.reasoning ?? ""
        var parts: [String] = []
        var tokens = m.stats?.reasoningTokens
        var seconds = m.stats?.thinkingSeconds
        if let s = streaming, s.messageIndex == messages.firstIndex(where: { $0.id == m.id }) {
            tokens = tokens ?? s.reasoningChunks
            if let a = s.reasoningStartAt { seconds = seconds ?? ((s.reasoningEndAt ?? now) - a) }
        }
        if let n = tokens { parts.append("\(n) token\(n == 1 ? "" : "s")") }
        if let sec = seconds { parts.append(formatSeconds(sec)) }
        let label = (open ? "▾ " : "▸ ") + (live ? "Thinking…" : "Thought")
        var header = ([label] + parts).joined(separator: " · ")
        if !open {
            let firstLine = r.split(separator: "\n").first.map { String($0).trimming(" ") } ?? ""
            header += " · " + firstLine
        }
        var lines: [StyledLine] = [clip(header, style: t[.thinking].with(.bold), width: w)]
        if open {
            let text = live ? String(r.drop(while: { $0 == "\n" })) : r.trimming("\n")
            let body = live
                ? liveThinkingCache.render(text, key: "\(m.id)|\(w)|\(t.name)") { piece, _ in Wrap.text(piece, style: t[.thinking], width: w - 2) }
                : Wrap.text(text, style: t[.thinking], width: w - 2)
            for l in body { lines.append([Span("│ ", t[.dim])] + l) }
        }
        return lines
    }

    func toolLines(_ call: ToolCall, result: Message?, open: Bool, width w: Int) -> [StyledLine] {
        let t = theme
        var status: String
        var statusStyle = t[.dim]
        if let r = result, let tr = r.toolResult {
            if tr.denied == true { status = "denied"; statusStyle = t[.warning] }
            else if tr.stopped == true {
                status = "stopped by you" + (tr.durationSeconds.map { " after " + format1($0) + " s" } ?? "")
                statusStyle = t[.warning]
            } else {
                let code = tr.exitStatus ?? 0
                status = code == 0 ? "✓ done" : "✗ exit \(code)"
                if code != 0 { statusStyle = t[.error] }
                if let d = tr.durationSeconds { status += " · " + formatSeconds(d) }
            }
            if tr.undone == true { status += " · ↶ undone" }
        } else if runningTool?.id == call.id {
            status = "running… " + format1(now - (runningToolStartedAt ?? now)) + " s · \(Keymap.key(.stop)) stops"
        }
        else if case .approval(let p) = overlay, p.call.id == call.id { status = "waiting for your approval"; statusStyle = t[.warning] }
        else if pendingTools.contains(where: { $0.id == call.id }) { status = "queued" }
        else { status = "not run" }
        let args = (call.arguments.objectValue ?? []).map { k, v in "\(k): \(v.stringValue.map { "\"\($0)\"" } ?? v.serialized())" }.joined(separator: ", ")
        // One line, nothing hidden: long runs of spaces, newlines and control characters made visible.
        let shownArgs = VisibleText.command(args).replacingOccurrences(of: "↵\n", with: "↵")
        var header = clip("⚙ \(call.name)(\(shownArgs))", style: t[.tool].with(.bold), width: max(8, w - CharWidth.of(status) - 3))
        header += [Span(" · ", t[.dim]), Span(status, statusStyle)]
        var lines: [StyledLine] = [header]
        if result == nil, runningTool?.id == call.id, let live = liveToolOutput[call.id], !live.isEmpty {
            // The last lines of what it prints, as it prints them (a progress bar's "\r" redraws its line, as in a terminal).
            let last = String(live.suffix(8192)).trimming("\n").split(separator: "\n", omittingEmptySubsequences: false)
                .suffix(Self.liveToolLines).map { $0.split(separator: "\r", omittingEmptySubsequences: false).last.map(String.init) ?? "" }
            let tail = Wrap.text(VisibleText.controls(last.joined(separator: "\n")), style: t[.dim], width: w - 2, words: false).suffix(Self.liveToolLines)
            for l in tail { lines.append([Span("┆ ", t[.dim])] + l) }
        }
        guard let out = result?.content, !out.isEmpty else { return lines }
        // Counted in the output's own lines. Folded: its first lines, one row each; open: all of it, wrapped at
        // spaces where it can be, a wrapped line's further rows marked ↪.
        let outLines = out.trimming("\n").split(separator: "\n", omittingEmptySubsequences: false)
        let shown = open ? outLines[...] : outLines.prefix(3)
        for line in shown {
            if !open { lines.append([Span("│ ", t[.dim])] + clip(String(line), style: t[.text], width: w - 2)); continue }
            for (k, row) in Wrap.line([Span(String(line), t[.text])], width: w - 4).enumerated() {
                lines.append([Span(k == 0 ? "│ " : "│ ↪ ", t[.dim])] + row)
            }
        }
        if outLines.count > shown.count {
            let more = outLines.count - shown.count
            lines.append([Span("└ … \(more) more line\(more == 1 ? "" : "s") (select and press Enter)", t[.dim])])
        }
        if result?.toolResult?.truncated == true { lines.append([Span("└ output was cut off before it was stored", t[.warning])]) }
        return lines
    }

    /// Rows of a running tool's output shown under its header.
    static let liveToolLines = 10
    /// A user message longer than this many lines is shown folded, its first `foldedPreviewLines` lines.
    static let foldedMessageLines = 12
    static let foldedPreviewLines = 3

    func clip(_ s: String, style: Style, width: Int) -> StyledLine {
        CharWidth.of(s) <= width ? [Span(s, style)] : cutWithEllipsis([Span(s, style)], width: width)
    }
}

func formatSeconds(_ seconds: Double) -> String {
    let s = seconds.isFinite ? max(0, seconds) : 0
    if s < 10 { return String(format1(s)) + "s" }
    if s < 60 { return "\(Int(s.rounded()))s" }
    return "\(Int(s) / 60)m\(String(format: "%02d", Int(s) % 60))s"
}

func format1(_ x: Double) -> String {
    guard x.isFinite, x >= 0 else { return "0.0" }
    let v = (x * 10).rounded() / 10
    let i = Int(v)
    return "\(i).\(Int(((v - Double(i)) * 10).rounded()))"
}

/// Laid-out blocks of finished messages, keyed by message id and a signature of everything that
/// changes their look (width, theme, lengths, open/closed), so a long transcript is not re-wrapped
/// on every streamed token.
public final class LayoutCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (sig: String, blocks: [Block])] = [:]
    public init() {}
    func get(_ id: String, _ sig: String) -> [Block]? {
        lock.lock(); defer { lock.unlock() }
        guard let e = entries[id], e.sig == sig else { return nil }
        return e.blocks
    }
    func put(_ id: String, _ sig: String, _ blocks: [Block]) {
        lock.lock(); defer { lock.unlock() }
        if entries.count > 5000 { entries.removeAll() }
        entries[id] = (sig, blocks)
    }
}

/// Lines of text that only grows (a streaming reply or its thinking), rendered a line at a time: each
/// new token only re-renders the text after the last newline, so long replies stream at a constant cost.
public final class LivePrefixCache: @unchecked Sendable {
    private let lock = NSLock()
    private var key = ""
    private var prefixCount = 0          // UTF-8 bytes of text rendered into `lines`
    private var lines: [StyledLine] = []
    private var state = false
    public init() {}

    /// `piece` renders text without newlines at its ends, from and to a carried state (e.g. inside a fence).
    func render(_ text: String, key k: String, piece: (String, inout Bool) -> [StyledLine]) -> [StyledLine] {
        lock.lock(); defer { lock.unlock() }
        let bytes = text.utf8
        if k != key || prefixCount > bytes.count { key = k; prefixCount = 0; lines = []; state = false }
        if let lastNL = bytes.lastIndex(of: UInt8(ascii: "\n")) {
            let end = bytes.distance(from: bytes.startIndex, to: lastNL) + 1
            if end > prefixCount {
                let from = bytes.index(bytes.startIndex, offsetBy: prefixCount)
                lines += piece(String(decoding: bytes[from..<lastNL], as: UTF8.self), &state)
                prefixCount = end
            }
        }
        var st = state
        let tail = String(decoding: bytes[bytes.index(bytes.startIndex, offsetBy: prefixCount)...], as: UTF8.self)
        if prefixCount == 0 && tail.isEmpty { return [] }
        return lines + piece(tail, &st)
    }
}

/// The streaming reply as Markdown.
public final class LiveMarkdownCache: @unchecked Sendable {
    let cache = MarkdownStreamCache()
    public init() {}
    func render(_ m: Message, width: Int, theme: Theme) -> [StyledLine] {
        cache.render(m.content, key: "\(m.id)|\(width)|\(theme.name)", width: width, base: theme[.assistant], theme: theme)
    }
}
