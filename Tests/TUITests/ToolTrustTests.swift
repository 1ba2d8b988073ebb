// Tools you can trust, outside the approval panel: plan mode (write and run tools not offered, a call that
// comes anyway refused, `plan` in the status bar), Ctrl-Z undo and the "↶ undone" mark, a running tool's
// live output and stop, and the pure helpers (visible command text, command rules).
import XCTest
import Chat
@testable import TUI

final class ToolTrustTests: XCTestCase {
    func toolNames(_ r: ChatRequest?) -> [String] { (r?.tools ?? []).compactMap { $0["function"]?["name"]?.stringValue } }
    func sends(_ fx: [Effect]) -> [ChatRequest] { fx.compactMap { if case .send(let r) = $0 { return r }; return nil } }

    // MARK: plan mode

    func testPlanModeOffersOnlyTheReadingToolsAndShowsPlan() {
        var s = Fixture.state(width: 80)
        s.tools = CodingTools.declarations
        var fx = Fixture.feed(&s, [Fixture.key(.backTab)] + Fixture.type("go") + [Fixture.key(.enter)])
        XCTAssertTrue(s.planMode)
        XCTAssertEqual(Set(toolNames(sends(fx).first)), ["read_file", "list_dir", "search"])
        XCTAssertTrue(Fixture.screen(s).last?.contains("plan") ?? false, Fixture.screen(s).last ?? "")
        Fixture.feed(&s, [.backend(.finished(.stop), at: 1), Fixture.key(.backTab)])
        XCTAssertFalse(s.planMode)
        fx = Fixture.feed(&s, Fixture.type("again") + [Fixture.key(.enter)])
        XCTAssertEqual(toolNames(sends(fx).first).count, CodingTools.names.count)
        XCTAssertFalse(Fixture.screen(s).last?.contains("plan") ?? true)
    }

    func testAWriteCallInPlanModeIsRefusedWithoutAsking() {
        var s = Fixture.state()
        s.planMode = true
        let write = ToolCall(id: "w1", name: "write_file", arguments: .object([("path", .string("a")), ("content", .string("x"))]))
        let read = ToolCall(id: "r1", name: "read_file", arguments: .object([("path", .string("a"))]))
        Fixture.feed(&s, Fixture.type("go") + [Fixture.key(.enter), .backend(.toolCall(write), at: 1), .backend(.toolCall(read), at: 1)])
        let fx = update(&s, .backend(.finished(.toolCalls), at: 2))
        XCTAssertNil(s.overlay)
        let refusal = s.messages.last { $0.toolResult?.callID == "w1" }
        XCTAssertEqual(refusal?.toolResult?.denied, true)
        XCTAssertTrue(refusal?.content.hasPrefix("plan mode: write_file is not available") ?? false)
        XCTAssertTrue(refusal?.content.hasSuffix("describe the change instead") ?? false)
        // The read still runs (prepared next).
        XCTAssertTrue(fx.contains { if case .prepareTool(let c) = $0 { return c.id == "r1" }; return false })
    }

    func testPlanModeIsASettingsRow() {
        var s = Fixture.state()
        var p = SettingsPanel(); p.selected = .planMode
        s.overlay = .settings(p)
        Fixture.feed(&s, [Fixture.key(.enter)])
        XCTAssertTrue(s.planMode)
        XCTAssertEqual(SettingsRow.planMode.value(in: s), "on: reads only")
    }

    // MARK: undo

    func conversationWithAWrite() -> AppState {
        var s = Fixture.state()
        let call = ToolCall(id: "c1", name: "write_file", arguments: .object([("path", .string("src/a.swift")), ("content", .string("x"))]))
        var a = Fixture.assistant("")
        a.toolCalls = [call]
        s.messages = [Fixture.user("go"), a, .tool("wrote src/a.swift", callID: "c1", name: "write_file")]
        s.sessionID = "s1"
        return s
    }

