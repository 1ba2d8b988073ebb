// `@path` in the editor: the completion list of workspace files for the `@…` being typed at the end of the text
// (fuzzy: the letters in order, a match in the file name first), and the list itself (App walks the workspace).
import Chat

extension AppState {
    /// What the completion list shows: commands while a `/name` is typed, else files while an `@…` is.
    public var completions: [SlashCompletion] {
        let slash = slashCompletions
        return slash.isEmpty ? fileCompletions : slash
    }

    /// The `@…` word the caret ends (the caret at the end of the text), without its `@`.
    var mentionQuery: String? {
        guard focus == .input, overlay == nil, input.row == input.lines.count - 1, input.col == input.lines[input.row].count else { return nil }
        let text = input.text
        guard let at = text.lastIndex(where: { $0.isWhitespace || $0 == "@" }), text[at] == "@" else { return nil }
        guard at == text.startIndex || text[text.index(before: at)].isWhitespace else { return nil }
        return String(text[text.index(after: at)...])
    }

    /// Workspace files for the `@…` being typed, best first (at most 50).
    public var fileCompletions: [SlashCompletion] {
        guard let q = mentionQuery, !workspaceFiles.isEmpty else { return [] }
        let head = String(input.text.dropLast(q.count + 1))
        let ranked = workspaceFiles.compactMap { p in fuzzyScore(q, p).map { (p, $0) } }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.count < $1.0.count }
        return ranked.prefix(50).map { p, _ in SlashCompletion(name: "@" + p, arguments: "", summary: "", replacement: head + "@" + p + " ") }
    }
}

/// How well `query` matches `path`: nil unless its letters appear in order (case-insensitive); more for letters
/// in the file name, at word starts and next to each other.
func fuzzyScore(_ query: String, _ path: String) -> Int? {
    let q = Array(query.lowercased()), p = Array(path.lowercased())
    if q.isEmpty { return 0 }
    let nameStart = (p.lastIndex(of: "/") ?? -1) + 1
    var score = 0, qi = 0, last = -2
    for (i, ch) in p.enumerated() where qi < q.count && ch == q[qi] {
        score += 1
        if i >= nameStart { score += 2 }
        if i == last + 1 { score += 3 }
        if i == 0 || "/._-".contains(p[i - 1]) { score += 2 }
        last = i; qi += 1
    }
    guard qi == q.count else { return nil }
    // The whole query as a piece of the name counts most.
    if String(p[nameStart...]).contains(String(q)) { score += 10 }
    return score
}
