// Compaction in the UI: /compact asks for a summary of all but the last turns (a request without tools, thinking or
// conversation id), streams it into an open block where the covered messages end, then shows it folded; Enter opens
// it, `e` edits it, /compact drop removes it, Esc while it is written changes nothing; the setting compacts before
// a message that would fill the context, and falls back to plain truncation when the summary fails; a fork keeps it
// when it holds everything it covers; a new version of a covered message sets it aside.
import XCTest
import Chat
@testable import TUI

final class CompactTests: XCTestCase {
    func conversation() -> AppState {
        var s = Fixture.state(width: 60, height: 30)
        s.sessionID = "c1"
        s.messages = [.init(id: "s", role: .system, content: "Be brief.", created: nil),
                      Fixture.user("first question", id: "u1"), Fixture.assistant("first answer", id: "a1"),
                      Fixture.user("second question", id: "u2"), Fixture.assistant("second answer", id: "a2"),
                      Fixture.user("third question", id: "u3"), Fixture.assistant("third answer", id: "a3")]
        return s
    }

    func summarizeRequest(_ fx: [Effect]) -> ChatRequest? {
        fx.lazy.compactMap { if case .summarize(let r) = $0 { return r }; return nil }.first
    }
    func sent(_ fx: [Effect]) -> ChatRequest? { fx.lazy.compactMap { if case .send(let r) = $0 { return r }; return nil }.first }
    func trimmed(_ screen: [String]) -> [String] { screen.map { $0.replacingOccurrences(of: "▌", with: "").trimming(" ") } }

    /// /compact, the summary streamed in and finished.
    func compacted() -> AppState {
        var s = conversation()
        let fx = Fixture.feed(&s, Fixture.type("/compact") + [Fixture.key(.enter)])
        XCTAssertNotNil(summarizeRequest(fx))
        Fixture.feed(&s, [.backend(.promptFitted(PromptFit(droppedMessages: 0, sentMessages: 4, promptTokens: 40, exact: true, contextLength: 8192,
                                                             report: TruncationReport(budget: 1))), at: 101),
                          .backend(.content("- Asked two questions."), at: 101), .backend(.stats({ var st = GenerationStats(); st.completionTokens = 6; return st }()), at: 102),
                          .backend(.finished(.stop), at: 102)])
        return s
    }

