// Key sequences and backend streams driving update(): sending, streaming, thinking blocks, cancel,
// quit, tools with approval, search, settings, sessions, context truncation.
import XCTest
import Chat
@testable import TUI

final class UpdateTests: XCTestCase {
    func sends(_ effects: [Effect]) -> [ChatRequest] { effects.compactMap { if case .send(let r) = $0 { return r }; return nil } }

    func testTypingAndEnterSendsTheConversation() {
        var s = Fixture.state()
        Fixture.feed(&s, Fixture.type("hi there"))
        let fx = Fixture.feed(&s, [Fixture.key(.enter)])
        let reqs = sends(fx)
        XCTAssertEqual(reqs.count, 1)
        XCTAssertEqual(reqs[0].messages.map(\.content), ["hi there"])
        XCTAssertEqual(reqs[0].thinking, true)
        XCTAssertEqual(s.messages.map(\.role), [.user, .assistant])
        XCTAssertTrue(s.messages[1].incomplete)
        XCTAssertEqual(s.title, "hi there")
        XCTAssertTrue(s.input.isEmpty)
        // The user's message is saved before the reply starts.
        XCTAssertTrue(fx.contains { if case .save(let c, false) = $0 { return c.messages.count == 1 }; return false })
    }

    func testAltEnterAndCtrlJInsertNewlines() {
        var s = Fixture.state()
        Fixture.feed(&s, Fixture.type("a") + [Fixture.key(.enter, alt: true)] + Fixture.type("b") + [Fixture.key(.ctrl("j"))] + Fixture.type("c"))
        XCTAssertEqual(s.input.text, "a\nb\nc")
        XCTAssertTrue(s.messages.isEmpty)
    }

    func testStreamingBuildsTheReplyAndStats() {
        var s = Fixture.state()
        s.now = 10
        Fixture.feed(&s, Fixture.type("q") + [Fixture.key(.enter)])
        Fixture.feed(&s, [.backend(.reasoning("Let me "), at: 11), .backend(.reasoning("think."), at: 12),
                          .backend(.content("\n\nAnswer"), at: 13.5), .backend(.content(" here."), at: 14)])
        XCTAssertEqual(s.messages[1].reasoning, "Let me think.")
        XCTAssertEqual(s.messages[1].content, "Answer here.")
        let fx = Fixture.feed(&s, [.backend(.finished(.stop), at: 15)])
        let m = s.messages[1]
        XCTAssertFalse(m.incomplete)
        XCTAssertEqual(m.finishReason, .stop)
        XCTAssertEqual(m.stats?.ttftSeconds, 1)          // 11 - 10
        XCTAssertEqual(m.stats?.thinkingSeconds, 2.5)    // 13.5 - 11
        XCTAssertEqual(m.stats?.reasoningTokens, 2)
        XCTAssertNil(s.streaming)
        XCTAssertTrue(fx.contains { if case .save(_, false) = $0 { return true }; return false })
    }

    func testThinkingIsOpenWhileStreamingAndClosedOnceTheAnswerStarts() {
        var s = Fixture.state()
        Fixture.feed(&s, Fixture.type("q") + [Fixture.key(.enter), .backend(.reasoning("pondering"), at: 1)])
        var b = s.layoutTranscript().blocks.first { $0.kind == .thinking }!
        XCTAssertTrue(b.open)
        Fixture.feed(&s, [.backend(.content("done"), at: 2)])
        b = s.layoutTranscript().blocks.first { $0.kind == .thinking }!
        XCTAssertFalse(b.open)
        // Global toggle opens all (a view: the settings are not written).
        let fx = Fixture.feed(&s, [Fixture.key(.ctrl("t"))])
        XCTAssertTrue(s.layoutTranscript().blocks.first { $0.kind == .thinking }!.open)
        XCTAssertFalse(fx.contains { if case .saveSettings = $0 { return true }; return false })
    }

