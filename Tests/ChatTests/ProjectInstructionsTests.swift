// The workspace's instructions in the system message: added after the conversation's own system prompt or sent
// as a system message of their own, the cut said in words, and the fit's "left out" count unchanged by them.
import XCTest
@testable import Chat

final class ProjectInstructionsTests: XCTestCase {
    let rules = ProjectInstructions(source: "AGENTS.md", text: "Use tabs.\n", fileBytes: 10)

    func testTheyJoinTheConversationsSystemPromptOrComeFirst() {
        let plain: [Message] = [.user("hi")]
        let sent = ProjectInstructions.messages(plain, with: rules)
        XCTAssertEqual(sent.map(\.role), [.system, .user])
        XCTAssertEqual(sent[0].content, "# Project instructions (from AGENTS.md)\n\nUse tabs.\n")
        let own: [Message] = [.system("You are terse."), .user("hi")]
        let merged = ProjectInstructions.messages(own, with: rules)
        XCTAssertEqual(merged.map(\.role), [.system, .user])
        XCTAssertEqual(merged[0].id, own[0].id)
        XCTAssertEqual(merged[0].content, "You are terse.\n\n# Project instructions (from AGENTS.md)\n\nUse tabs.\n")
        XCTAssertEqual(ProjectInstructions.messages(own, with: nil), own)
    }

    func testACutFileSaysSo() {
        let cut = ProjectInstructions(source: ".glmchat/instructions.md", text: "line one", fileBytes: 50_000)
        XCTAssertTrue(cut.truncated)
        XCTAssertEqual(cut.block, "# Project instructions (from .glmchat/instructions.md)\n\nline one\n"
                       + "[… the rest of .glmchat/instructions.md is left out: it is 50000 bytes and at most 32768 are sent]")
    }

    func testTheGLMPromptCarriesThemAndTheLeftOutCountIsTheConversations() {
        let long = String(repeating: "word ", count: 400)
        let conversation: [Message] = (0..<6).flatMap { i in [Message.user("\(i) " + long), Message.assistant("ok \(i)")] } + [.user("last")]
        let fitter = PromptFitter(template: .glm47, counter: ApproximateCounter(), contextLength: 2048)
        var r = ChatRequest(messages: conversation, thinking: false)
        let without = fitter.fit(r)
        r.instructions = rules
        let with = fitter.fit(r)
        XCTAssertTrue(with.prompt.hasPrefix("[gMASK]<sop><|system|># Project instructions (from AGENTS.md)\n\nUse tabs.\n<|user|>"), with.prompt)
        XCTAssertGreaterThan(without.fit.droppedMessages, 0)
        XCTAssertEqual(with.fit.droppedMessages, without.fit.droppedMessages)
        XCTAssertEqual(with.fit.sentMessages, without.fit.sentMessages + 1)
    }
}

/// About 4 bytes a token, exactly (a stand-in for a tokenizer).
private struct ApproximateCounter: TokenCounter {
    func countTokens(_ text: String) -> Int { (text.utf8.count + 3) / 4 }
}