    func testCompactAsksForASummaryAndStreamsItWhereTheCoveredMessagesEnd() {
        var s = conversation()
        let fx = Fixture.feed(&s, Fixture.type("/compact") + [Fixture.key(.enter)])
        guard let req = summarizeRequest(fx) else { return XCTFail("\(fx)") }
        XCTAssertNil(sent(fx), "nothing is sent to the conversation")
        XCTAssertEqual(req.messages.map(\.id), ["s", "u1", "a1", "compaction-request"], "the last two turns are kept")
        XCTAssertEqual(req.messages.last?.content, Compaction.instruction)
        XCTAssertTrue(req.tools.isEmpty)
        XCTAssertFalse(req.thinking)
        XCTAssertNil(req.conversationID)
        XCTAssertEqual(req.sampling.maxTokens, 1024, "an eighth of the 8,192-token context")
        XCTAssertTrue(s.isBusy)

        Fixture.feed(&s, [.backend(.prefillProgress(done: 1536, total: 4096), at: 101)])
        XCTAssertTrue(trimmed(Fixture.screen(s)).contains("│ ⋯ reading the conversation: 1,536 / 4,096 tokens"), Fixture.screen(s).joined(separator: "\n"))
        Fixture.feed(&s, [.backend(.content("- Asked about "), at: 101)])
        var screen = trimmed(Fixture.screen(s))
        let head = screen.firstIndex(of: "▾ Summarising 2 earlier messages… · Esc stops")
        XCTAssertNotNil(head, screen.joined(separator: "\n"))
        XCTAssertEqual(screen[head! + 1], "│ - Asked about")
        XCTAssertLessThan(screen.firstIndex(of: "first answer")!, head!)
        XCTAssertGreaterThan(screen.firstIndex(of: "› second question")!, head!)

        let done = Fixture.feed(&s, [.backend(.content("the build."), at: 101),
                                     .backend(.stats({ var st = GenerationStats(); st.completionTokens = 312; return st }()), at: 102),
                                     .backend(.finished(.stop), at: 102)])
        XCTAssertEqual(s.compaction?.summary, "- Asked about the build.")
        XCTAssertEqual(s.compaction?.through, "a1")
        XCTAssertEqual(s.compaction?.messages, 2)
        XCTAssertNil(s.compacting)
        XCTAssertEqual(s.notice, "compacted 2 messages into a 312-token summary · select it to read or edit (e) · /compact drop undoes")
        XCTAssertTrue(done.contains { if case .save(let c, false) = $0 { return c.compaction == s.compaction }; return false }, "\(done)")
        XCTAssertTrue(done.contains { if case .measure(let r, "c1") = $0 { return r.compaction == s.compaction }; return false }, "\(done)")
        screen = trimmed(Fixture.screen(s))
        let block = screen.firstIndex(of: "▸ Summary of 2 earlier messages · 24 bytes")
        XCTAssertNotNil(block, screen.joined(separator: "\n"))
        XCTAssertEqual(screen[block! - 2], "first answer")
        XCTAssertEqual(screen[block! + 2], "› second question")

        // The next message carries it; the fitter sends it in place of the covered turns.
        let next = Fixture.feed(&s, Fixture.type("fourth") + [Fixture.key(.enter)])
        XCTAssertEqual(sent(next)?.compaction, s.compaction)
        XCTAssertEqual(sent(next)?.messages.count, 8, "the request holds the whole conversation; the fitter leaves out what is summarised")
    }

    func testEnterOpensTheSummaryAndEEditsIt() {
        var s = compacted()
        Fixture.feed(&s, [Fixture.key(.tab)])
        while s.selectedBlock != "summary" { Fixture.feed(&s, [Fixture.key(.up)]) }
        Fixture.feed(&s, [Fixture.key(.enter)])
        var screen = trimmed(Fixture.screen(s))
        let head = screen.firstIndex(of: "▾ Summary of 2 earlier messages · 22 bytes")
        XCTAssertNotNil(head, screen.joined(separator: "\n"))
        XCTAssertEqual(screen[head! + 1], "│ - Asked two questions.")
        Fixture.feed(&s, [Fixture.key(.enter)])
        XCTAssertTrue(trimmed(Fixture.screen(s)).contains("▸ Summary of 2 earlier messages · 22 bytes"))

        Fixture.feed(&s, [Fixture.key(.char("e"))])
        XCTAssertTrue(s.editingSummary)
        XCTAssertEqual(s.input.text, "- Asked two questions.")
        XCTAssertEqual(s.focus, .input)
        XCTAssertNil(s.editingMessageID)
        let fx = Fixture.feed(&s, [Fixture.key(.ctrl("u"))] + Fixture.type("- Asked about tabs.") + [Fixture.key(.enter)])
        XCTAssertNil(sent(fx), "saving the summary sends nothing")
        XCTAssertEqual(s.compaction?.summary, "- Asked about tabs.")
        XCTAssertEqual(s.compaction?.edited, true)
        XCTAssertFalse(s.editingSummary)
        XCTAssertEqual(s.messages.count, 7)
        XCTAssertTrue(fx.contains { if case .save(let c, false) = $0 { return c.compaction?.edited == true }; return false })
        screen = trimmed(Fixture.screen(s))
        XCTAssertTrue(screen.contains("▸ Summary of 2 earlier messages · 19 bytes · edited"), screen.joined(separator: "\n"))

        // Esc while editing leaves it as it was.
        Fixture.feed(&s, [Fixture.key(.tab)])
        while s.selectedBlock != "summary" { Fixture.feed(&s, [Fixture.key(.up)]) }
        Fixture.feed(&s, [Fixture.key(.char("e")), Fixture.key(.ctrl("u"))] + Fixture.type("gone") + [Fixture.key(.escape)])
        XCTAssertFalse(s.editingSummary)
        XCTAssertEqual(s.input.text, "")
        XCTAssertEqual(s.compaction?.summary, "- Asked about tabs.")

        // Editing a message instead: Enter sends it, the summary stays.
        Fixture.feed(&s, [Fixture.key(.tab)])
        while s.selectedBlock != "summary" { Fixture.feed(&s, [Fixture.key(.up)]) }
        Fixture.feed(&s, [Fixture.key(.char("e")), Fixture.key(.ctrl("u"))] + Fixture.type("/edit") + [Fixture.key(.enter)])
        XCTAssertFalse(s.editingSummary)
        XCTAssertEqual(s.editingMessageID, "u3")
        XCTAssertEqual(s.compaction?.summary, "- Asked about tabs.")
    }

