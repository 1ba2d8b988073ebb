// Compaction in the fitter: with a summary that applies, the prompt is exactly system + summary + the turns after
// it (compared with prompt text written out here by hand for GLM-4.7 and ChatML); a summary whose last covered
// message is not on the path is not applied; truncation is still the fallback and its report counts only what it
// left out; the request that asks for a summary builds on an earlier one.
import Foundation
import XCTest
@testable import Chat

final class CompactionTests: XCTestCase {
    func msg(_ role: Role, _ text: String, _ id: String) -> Message { Message(id: id, role: role, content: text, created: nil) }

    /// system, then three turns.
    var conversation: [Message] {
        [msg(.system, "You are terse.", "s"), msg(.user, "q1", "u1"), msg(.assistant, "a1", "a1"), msg(.user, "q2", "u2"),
         msg(.assistant, "a2", "a2"), msg(.user, "q3", "u3")]
    }
    let summary = Compaction(summary: "- The user asked q1 and q2.\n", through: "a1", messages: 2, created: nil)
    let heading = "# Summary of the earlier conversation\n\nThe messages before the ones below were summarised to save context; this summary stands in for them."

    func testPromptIsSystemSummaryAndTheTurnsAfterIt() {
        let req = ChatRequest(messages: conversation, thinking: true, compaction: summary)
        let glm = PromptFitter(template: .glm47, counter: FakeCounter(), contextLength: 8192).fit(req)
        let expected = "[gMASK]<sop><|system|>You are terse.\n\n" + heading + "\n\n- The user asked q1 and q2."
            + "<|user|>q2<|assistant|></think>a2<|user|>q3<|assistant|><think>"
        XCTAssertEqual(glm.prompt, expected)
        XCTAssertEqual(glm.fit.compactedMessages, 3, "system, q1 and a1 are before the first message sent")
        XCTAssertEqual(glm.fit.droppedMessages, 3)
        XCTAssertEqual(glm.fit.sentMessages, 4)
        XCTAssertTrue(glm.fit.report.isEmpty, "the summary is not truncation: nothing to report")
        XCTAssertEqual(glm.fit.promptTokens, (expected.utf8.count + 3) / 4)

        let chatml = PromptFitter(template: .chatML(defaultSystemPrompt: "Default."), counter: FakeCounter(), contextLength: 8192).fit(req)
        XCTAssertEqual(chatml.prompt, "<|im_start|>system\nYou are terse.\n\n" + heading + "\n\n- The user asked q1 and q2.<|im_end|>\n"
            + "<|im_start|>user\nq2<|im_end|>\n<|im_start|>assistant\na2<|im_end|>\n<|im_start|>user\nq3<|im_end|>\n<|im_start|>assistant\n")
    }

    func testWithoutSystemPromptTheSummaryIsItsOwnSystemMessageAfterTheInstructions() {
        var noSystem = conversation
        noSystem.removeFirst()
        let instructions = ProjectInstructions(source: "AGENTS.md", text: "Use tabs.", fileBytes: 9)
        let req = ChatRequest(messages: noSystem, instructions: instructions, compaction: summary)
        let f = PromptFitter(template: .chatML(defaultSystemPrompt: nil), counter: FakeCounter(), contextLength: 8192).fit(req)
        XCTAssertEqual(f.prompt, "<|im_start|>system\n# Project instructions (from AGENTS.md)\n\nUse tabs.\n\n" + heading + "\n\n- The user asked q1 and q2.<|im_end|>\n"
            + "<|im_start|>user\nq2<|im_end|>\n<|im_start|>assistant\na2<|im_end|>\n<|im_start|>user\nq3<|im_end|>\n<|im_start|>assistant\n")
        XCTAssertEqual(f.fit.compactedMessages, 2)

        let alone = PromptFitter(template: .chatML(defaultSystemPrompt: nil), counter: FakeCounter(), contextLength: 8192)
            .fit(ChatRequest(messages: noSystem, compaction: summary))
        XCTAssertEqual(alone.messages.map(\.role), [.system, .user, .assistant, .user])
        XCTAssertEqual(alone.messages[0].content, heading + "\n\n- The user asked q1 and q2.")
    }