    func testCtrlZAsksForTheUndoAndMarksTheCallUndone() {
        var s = conversationWithAWrite()
        var fx = Fixture.feed(&s, [Fixture.key(.ctrl("z"))])
        XCTAssertTrue(fx.contains { if case .undoWrite = $0 { return true }; return false })
        fx = Fixture.feed(&s, [.writeUndone(.undone(callID: "c1", summary: "src/a.swift restored"))])
        XCTAssertEqual(s.messages[2].toolResult?.undone, true)
        XCTAssertEqual(s.notice, "↶ src/a.swift restored")
        guard case .save(let c, partial: false)? = fx.first else { return XCTFail("\(fx)") }
        XCTAssertEqual(c.messages[2].toolResult?.undone, true)
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("⚙ write_file") && $0.contains("↶ undone") }, Fixture.screen(s).joined(separator: "\n"))
        Fixture.feed(&s, [.writeUndone(.failed("no write left to undo"))])
        XCTAssertEqual(s.notice, "nothing undone: no write left to undo")
    }

    func testCtrlZInTheInputOnlyWhenItIsEmpty() {
        var s = conversationWithAWrite()
        s.input.setText("half a thought")
        XCTAssertTrue(Fixture.feed(&s, [Fixture.key(.ctrl("z"))]).isEmpty)
        XCTAssertEqual(s.input.text, "half a thought")
        XCTAssertNotNil(s.notice)
        Fixture.feed(&s, [Fixture.key(.tab)])
        XCTAssertTrue(Fixture.feed(&s, [Fixture.key(.ctrl("z"))]).contains { if case .undoWrite = $0 { return true }; return false })
    }

    // MARK: live output and stop

    func testARunningToolShowsItsTimeAndOutputTail() {
        var s = Fixture.state(width: 60, height: 20)
        s.toolsNeedApproval = false
        let call = ToolCall(id: "c1", name: "run_command", arguments: .object([("command", .string("make"))]))
        Fixture.feed(&s, Fixture.type("build it") + [Fixture.key(.enter), .backend(.toolCall(call), at: 100), .backend(.finished(.toolCalls), at: 100)])
        XCTAssertEqual(s.runningTool?.id, "c1")
        let out = (1...30).map { "compiling file \($0)" }.joined(separator: "\n") + "\n50%\r75%"
        Fixture.feed(&s, [.toolOutput(callID: "c1", out), .tick(103.2)])
        Snapshot.assert(s, "tool-running-live")
        let screen = Fixture.screen(s)
        XCTAssertTrue(screen.contains { $0.contains("running… 3.2 s · Esc stops") })
        XCTAssertTrue(screen.contains { $0.contains("compiling file 29") })
        XCTAssertFalse(screen.contains { $0.contains("compiling file 20") })   // only the last lines
        XCTAssertTrue(screen.contains { $0.contains("┆ 75%") })
        // Esc stops it.
        let fx = Fixture.feed(&s, [Fixture.key(.escape)])
        XCTAssertTrue(fx.contains { if case .cancelTool("c1") = $0 { return true }; return false })
        var stopped = Message.tool("compiling…\n[stopped by you after 3.2 s]", callID: "c1", name: "run_command")
        stopped.toolResult?.stopped = true
        stopped.toolResult?.durationSeconds = 3.2
        Fixture.feed(&s, [.toolFinished(stopped, at: 104)])
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("stopped by you after 3.2 s") }, Fixture.screen(s).joined(separator: "\n"))
        XCTAssertTrue(s.liveToolOutput.isEmpty)
    }

    // MARK: helpers

    func testCommandsAreMadeVisible() {
        XCTAssertEqual(VisibleText.command("make test" + String(repeating: " ", count: 4000) + "; curl x | sh"), "make test␠×4000; curl x | sh")
        XCTAssertEqual(VisibleText.command("a   b"), "a   b")   // three spaces stay spaces
        XCTAssertEqual(VisibleText.command("a\tb"), "a⇥b")
        XCTAssertEqual(VisibleText.command("a\nb"), "a↵\nb")
        XCTAssertEqual(VisibleText.command("echo \u{1B}[2J\u{7F}"), "echo \\u{1B}[2J\\u{7F}")
        XCTAssertEqual(VisibleText.command("ls \u{202E}txt.exe\u{2066}"), "ls \\u{202E}txt.exe\\u{2066}")
        XCTAssertEqual(VisibleText.command("x\u{85}y\u{0}\r"), "x\\u{85}y\\u{0}\\u{D}")
        XCTAssertEqual(VisibleText.command("tail    "), "tail␠×4")
        XCTAssertEqual(VisibleText.command("é 日本"), "é 日本")
        XCTAssertEqual(VisibleText.controls("a\tb\n\u{1B}c    d"), "a\tb\n\\u{1B}c    d")
        XCTAssertEqual(VisibleText.arguments("{\n  \"command\": \"make" + String(repeating: " ", count: 9) + "x\"\n}"), "{\n  \"command\": \"make␠×9x\"\n}")
    }

    func testCommandRules() {
        XCTAssertTrue(CommandRule.allows("swift test", prefix: "swift test"))
        XCTAssertTrue(CommandRule.allows("swift test --filter A", prefix: "swift test"))
        XCTAssertFalse(CommandRule.allows("swift testx", prefix: "swift test"))
        XCTAssertFalse(CommandRule.allows("swift build", prefix: "swift test"))
        for bad in ["swift test; rm x", "swift test & x", "swift test | sh", "swift test `x`", "swift test $(x)", "swift test > f",
                    "swift test < f", "swift test\nrm x", "swift test && x"] {
            XCTAssertFalse(CommandRule.allows(bad, prefix: "swift test"), bad)
        }
        XCTAssertFalse(CommandRule.allows("anything", prefix: " "))
        XCTAssertEqual(CommandRule.proposed(for: "swift test --filter A"), "swift test")
        XCTAssertEqual(CommandRule.proposed(for: "ls -la src"), "ls")
        XCTAssertEqual(CommandRule.proposed(for: "python3 tools/gen.py"), "python3")
        XCTAssertEqual(CommandRule.proposed(for: "make; curl x | sh"), "make")
        XCTAssertEqual(CommandRule.proposed(for: "git status"), "git status")
        // A command's line comes from its preview, else from its "command" argument.
        let call = ToolCall(id: "c", name: "run_command", arguments: .object([("command", .string("ls -l"))]))
        XCTAssertEqual(ApprovalRequest(call: call, kind: .run, summary: "", preview: .arguments("{}")).commandLine, "ls -l")
        XCTAssertNil(ApprovalRequest(call: call, kind: .write, summary: "", preview: .arguments("{}")).commandLine)
    }
}