    func testDropRemovesItAndEscWhileWritingChangesNothing() {
        var s = compacted()
        var fx = Fixture.feed(&s, Fixture.type("/compact drop") + [Fixture.key(.enter)])
        XCTAssertNil(s.compaction)
        XCTAssertEqual(s.notice, "summary dropped: the earlier messages are sent again (the oldest left out if the context is full)")
        XCTAssertTrue(fx.contains { if case .save(let c, false) = $0 { return c.compaction == nil }; return false })
        XCTAssertFalse(Fixture.screen(s).contains { $0.contains("Summary of") })

        fx = Fixture.feed(&s, Fixture.type("/compact 1") + [Fixture.key(.enter)])
        XCTAssertEqual(summarizeRequest(fx)?.messages.map(\.id), ["s", "u1", "a1", "u2", "a2", "compaction-request"])
        Fixture.feed(&s, [.backend(.content("partial"), at: 101)])
        fx = Fixture.feed(&s, [Fixture.key(.escape)])
        XCTAssertTrue(fx.contains { if case .cancel = $0 { return true }; return false })
        XCTAssertTrue(trimmed(Fixture.screen(s)).contains("▾ Summarising 4 earlier messages… · stopping…"))
        Fixture.feed(&s, [.backend(.finished(.cancelled), at: 102)])
        XCTAssertNil(s.compaction)
        XCTAssertNil(s.compacting)
        XCTAssertEqual(s.notice, "compaction stopped: nothing changed")
        XCTAssertFalse(Fixture.screen(s).contains { $0.contains("Summar") })
    }

    func testASummaryOfWhatFittedSaysWhatDidNot() {
        var s = conversation()
        Fixture.feed(&s, Fixture.type("/compact 1") + [Fixture.key(.enter)])
        var report = TruncationReport(budget: 100)
        report.removedMessageIDs = ["u1", "a1"]
        Fixture.feed(&s, [.backend(.promptFitted(PromptFit(droppedMessages: 3, sentMessages: 4, promptTokens: 90, exact: true, contextLength: 8192,
                                                             report: report)), at: 101),
                          .backend(.content("- Second question only."), at: 101), .backend(.finished(.length), at: 102)])
        XCTAssertEqual(s.notice, "compacted 4 messages into a 8-token summary (cut at its length limit of 1,024 tokens) "
                       + "(the oldest 2 did not fit into the request: the summary leaves them out) · select it to read or edit (e) · /compact drop undoes")
    }