    func testPerBlockToggleInTheTranscript() {
        var s = Fixture.state()
        s.messages = [Fixture.user("q"), Fixture.assistant("answer", reasoning: "because", id: "a1"),
                      Fixture.user("q2", id: "u2"), Fixture.assistant("answer2", reasoning: "since", id: "a2")]
        Fixture.feed(&s, [Fixture.key(.tab)])
        XCTAssertEqual(s.focus, .transcript)
        XCTAssertEqual(s.selectedBlock, "a2")
        Fixture.feed(&s, [Fixture.key(.up)])
        XCTAssertEqual(s.selectedBlock, "a2:thinking")
        Fixture.feed(&s, [Fixture.key(.enter)])
        let blocks = s.layoutTranscript().blocks.filter { $0.kind == .thinking }
        XCTAssertEqual(blocks.map(\.open), [false, true])
        Fixture.feed(&s, Fixture.type(" "))
        XCTAssertEqual(s.layoutTranscript().blocks.filter { $0.kind == .thinking }.map(\.open), [false, false])
    }

    func testEscCancelsAndCtrlCTwiceQuits() {
        var s = Fixture.state()
        Fixture.feed(&s, Fixture.type("q") + [Fixture.key(.enter)])
        var fx = Fixture.feed(&s, [Fixture.key(.escape)])
        XCTAssertTrue(fx.contains { if case .cancel = $0 { return true }; return false })
        Fixture.feed(&s, [.backend(.content("partial"), at: 1), .backend(.finished(.cancelled), at: 2)])
        XCTAssertEqual(s.messages[1].finishReason, .cancelled)
        XCTAssertTrue(s.layoutTranscript().rows.contains { $0.plainText.contains("stopped by you") })
        fx = Fixture.feed(&s, [Fixture.key(.ctrl("c"))])
        XCTAssertFalse(fx.contains { if case .quit = $0 { return true }; return false })
        XCTAssertTrue(s.quitArmed)
        fx = Fixture.feed(&s, [Fixture.key(.ctrl("c"))])
        XCTAssertTrue(fx.contains { if case .quit = $0 { return true }; return false })
        // Another key in between disarms it.
        var s2 = Fixture.state()
        Fixture.feed(&s2, [Fixture.key(.ctrl("c"))] + Fixture.type("x"))
        fx = Fixture.feed(&s2, [Fixture.key(.ctrl("c"))])
        XCTAssertFalse(fx.contains { if case .quit = $0 { return true }; return false })
    }

    func testCtrlCDuringGenerationCancelsThenQuits() {
        var s = Fixture.state()
        Fixture.feed(&s, Fixture.type("q") + [Fixture.key(.enter)])
        var fx = Fixture.feed(&s, [Fixture.key(.ctrl("c"))])
        XCTAssertTrue(fx.contains { if case .cancel = $0 { return true }; return false })
        XCTAssertFalse(fx.contains { if case .quit = $0 { return true }; return false })
        fx = Fixture.feed(&s, [Fixture.key(.ctrl("c"))])
        XCTAssertTrue(fx.contains { if case .quit = $0 { return true }; return false })
        // Esc only cancels; it never arms quitting.
        var s2 = Fixture.state()
        Fixture.feed(&s2, Fixture.type("q") + [Fixture.key(.enter)])
        fx = Fixture.feed(&s2, [Fixture.key(.escape), Fixture.key(.ctrl("c"))])
        XCTAssertFalse(fx.contains { if case .quit = $0 { return true }; return false })
    }

    func testToolCallApprovalRunsAndContinues() {
        var s = Fixture.state()
        let call = ToolCall(id: "c1", name: "write_file", arguments: .object([("path", .string("a.txt"))]))
        Fixture.feed(&s, Fixture.type("write it") + [Fixture.key(.enter), .backend(.toolCall(call), at: 1)])
        var fx = Fixture.feed(&s, [.backend(.finished(.toolCalls), at: 2)])
        XCTAssertEqual(s.overlay, .approval(ApprovalPanel(Fixture.request(call))))
        XCTAssertFalse(fx.contains { if case .runTool = $0 { return true }; return false })
        fx = Fixture.feed(&s, Fixture.type("y"))
        XCTAssertTrue(fx.contains { if case .runTool(let c) = $0 { return c == call }; return false })
        XCTAssertEqual(s.runningTool, call)
        var result = Message.tool("hello", callID: "c1", name: "write_file")
        result.toolResult?.exitStatus = 0
        fx = Fixture.feed(&s, [.toolFinished(result, at: 3)])
        let reqs = sends(fx)
        XCTAssertEqual(reqs.count, 1)
        XCTAssertEqual(reqs[0].messages.map(\.role), [.user, .assistant, .tool])
        XCTAssertEqual(reqs[0].messages[1].toolCalls, [call])
    }