    func testASummaryWhoseLastMessageIsNotOnThePathIsNotApplied() {
        var edited = conversation
        edited[2] = msg(.assistant, "a1 regenerated", "a1b")
        let f = PromptFitter(template: .glm47, counter: FakeCounter(), contextLength: 8192).fit(ChatRequest(messages: edited, compaction: summary))
        XCTAssertEqual(f.messages, edited)
        XCTAssertEqual(f.fit.compactedMessages, 0)
        XCTAssertEqual(f.fit.droppedMessages, 0, "the system prompt before the first message sent is no message left out")
        XCTAssertNil(summary.end(in: edited))
    }

    func testTruncationIsTheFallbackAndReportsOnlyWhatItLeftOut() {
        // Ten long turns after the summary, a context that holds about three of them.
        var m = [msg(.system, "sys", "s"), msg(.user, "old", "u0"), msg(.assistant, "old answer", "a0")]
        for t in 1...10 { m += [msg(.user, "question \(t) " + String(repeating: "q", count: 400), "u\(t)"), msg(.assistant, "answer \(t) " + String(repeating: "a", count: 400), "a\(t)")] }
        m.append(msg(.user, "last", "last"))
        let c = Compaction(summary: "SUMMARY-77", through: "a0", messages: 2)
        var req = ChatRequest(messages: m, sampling: { var p = SamplingParams(); p.maxTokens = 100; return p }(), compaction: c)
        // Decisions remembered from before the compaction counted other turns: they are not applied under it.
        req.fitState.droppedTurns = 9
        let f = PromptFitter(template: .glm47, counter: FakeCounter(), contextLength: 800).fit(req)
        XCTAssertTrue(f.prompt.hasPrefix("[gMASK]<sop><|system|>sys\n\n" + heading + "\n\nSUMMARY-77<|user|>question "), "the summary stays first")
        XCTAssertLessThanOrEqual(f.fit.promptTokens, 700)
        XCTAssertEqual(f.messages.last?.id, "last")
        let keptTurns = f.messages.filter { $0.role == .user }.count - 1
        XCTAssertEqual(f.fit.state.compactedThrough, "a0")
        guard case .droppedTurns(let turns, let messages, _)? = f.fit.report.steps.last else { return XCTFail("\(f.fit.report.steps)") }
        XCTAssertEqual(turns, 10 - keptTurns, "only turns after the summary are counted as left out")
        XCTAssertEqual(messages, 2 * turns)
        XCTAssertFalse(f.fit.report.removedMessageIDs.contains("u0"))
        XCTAssertEqual(f.fit.compactedMessages, 3)
        XCTAssertEqual(f.fit.droppedMessages, 3 + messages)
        XCTAssertLessThan(turns, 9, "the remembered 9 dropped turns were not re-applied")
    }

    func testTheSummaryRequestBuildsOnAnEarlierSummary() {
        let conv = conversation + [msg(.assistant, "a3", "a3"), msg(.user, "q4", "u4")]
        XCTAssertEqual(Compaction.boundary(conv, keepTurns: 2), 5, "q3 and q4 are kept")
        XCTAssertEqual(Compaction.boundary(conv, keepTurns: 0), 8)
        XCTAssertNil(Compaction.boundary(conv, keepTurns: 4))
        let first = Compaction.requestMessages(conv, upTo: 5, previous: nil)
        XCTAssertEqual(first.map(\.id), ["s", "u1", "a1", "u2", "a2", "compaction-request"])
        XCTAssertEqual(first.last?.content, Compaction.instruction)
        let next = Compaction.requestMessages(conv, upTo: 5, previous: summary)
        XCTAssertEqual(next.map(\.id), ["s", "u2", "a2", "compaction-request"])
        XCTAssertEqual(next[0].content, "You are terse.\n\n" + heading + "\n\n- The user asked q1 and q2.")
    }

    func testCodableToleratesMissingFieldsAndLeavesOutDefaults() throws {
        let c = try JSONDecoder().decode(Compaction.self, from: Data(#"{"summary": "S", "through": "m9", "future": 1}"#.utf8))
        XCTAssertEqual(c, Compaction(summary: "S", through: "m9", messages: 0, created: nil, edited: false))
        XCTAssertThrowsError(try JSONDecoder().decode(Compaction.self, from: Data(#"{"through": "m9"}"#.utf8)))
        let out = String(decoding: try JSONEncoder().encode(c), as: UTF8.self)
        XCTAssertFalse(out.contains("edited"))
    }
}