    func testARequestWithNothingToSummariseThatFitsFails() {
        var s = conversation()
        Fixture.feed(&s, Fixture.type("/compact 1") + [Fixture.key(.enter)])
        var report = TruncationReport(budget: 100)
        report.removedMessageIDs = ["u1", "a1", "u2", "a2"]
        let fx = Fixture.feed(&s, [.backend(.promptFitted(PromptFit(droppedMessages: 5, sentMessages: 2, promptTokens: 90, exact: true, contextLength: 8192,
                                                                    report: report)), at: 101)])
        XCTAssertTrue(fx.contains { if case .cancel = $0 { return true }; return false })
        Fixture.feed(&s, [.backend(.finished(.cancelled), at: 102)])
        XCTAssertNil(s.compaction)
        XCTAssertEqual(s.notice, "compaction failed (the messages to summarise do not fit into the context, not even the last of them): nothing changed")
    }

    func testNothingToCompactAndBadArguments() {
        var s = conversation()
        Fixture.feed(&s, Fixture.type("/compact 3") + [Fixture.key(.enter)])
        XCTAssertEqual(s.notice, "nothing to compact: the conversation has 3 turns and /compact keeps the last 3")
        Fixture.feed(&s, Fixture.type("/compact lots") + [Fixture.key(.enter)])
        XCTAssertEqual(s.notice, "/compact N keeps the last N turns (a number, 0 or more); /compact drop removes the summary")
        s = compacted()
        Fixture.feed(&s, Fixture.type("/compact") + [Fixture.key(.enter)])
        XCTAssertEqual(s.notice, "nothing new to compact: the summary already covers the messages before the last 2 turns")
        Fixture.feed(&s, Fixture.type("/compact drop") + [Fixture.key(.enter)] + Fixture.type("/compact drop") + [Fixture.key(.enter)])
        XCTAssertEqual(s.notice, "there is no summary to drop")
    }