    func testRefusedToolCallIsRecordedAndSentBack() {
        var s = Fixture.state()
        let call = ToolCall(id: "c1", name: "rm", arguments: .object([]))
        Fixture.feed(&s, Fixture.type("go") + [Fixture.key(.enter), .backend(.toolCall(call), at: 1), .backend(.finished(.toolCalls), at: 2)])
        let fx = Fixture.feed(&s, Fixture.type("n"))
        XCTAssertEqual(s.messages.first { $0.role == .tool }?.toolResult?.denied, true)
        XCTAssertEqual(sends(fx).count, 1)
    }

    func testAlwaysAllowSkipsTheNextPrompt() {
        var s = Fixture.state()
        let c1 = ToolCall(id: "c1", name: "ls", arguments: .object([])), c2 = ToolCall(id: "c2", name: "ls", arguments: .object([]))
        Fixture.feed(&s, Fixture.type("go") + [Fixture.key(.enter), .backend(.toolCall(c1), at: 1), .backend(.toolCall(c2), at: 1), .backend(.finished(.toolCalls), at: 2)])
        Fixture.feed(&s, Fixture.type("a"))
        let fx = Fixture.feed(&s, [.toolFinished(.tool("x", callID: "c1", name: "ls"), at: 3)])
        XCTAssertNil(s.overlay)
        XCTAssertTrue(fx.contains { if case .runTool(let c) = $0 { return c == c2 }; return false })
    }

    func testSearchFindsMatchesNewestFirst() {
        var s = Fixture.state(width: 40, height: 10)
        s.messages = (0..<10).flatMap { i in [Fixture.user("question \(i)", id: "u\(i)"), Fixture.assistant(i % 3 == 0 ? "needle \(i)" : "hay \(i)", id: "a\(i)")] }
        Fixture.feed(&s, [Fixture.key(.tab), Fixture.key(.char("/"))] + Fixture.type("needle") + [Fixture.key(.enter)])
        let rows = s.layoutTranscript().rows.map(\.plainText)
        XCTAssertEqual(rows[s.search!.matchRow!], "needle 9")
        Fixture.feed(&s, Fixture.type("n"))
        XCTAssertEqual(rows[s.search!.matchRow!], "needle 6")
        XCTAssertGreaterThan(s.scroll, 0)
        Fixture.feed(&s, Fixture.type("N"))
        XCTAssertEqual(rows[s.search!.matchRow!], "needle 9")
    }

    func testCopyTheSelectedBlockAndItsCode() {
        var s = Fixture.state()
        s.messages = [Fixture.user("q"), Fixture.assistant("Run:\n```sh\nmake test\n```", id: "a1")]
        Fixture.feed(&s, [Fixture.key(.tab)])
        var fx = Fixture.feed(&s, Fixture.type("y"))
        XCTAssertTrue(fx.contains { if case .copy(let t) = $0 { return t == "Run:\n```sh\nmake test\n```" }; return false })
        fx = Fixture.feed(&s, Fixture.type("Y"))
        XCTAssertTrue(fx.contains { if case .copy(let t) = $0 { return t == "make test" }; return false })
    }

    func testSettingsPanelChangesSampling() {
        var s = Fixture.state()
        Fixture.feed(&s, [Fixture.key(.function(3)), Fixture.key(.enter)])
        XCTAssertFalse(s.settings.thinking)
        Fixture.feed(&s, [Fixture.key(.down), Fixture.key(.down), Fixture.key(.down), Fixture.key(.left), Fixture.key(.left)])
        XCTAssertEqual(s.settings.sampling.temperature, 0.9, accuracy: 1e-9)
        let fx = Fixture.feed(&s, [Fixture.key(.escape)])
        XCTAssertNil(s.overlay)
        XCTAssertTrue(fx.contains { if case .saveSettings(let st) = $0 { return !st.thinking }; return false })
        Fixture.feed(&s, Fixture.type("q"))
        let req = sends(Fixture.feed(&s, [Fixture.key(.enter)]))[0]
        XCTAssertFalse(req.thinking)
        XCTAssertEqual(req.sampling.temperature, 0.9, accuracy: 1e-9)
    }

