// Render snapshots as text files under Tests/TUITests/Snapshots/. Compared line by line; re-recorded
// only when GLMCHAT_RECORD_SNAPSHOTS=1 is set by hand (never in CI: scripts/test does not set it).
import XCTest
import Foundation
import Chat
@testable import TUI

enum Snapshot {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    static func text(_ s: AppState) -> String {
        var buf = Buffer(width: 0, height: 0)
        render(s, into: &buf)
        var out = buf.lines.map { $0 + "|" }
        out.append("cursor: " + (buf.cursor.map { "\($0.x),\($0.y)" } ?? "hidden"))
        return out.joined(separator: "\n") + "\n"
    }

    /// One letter per cell naming the theme slot its style comes from (upper case when bold was added,
    /// '?' for a style no slot explains): checks that blocks get their semantic colours.
    static func styles(_ s: AppState) -> String {
        var buf = Buffer(width: 0, height: 0)
        render(s, into: &buf)
        // Specific slots first: several may share one style (the dark theme's text, assistant and background).
        let letters: [(ThemeSlot, Character)] = [(.user, "u"), (.assistant, "a"), (.thinking, "t"), (.tool, "o"),
            (.keyword, "k"), (.string, "q"), (.comment, "m"), (.number, "n"), (.type, "y"), (.code, "c"),
            (.accent, "e"), (.warning, "w"), (.error, "r"), (.status, "s"), (.dim, "d"), (.text, "x"), (.background, ".")]
        var rows: [String] = []
        for y in 0..<buf.height {
            var row = ""
            for x in 0..<buf.width where buf[x, y].width > 0 {
                let st = buf[x, y].style
                var ch: Character = "?"
                if let l = letters.first(where: { s.theme[$0.0] == st }) { ch = l.1 }
                else if let l = letters.first(where: { s.theme[$0.0].with(.bold) == st }) { ch = Character(l.1.uppercased()) }
                // A code token highlighted on another background (a diff's context or removed line).
                else if let l = letters.first(where: { ThemeSlot.codeTokens.contains($0.0) && s.theme[$0.0].on(st.bg) == st }) { ch = l.1 }
                row.append(ch)
            }
            rows.append(row)
        }
        return rows.joined(separator: "\n") + "\n"
    }

    static func assert(_ s: AppState, _ name: String, styles: Bool = false, file: StaticString = #filePath, line: UInt = #line) {
        let actual = styles ? Snapshot.styles(s) : text(s)
        let url = dir.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["GLMCHAT_RECORD_SNAPSHOTS"] == "1" {
            try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            XCTFail("snapshot \(name).txt is missing; record it with GLMCHAT_RECORD_SNAPSHOTS=1 and review it", file: file, line: line)
            return
        }
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false), e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(a.count, e.count) where a[safe: i] != e[safe: i] {
            XCTFail("snapshot \(name) differs at line \(i + 1):\n expected: \(e[safe: i].map(String.init) ?? "<none>")\n   actual: \(a[safe: i].map(String.init) ?? "<none>")", file: file, line: line)
            return
        }
    }
}

/// One token per 4 bytes, marked approximate (as the remote backend's estimate is).
struct QuarterCounter: TokenCounter {
    func countTokens(_ text: String) -> Int { text.utf8.count / 4 }
    var isExact: Bool { false }
}

/// Builders for states used by several tests.
enum Fixture {
    static func state(width: Int = 60, height: Int = 20) -> AppState {
        var s = AppState(modelName: "test-model", contextLength: 8192, theme: .plain, width: width, height: height)
        s.now = 100
        return s
    }

    static func assistant(_ content: String, reasoning: String? = nil, id: String = "a1", reasoningTokens: Int? = nil, thinkingSeconds: Double? = nil) -> Message {
        var m = Message(id: id, role: .assistant, content: content, reasoning: reasoning, finishReason: .stop, created: nil)
        var st = GenerationStats()
        st.reasoningTokens = reasoningTokens; st.thinkingSeconds = thinkingSeconds
        m.stats = st
        return m
    }

    static func user(_ text: String, id: String = "u1") -> Message { Message(id: id, role: .user, content: text, created: nil) }

    /// Feeds events and returns all effects. A `prepareTool` effect is answered at once as the coding tools
    /// answer a valid call (its kind by name, unknown names as commands, the arguments as the preview).
    @discardableResult
    static func feed(_ s: inout AppState, _ events: [Event]) -> [Effect] {
        events.flatMap { e -> [Effect] in
            let fx = update(&s, e)
            return fx + fx.flatMap { f -> [Effect] in
                guard case .prepareTool(let call) = f else { return [] }
                return feed(&s, [.toolPrepared(call, .ready(request(call)))])
            }
        }
    }

    static func request(_ call: ToolCall) -> ApprovalRequest {
        ApprovalRequest(call: call, kind: CodingTools.kind(of: call.name) ?? .run, summary: call.name, preview: .arguments(call.arguments.serialized(.pretty)))
    }

    /// The rendered screen's rows.
    static func screen(_ s: AppState) -> [String] {
        var buf = Buffer(width: 0, height: 0)
        render(s, into: &buf)
        return buf.lines
    }

    static func type(_ text: String) -> [Event] { text.map { .key(KeyPress(.char($0))) } }

    /// Does what a backend does with the request in `effects`: fits it (ChatML, `counter`, the state's context)
    /// and reports the fit. Returns the request.
    @discardableResult
    static func fit(_ s: inout AppState, _ effects: [Effect], counter: TokenCounter) -> ChatRequest? {
        guard let req = effects.lazy.compactMap({ if case .send(let r) = $0 { return r }; return nil }).first else { return nil }
        let fitter = PromptFitter(template: .chatML(defaultSystemPrompt: nil), counter: counter, contextLength: s.contextLength)
        feed(&s, [.backend(.promptFitted(fitter.fit(req).fit), at: s.now)])
        return req
    }
    static func key(_ k: Key, alt: Bool = false) -> Event { .key(KeyPress(k, alt: alt)) }

    /// README.md's text between the marker lines `begin` and `end` (a generated section), nil when it lacks them.
    static func readmeSection(_ name: String, from source: String) throws -> String? {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md").path
        let text = try String(contentsOfFile: readme, encoding: .utf8)
        let begin = "<!-- \(name): generated from \(source) -->\n\n", end = "\n\n<!-- /\(name) -->"
        guard let a = text.range(of: begin), let b = text.range(of: end, range: a.upperBound..<text.endIndex) else { return nil }
        return String(text[a.upperBound..<b.lowerBound])
    }
}