    func testAutomaticCompactionBeforeAMessageThatWouldFillTheContext() {
        var s = conversation()
        s.settings.autoCompact = true
        s.contextUsed = 5300   // the prompt's room: 8,192 − 2,048 kept for the reply
        var fx = Fixture.feed(&s, Fixture.type("fourth question") + [Fixture.key(.enter)])
        XCTAssertNil(sent(fx))
        XCTAssertEqual(summarizeRequest(fx)?.messages.map(\.id), ["s", "u1", "a1", "u2", "a2", "compaction-request"],
                       "the last turn and the new message are kept")
        XCTAssertEqual(s.messages.count, 7, "the message waits for the summary")
        fx = Fixture.feed(&s, [.backend(.content("- Earlier: two questions."), at: 101), .backend(.finished(.stop), at: 102)])
        guard let req = sent(fx) else { return XCTFail("\(fx)") }
        XCTAssertEqual(req.messages.last?.content, "fourth question")
        XCTAssertEqual(req.compaction?.through, "a2")
        let m = s.messages[7]
        XCTAssertEqual(m.content, "fourth question")
        // 5,300 used + about 9 for the message (15 bytes / 3 + 4 for its tags) of 6,144: 86 %.
        XCTAssertEqual(s.messageNotes[m.id], ["↻ with this message the prompt would take 86 % of its room in the context: compacted 4 messages into a 9-token summary first"])
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("↻ with this message the prompt") }, "reported in the transcript")

        // Below the threshold, or with the setting off, it is sent at once.
        var t = conversation()
        t.settings.autoCompact = true
        t.contextUsed = 5200   // 5,209 of 6,144: 84.8 %
        XCTAssertNotNil(sent(Fixture.feed(&t, Fixture.type("fourth question") + [Fixture.key(.enter)])))
        var u = conversation()
        u.contextUsed = 8000
        XCTAssertNotNil(sent(Fixture.feed(&u, Fixture.type("fourth question") + [Fixture.key(.enter)])), "the setting is off by default")
    }

    func testAutomaticCompactionThatFailsFallsBackToTruncation() {
        var s = conversation()
        s.settings.autoCompact = true
        s.contextUsed = 8000
        Fixture.feed(&s, Fixture.type("fourth question") + [Fixture.key(.enter)])
        let fx = Fixture.feed(&s, [.backend(.failed("the server is down"), at: 101)])
        XCTAssertNotNil(sent(fx), "sent all the same")
        XCTAssertNil(s.compaction)
        XCTAssertEqual(s.messageNotes[s.messages[7].id], ["⚠ automatic compaction failed (the server is down); older turns are left out instead, as without it"])

        // Esc while it is written: the message comes back to the editor, unsent.
        var t = conversation()
        t.settings.autoCompact = true
        t.contextUsed = 8000
        Fixture.feed(&t, Fixture.type("fourth question") + [Fixture.key(.enter), Fixture.key(.escape), .backend(.finished(.cancelled), at: 101)])
        XCTAssertEqual(t.input.text, "fourth question")
        XCTAssertEqual(t.messages.count, 7)
        XCTAssertEqual(t.notice, "compaction stopped: nothing changed, and your message is back in the editor")
    }

    func testAutomaticCompactionBeforeToolResultsGoBack() {
        var s = conversation()
        s.settings.autoCompact = true
        s.toolsNeedApproval = false
        let call = ToolCall(id: "c1", name: "read_file", arguments: .object([]))
        Fixture.feed(&s, Fixture.type("fourth question") + [Fixture.key(.enter), .backend(.toolCall(call), at: 101)])
        s.contextUsed = 5000   // the reply's count; the result below brings it past 85 % of 6,144
        Fixture.feed(&s, [.backend(.finished(.toolCalls), at: 102)])
        s.contextUsed = 5000
        var fx = Fixture.feed(&s, [.toolFinished(.tool(String(repeating: "x", count: 900), callID: "c1", name: "read_file"), at: 103)])
        XCTAssertNil(sent(fx), "the results wait for the summary")
        XCTAssertEqual(summarizeRequest(fx)?.messages.map(\.id), ["s", "u1", "a1", "u2", "a2", "u3", "a3", "compaction-request"],
                       "the turn in progress is kept whole")
        fx = Fixture.feed(&s, [.backend(.content("- Three questions."), at: 104), .backend(.finished(.stop), at: 105)])
        guard let req = sent(fx) else { return XCTFail("\(fx)") }
        XCTAssertEqual(req.messages.last?.role, .tool)
        XCTAssertEqual(req.compaction?.through, "a3")
        let caller = s.messages[8]
        XCTAssertEqual(caller.toolCalls.first?.id, "c1")
        // 5,000 + the result (900 bytes / 3 + 4 = 304) of 6,144: 86 %.
        XCTAssertEqual(s.messageNotes[caller.id]?.last,
                       "↻ with the tool results the prompt would take 86 % of its room in the context: compacted 6 messages into a 6-token summary before sending them")
    }

    func testForkKeepsItWhenItHoldsWhatItCoversAndNewVersionsSetItAside() {
        var s = compacted()
        Fixture.feed(&s, Fixture.type("/fork") + [Fixture.key(.enter)])
        XCTAssertEqual(s.compaction?.summary, "- Asked two questions.")
        XCTAssertEqual(s.compaction?.through, s.messages[2].id, "anchored to the copy of a1")
        XCTAssertNotEqual(s.compaction?.through, "a1")

        var f = compacted()
        f.focus = .transcript
        f.selectedBlock = "u1"
        Fixture.feed(&f, [Fixture.key(.char("f"))])
        XCTAssertNil(f.compaction, "the fork ends before the last message it covers")

        // Regenerating a covered reply: a new version; the summary no longer applies and says so.
        var r = compacted()
        r.focus = .transcript
        r.selectedBlock = "a1"
        let fx = Fixture.feed(&r, [Fixture.key(.char("r"))])
        XCTAssertNil(sent(fx)?.compaction.flatMap { $0.end(in: sent(fx)!.messages) })
        XCTAssertNotNil(r.compaction, "kept: showing the old version again brings it back")
        let screen = trimmed(Fixture.screen(r)).joined(separator: " ")
        XCTAssertTrue(screen.contains("The summary is set aside: a message it covers was edited or regenerated"), screen)
    }
}
