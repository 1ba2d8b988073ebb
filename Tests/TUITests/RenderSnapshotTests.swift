// Render snapshots (text files in Snapshots/): thinking open and closed, tool blocks, CJK wrap,
// narrow and wide terminals, streaming, overlays, terminal too small.
import XCTest
import Chat
@testable import TUI

final class RenderSnapshotTests: XCTestCase {
    func conversation(_ s: inout AppState) {
        var a = Fixture.assistant("Here is the fix:\n\n- edit `main.swift`\n- run **tests**\n\n```swift\nlet x = 1\n```",
                                  reasoning: "The user wants a fix.\nI will suggest editing main.swift.", id: "a1", reasoningTokens: 42, thinkingSeconds: 3.2)
        a.stats?.promptTokens = 1200; a.stats?.completionTokens = 300; a.stats?.prefillSeconds = 2; a.stats?.decodeSeconds = 15; a.stats?.ttftSeconds = 2.1
        s.messages = [Fixture.user("How do I fix the build?"), a]
        s.lastStats = a.stats
        s.contextUsed = 1500
        s.title = "Fix the build"
    }

    func testThinkingCollapsed() {
        var s = Fixture.state()
        conversation(&s)
        Snapshot.assert(s, "thinking-collapsed")
    }

    func testStylesFollowTheThemeSlots() {
        var s = Fixture.state(width: 50, height: 18)
        s.theme = .fallback
        conversation(&s)
        s.settings.expandThinking = true
        Snapshot.assert(s, "styles-dark", styles: true)
        Snapshot.assert(s, "styles-dark-text")
    }

    func testThinkingExpanded() {
        var s = Fixture.state()
        conversation(&s)
        s.settings.expandThinking = true
        Snapshot.assert(s, "thinking-expanded")
    }

    func testToolBlocks() {
        var s = Fixture.state(width: 70, height: 22)
        let c1 = ToolCall(id: "c1", name: "run", arguments: .object([("cmd", .string("ls -1"))]))
        let c2 = ToolCall(id: "c2", name: "run", arguments: .object([("cmd", .string("false"))]))
        var a = Fixture.assistant("", id: "a1"); a.toolCalls = [c1, c2]; a.finishReason = .toolCalls
        var r1 = Message.tool("a\nb\nc\nd\ne\nf", callID: "c1", name: "run"); r1.toolResult?.exitStatus = 0; r1.toolResult?.durationSeconds = 0.25
        var r2 = Message.tool("failed", callID: "c2", name: "run"); r2.toolResult?.exitStatus = 1; r2.toolResult?.durationSeconds = 1.5
        s.messages = [Fixture.user("list"), a, r1, r2]
        Snapshot.assert(s, "tool-collapsed")
        s.expanded["a1:tool:c1"] = true
        s.focus = .transcript
        s.selectedBlock = "a1:tool:c1"
        Snapshot.assert(s, "tool-expanded-selected")
    }

    func testCJKAndEmojiWrapNarrow() {
        var s = Fixture.state(width: 24, height: 14)
        s.messages = [Fixture.user("中文换行测试：每个汉字占两列"), Fixture.assistant("你好！表情 👨‍👩‍👧 和旗帜 🇯🇵 各占两列。Mixed English 和中文 text.")]
        s.input.insert("输入中文")
        Snapshot.assert(s, "cjk-wrap-narrow")
    }

    func testWideTerminal() {
        var s = Fixture.state(width: 120, height: 16)
        conversation(&s)
        Snapshot.assert(s, "wide-120")
    }

    func testReflowAfterResize() {
        var s = Fixture.state(width: 60, height: 20)
        conversation(&s)
        _ = update(&s, .resize(width: 32, height: 20))
        Snapshot.assert(s, "resized-32")
    }

    func testStreamingWithOpenThinking() {
        var s = Fixture.state()
        s.now = 0
        _ = Fixture.feed(&s, Fixture.type("Explain MoE") + [Fixture.key(.enter),
            .backend(.reasoning("Mixture of experts routes each token"), at: 1), .backend(.reasoning(" to a few experts."), at: 2.5), .tick(3)])
        Snapshot.assert(s, "streaming-thinking")
    }

