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

    static func assert(_ s: AppState, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let actual = text(s)
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

    /// Feeds events and returns all effects.
    @discardableResult
    static func feed(_ s: inout AppState, _ events: [Event]) -> [Effect] { events.flatMap { update(&s, $0) } }

    static func type(_ text: String) -> [Event] { text.map { .key(KeyPress(.char($0))) } }
    static func key(_ k: Key, alt: Bool = false) -> Event { .key(KeyPress(k, alt: alt)) }
}