    func testSessionPickerSearchRenameDeleteOpen() {
        var s = Fixture.state()
        var fx = Fixture.feed(&s, [Fixture.key(.function(2))])
        XCTAssertTrue(fx.contains { if case .listSessions = $0 { return true }; return false })
        Fixture.feed(&s, [.sessions([SessionEntry(id: "s1", title: "Fix the parser"), SessionEntry(id: "s2", title: "Write docs"),
                                     SessionEntry(id: "s3", title: "broken", damaged: "not JSON")])])
        Fixture.feed(&s, Fixture.type("docs"))
        guard case .sessions(let p) = s.overlay else { return XCTFail("picker closed") }
        XCTAssertEqual(p.visible.map(\.id), ["s2"])
        fx = Fixture.feed(&s, [Fixture.key(.function(2))] + [Fixture.key(.backspace)] + Fixture.type("s!!") + [Fixture.key(.enter)])
        XCTAssertTrue(fx.contains { if case .renameSession("s2", "Write docs!!") = $0 { return true }; return false })
        fx = Fixture.feed(&s, [Fixture.key(.delete)] + Fixture.type("y"))
        XCTAssertTrue(fx.contains { if case .deleteSession("s2") = $0 { return true }; return false })
        Fixture.feed(&s, [Fixture.key(.backspace), Fixture.key(.backspace), Fixture.key(.backspace), Fixture.key(.backspace)])
        fx = Fixture.feed(&s, [Fixture.key(.down), Fixture.key(.enter)])
        XCTAssertTrue(fx.isEmpty)   // the damaged one cannot be opened
        XCTAssertEqual(s.notice, "cannot open: not JSON")
        fx = Fixture.feed(&s, [Fixture.key(.up), Fixture.key(.enter)])
        XCTAssertTrue(fx.contains { if case .openSession("s1") = $0 { return true }; return false })
        Fixture.feed(&s, [.sessionLoaded(StoredConversation(id: "s1", title: "Fix the parser", messages: [Fixture.user("old question")]))])
        XCTAssertEqual(s.sessionID, "s1")
        XCTAssertEqual(s.messages.map(\.content), ["old question"])
    }

    func testContextFitDropsOldTurnsAndSaysSo() {
        var s = Fixture.state()
        s.contextLength = 600   // reply reserve 256 → 344 tokens of prompt; each message below is ~105
        let long = String(repeating: "x", count: 288)   // 316 bytes in ChatML: 106 tokens
        s.messages = (0..<4).flatMap { i in [Fixture.user(long, id: "u\(i)"), Fixture.assistant(long, id: "a\(i)")] }
        Fixture.fit(&s, Fixture.feed(&s, Fixture.type("last") + [Fixture.key(.enter)]), counter: ThirdCounter())
        XCTAssertEqual(s.droppedMessages, 6)
        let layout = s.layoutTranscript()
        let notice = layout.blocks.firstIndex { $0.kind == .truncation }!
        XCTAssertTrue(layout.blocks[notice].lines[0].plainText.contains("3 earlier turns are not sent to the model"))
        // It sits between the dropped turns and the kept ones.
        XCTAssertEqual(layout.blocks[notice - 1].key, "a2")
        XCTAssertEqual(layout.blocks[notice + 1].key, "u3")
    }

    func testContextFitKeepsSystemMessagesAndTheLastTurn() {
        let msgs = [Message.system("sys"), Message.user(String(repeating: "a", count: 3000)), Message.assistant("b"), Message.user("c")]
        let f = PromptFitter(template: .chatML(defaultSystemPrompt: nil), counter: ThirdCounter(), contextLength: 600).fit(ChatRequest(messages: msgs))
        XCTAssertEqual(f.fit.droppedMessages, 3)
        XCTAssertEqual(f.messages.map(\.content), ["sys", "c"])
    }

    func testFailureIsShownUnderTheReply() {
        var s = Fixture.state()
        Fixture.feed(&s, Fixture.type("q") + [Fixture.key(.enter), .backend(.failed("out of memory"), at: 1)])
        XCTAssertNil(s.streaming)
        XCTAssertEqual(s.messages[1].finishReason, .error)
        XCTAssertTrue(s.layoutTranscript().rows.contains { $0.plainText == "✗ the reply failed: out of memory" })
    }

    func testBracketedPasteInsertsTextWithoutSending() {
        var s = Fixture.state()
        Fixture.feed(&s, [.paste("line 1\nline 2\nline 3")])
        XCTAssertEqual(s.input.text, "line 1\nline 2\nline 3")
        XCTAssertTrue(s.messages.isEmpty)
        XCTAssertEqual(s.notice, "pasted 3 lines")
    }

