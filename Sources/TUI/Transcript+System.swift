// Folded and small blocks around the messages: at the top, what the model is told before the conversation (the
// conversation's own system prompt, the workspace's instructions file), each with its source, opened with Enter;
// under a message, its attached files and the line saying it has other versions; where the messages a compaction
// covers end, its summary (streamed open while the model writes it).
import Chat

extension AppState {
    func systemBlocks() -> [Block] {
        var out: [Block] = []
        if let sys = messages.first, sys.role == .system, !sys.content.isEmpty {
            out.append(foldedBlock(key: "system-prompt", title: "System prompt", detail: "\(sys.content.count) characters", text: sys.content))
        }
        if let i = instructions {
            var detail = "\(i.source) · \(sizeText(i.fileBytes))"
            if i.truncated { detail += " (\(sizeText(ProjectInstructions.maxBytes)) sent)" }
            out.append(foldedBlock(key: "instructions", title: "Instructions", detail: detail, text: i.text))
        }
        for k in out.indices { out[k].gapBefore = k > 0 }
        return out
    }

    /// A user message's attached files, folded: path, size and about how many tokens.
    func attachmentBlocks(_ m: Message) -> [Block] {
        m.attachments.enumerated().map { i, a in
            var detail = sizeText(a.fileBytes) + " · ~\(grouped((a.text.utf8.count + 3) / 4)) tokens"
            if a.truncated { detail += " (\(sizeText(Attachment.maxBytes)) attached)" }
            return foldedBlock(key: m.id + ":file:\(i)", title: "📎 " + a.path, detail: detail, text: a.text)
        }
    }

    /// "‹ 2/3 ›" under a message that has other versions (an edit, a regenerated reply), with how to switch.
    func versionBlocks(_ m: Message) -> [Block] {
        guard m.versions != nil else { return [] }
        let what = m.role == .user ? "edited" : "regenerated"
        let earlier = m.versionCount - 1
        let text = "‹ \(m.versionIndex + 1)/\(m.versionCount) › \(what) — \(earlier) other version\(earlier == 1 ? "" : "s") (select, ←/→ to switch)"
        return [Block(key: m.id + ":versions", kind: .note, lines: [clip(text, style: theme[.dim], width: transcriptTextWidth)],
                      collapsible: false, copyText: text, gapBefore: false)]
    }

    /// The summary of the earlier messages, where they end: `▸ Summary of 42 earlier messages · 1.2 KB`, opened with
    /// Enter, edited with `e`; while the model writes it, open with the text so far. Also the line saying a summary
    /// is set aside because a message it covers was changed (a new version).
    func summaryBlocks(hasBefore: Bool) -> [Block] {
        var out: [Block] = []
        if let run = compacting {
            let n = messages.prefix(run.end).filter { $0.role != .system }.count
            let what = run.stopping ? "stopping…" : "\(Keymap.key(.stop)) stops"
            out.append(foldedBlock(key: "summary", title: "Summarising \(n) earlier message\(n == 1 ? "" : "s")…",
                                   detail: what, text: run.text.isEmpty ? waiting(run) : run.text, open: true))
        } else if let c = compaction, let end = compactionEnd {
            let n = messages.prefix(end).filter { $0.role != .system }.count
            let detail = sizeText(c.summary.utf8.count) + (c.edited ? " · edited" : "")
            out.append(foldedBlock(key: "summary", title: "Summary of \(n) earlier message\(n == 1 ? "" : "s")", detail: detail, text: c.summary))
        } else if compaction != nil {
            let text = "The summary is set aside: a message it covers was edited or regenerated (/compact makes a new one, /compact drop removes it)"
            out.append(Block(key: "summary", kind: .note, lines: Wrap.text(text, style: theme[.dim], width: transcriptTextWidth), collapsible: false,
                             copyText: compaction?.summary ?? "", gapBefore: false))
        }
        if let first = out.indices.first { out[first].gapBefore = hasBefore }
        return out
    }

    /// What the summary block says before the model's first words: how much of the request it has read.
    private func waiting(_ run: CompactionRun) -> String {
        guard let r = run.read, r.total > 0, r.done < r.total else { return "⋯ waiting for the model" }
        return "⋯ reading the conversation: \(grouped(r.done)) / \(grouped(r.total)) tokens"
    }

    /// A block shown as one header line until opened (then its text follows, marked at the left).
    private func foldedBlock(key: String, title: String, detail: String, text: String, open openByDefault: Bool = false) -> Block {
        let t = theme, w = transcriptTextWidth
        let open = isExpanded(key, default: openByDefault)
        var lines: [StyledLine] = [clip((open ? "▾ " : "▸ ") + title + " · " + detail, style: t[.dim].with(.bold), width: w)]
        if open { for l in Wrap.text(text.trimming("\n"), style: t[.dim], width: w - 2) { lines.append([Span("│ ", t[.dim])] + l) } }
        return Block(key: key, kind: .note, lines: lines, collapsible: true, copyText: text, gapBefore: false, open: open)
    }
}

/// 1234 → "1.2 KB", 512 → "512 bytes".
func sizeText(_ bytes: Int) -> String {
    if bytes < 1024 { return "\(bytes) bytes" }
    if bytes < 1024 * 1024 { return format1(Double(bytes) / 1024).replacingOccurrences(of: ".0", with: "") + " KB" }
    return format1(Double(bytes) / 1048576).replacingOccurrences(of: ".0", with: "") + " MB"
}