    func testMultilineInputAndCaret() {
        var s = Fixture.state(width: 40, height: 12)
        _ = Fixture.feed(&s, Fixture.type("first line") + [Fixture.key(.ctrl("j"))] + Fixture.type("second 中文") + [Fixture.key(.left)])
        Snapshot.assert(s, "input-multiline")
    }

    func testOverlays() {
        var s = Fixture.state(width: 70, height: 34)
        conversation(&s)
        var help = s
        help.height = 38   // tall enough for the whole help, unscrolled
        help.overlay = .help
        Snapshot.assert(help, "overlay-help")
        var p = SessionPicker(all: [SessionEntry(id: "s1", title: "Fix the build", messageCount: 4),
                                    SessionEntry(id: "s2", title: "Tokenizer notes", messageCount: 12),
                                    SessionEntry(id: "s3", title: "old", damaged: "the file is not JSON")])
        p.selected = 1
        s.overlay = .sessions(p)
        Snapshot.assert(s, "overlay-sessions")
        let write = ToolCall(id: "c", name: "write_file", arguments: .object([("path", .string("a.txt")), ("content", .string("hi\n"))]))
        s.overlay = .approval(ApprovalPanel(ApprovalRequest(call: write, kind: .write, summary: "Create a.txt (1 lines)",
                                                            preview: TextDiff.preview("--- a/a.txt\n+++ b/a.txt\n@@ -0,0 +1,1 @@\n+hi\n", path: "a.txt", isNew: true))))
        Snapshot.assert(s, "overlay-approval")
        s.overlay = .settings(SettingsPanel())
        Snapshot.assert(s, "overlay-settings")
    }

    func testTerminalTooSmall() {
        var s = Fixture.state(width: 15, height: 4)
        conversation(&s)
        Snapshot.assert(s, "too-small")
    }

    func testScrolledUpShowsMarker() {
        var s = Fixture.state(width: 40, height: 10)
        s.messages = (0..<8).flatMap { i in [Fixture.user("q\(i)", id: "u\(i)"), Fixture.assistant("answer \(i)", id: "a\(i)")] }
        _ = update(&s, Fixture.key(.pageUp))
        Snapshot.assert(s, "scrolled-up")
    }

    func testEveryRowFitsAtManyWidths() {
        var s = Fixture.state()
        conversation(&s)
        s.messages.append(Fixture.user("中文 👨‍👩‍👧 🇯🇵 e\u{301} " + String(repeating: "long ", count: 30), id: "u9"))
        for w in stride(from: 20, through: 140, by: 7) {
            _ = update(&s, .resize(width: w, height: 30))
            var buf = Buffer(width: 0, height: 0)
            render(s, into: &buf)
            for y in 0..<buf.height {
                XCTAssertEqual(CharWidth.of(buf.rowText(y)), w, "row \(y) at width \(w)")
            }
        }
    }
}

final class HelpScrollTests: XCTestCase {
    func testShortScreenScrollsTheHelp() {
        var s = Fixture.state(width: 60, height: 14)
        _ = update(&s, Fixture.key(.function(1)))
        let top = Snapshot.text(s)
        XCTAssertTrue(top.contains("↑↓ scroll"))
        XCTAssertTrue(top.contains("Anywhere"))
        let last = Keymap.helpSections.last!.keys.last!.1
        XCTAssertFalse(top.contains(last))
        for _ in 0..<100 { _ = update(&s, Fixture.key(.down)) }
        let bottom = Snapshot.text(s)
        XCTAssertTrue(bottom.contains(last))
        XCTAssertFalse(bottom.contains("Anywhere"))
        XCTAssertEqual(s.helpOffset, Keymap.helpMaxOffset(height: 14))
        _ = update(&s, Fixture.key(.up))
        XCTAssertEqual(s.helpOffset, Keymap.helpMaxOffset(height: 14) - 1)
        _ = update(&s, Fixture.key(.escape))
        XCTAssertNil(s.overlay)
        XCTAssertEqual(s.helpOffset, 0)
    }
}