    func testPartialSavesAreThrottled() {
        var s = Fixture.state()
        s.now = 0
        Fixture.feed(&s, Fixture.type("q") + [Fixture.key(.enter)])
        var partials = 0
        for i in 0..<50 {
            let fx = Fixture.feed(&s, [.backend(.content("x"), at: Double(i) * 0.1)])
            partials += fx.filter { if case .save(_, true) = $0 { return true }; return false }.count
        }
        XCTAssertEqual(partials, 2)   // at t = 2.0 and 4.0 (and not more often)
    }
}

final class UpdateMoreTests: XCTestCase {
    func testSettingsPanelSwitchesTheme() {
        var s = Fixture.state()
        s.themes = Theme.builtins
        s.theme = s.themes[0]
        _ = Fixture.feed(&s, [Fixture.key(.function(3))] + Array(repeating: Fixture.key(.up), count: 1) + [Fixture.key(.right)])
        XCTAssertEqual(s.theme.name, "light")
        XCTAssertEqual(s.settings.theme, "light")
        _ = Fixture.feed(&s, [Fixture.key(.left), Fixture.key(.left)])
        XCTAssertEqual(s.theme.name, Theme.builtinNames.last)
    }

    func testRunawayToolLoopStops() {
        var s = Fixture.state()
        s.toolsNeedApproval = false
        Fixture.feed(&s, Fixture.type("go") + [Fixture.key(.enter)])
        var sent = 0
        for i in 0..<40 {
            let call = ToolCall(id: "c\(i)", name: "ls", arguments: .object([]))
            _ = Fixture.feed(&s, [.backend(.toolCall(call), at: 1), .backend(.finished(.toolCalls), at: 2)])
            let fx = Fixture.feed(&s, [.toolFinished(.tool("x", callID: "c\(i)", name: "ls"), at: 3)])
            sent += fx.filter { if case .send = $0 { return true }; return false }.count
            if s.streaming == nil { break }
        }
        XCTAssertEqual(sent, AppState.maxToolRounds)
        XCTAssertTrue(s.notice?.contains("rounds of tool calls") == true)
    }
}

final class ToolStopTests: XCTestCase {
    func testEscStopsTheRunningToolAndDoesNotSendItsResult() {
        var s = Fixture.state()
        s.toolsNeedApproval = false
        let call = ToolCall(id: "c1", name: "sleep", arguments: .object([]))
        Fixture.feed(&s, Fixture.type("go") + [Fixture.key(.enter), .backend(.toolCall(call), at: 1), .backend(.finished(.toolCalls), at: 2)])
        XCTAssertEqual(s.runningTool, call)
        var fx = Fixture.feed(&s, [Fixture.key(.escape)])
        XCTAssertTrue(fx.contains { if case .cancelTool("c1") = $0 { return true }; return false })
        fx = Fixture.feed(&s, [.toolFinished(.tool("interrupted", callID: "c1", name: "sleep"), at: 3)])
        XCTAssertFalse(fx.contains { if case .send = $0 { return true }; return false })
        XCTAssertFalse(s.isBusy)
        XCTAssertEqual(s.messages.last?.content, "interrupted")
    }
}

final class FitterTests: XCTestCase {
    func testTheBackendsFitDecidesWhatIsShown() {
        var s = Fixture.state()
        s.messages = [Fixture.user("old", id: "u0"), Fixture.assistant("old answer", id: "a0")]
        Fixture.feed(&s, Fixture.type("new") + [])
        let fx = Fixture.feed(&s, [Fixture.key(.enter)])
        let req = fx.compactMap { if case .send(let r) = $0 { return r }; return nil }.first
        // The whole conversation goes to the backend, which fits it off the UI thread and says what it sent.
        XCTAssertEqual(req?.messages.map(\.content), ["old", "old answer", "new"])
        let fit = PromptFit(droppedMessages: 2, sentMessages: 1, promptTokens: 77, exact: true, contextLength: 8192, report: TruncationReport(budget: 6144))
        Fixture.feed(&s, [.backend(.promptFitted(fit), at: 101)])
        XCTAssertEqual(s.droppedMessages, 2)
        XCTAssertEqual(s.contextUsed, 77)
    }
}

/// About 3 bytes per token (rounded up), marked approximate.
struct ThirdCounter: TokenCounter {
    func countTokens(_ text: String) -> Int { (text.utf8.count + 2) / 3 }
    var isExact: Bool { false }
}
