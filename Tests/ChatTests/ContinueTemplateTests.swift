// Continuing a stopped reply: the prompt ends inside it. Checked against transformers' rule for
// continue_final_message (render without a generation prompt, cut after the last occurrence of the final message's
// content) applied to our full render, which TemplateGoldenTests holds byte-identical to jinja2; and the reply
// parser starts inside the reasoning exactly when the stopped reply had not begun its answer.
import XCTest
@testable import Chat

final class ContinueTemplateTests: XCTestCase {
    /// transformers' apply_chat_template(continue_final_message=True), on a rendered conversation.
    func cutAfterFinal(_ rendered: String, _ final: String) throws -> String {
        let needle = rendered.contains(final) ? final : PythonText.strip(final)
        let r = try XCTUnwrap(rendered.range(of: needle, options: .backwards), "the final message is in the render")
        return String(rendered[..<r.upperBound])
    }

    let conversations: [[Message]] = [
        [.user("What is the capital of France?"), .assistant("The capital of France is", reasoning: "Easy: Paris.")],
        [.system("Be brief."), .user("Hi"), .assistant("Hello! How can I"), ],
        [.user("q1"), .assistant("a1", reasoning: "r1"), .user("q2"), .assistant("Two things:\n\n1. first", reasoning: "\nthink\n")],
        [.user("list files"), .assistant("", toolCalls: [ToolCall(id: "c1", name: "list_files", arguments: .object([("path", .string("."))]))]),
         .tool("a.txt\nb.txt", callID: "c1", name: "list_files"), .assistant("There are two files: a.txt and")],
    ]

    func testGLMEndsInsideTheStoppedAnswer() throws {
        for conv in conversations {
            for thinking in [true, false] {
                let full = ChatTemplate.glm47.render(conv, options: TemplateOptions(addGenerationPrompt: false, thinking: thinking))
                let open = ChatTemplate.glm47.render(conv, options: TemplateOptions(addGenerationPrompt: false, thinking: thinking, continueFinal: true))
                XCTAssertEqual(open, try cutAfterFinal(full, conv.last!.content), "\(conv.map(\.content))")
            }
        }
    }

    func testChatMLEndsInsideTheStoppedAnswer() throws {
        for conv in conversations {
            let t = ChatTemplate.chatML(defaultSystemPrompt: "You are a helpful AI assistant.")
            let full = t.render(conv, options: TemplateOptions(addGenerationPrompt: false))
            let open = t.render(conv, options: TemplateOptions(addGenerationPrompt: false, continueFinal: true))
            XCTAssertEqual(open, try cutAfterFinal(full, conv.last!.content))
        }
    }

    func testAReplyStoppedWhileThinkingGoesOnThinking() {
        let conv: [Message] = [.user("Why is the sky blue?"), .assistant("", reasoning: "\nRayleigh scattering: shorter")]
        var r = ChatRequest(messages: conv, thinking: true)
        r.continuing = true
        XCTAssertTrue(r.prompt(.glm47).hasSuffix("<|user|>Why is the sky blue?<|assistant|><think>Rayleigh scattering: shorter"), r.prompt(.glm47))
        var p = r.replyParser(.glm47)
        XCTAssertTrue(p.isInReasoning)
        XCTAssertEqual(p.chatEvents(p.feed(" wavelengths</think>Because")), [.reasoning(" wavelengths"), .content("Because")])

        // With an answer begun, or thinking off, the parser starts in the answer.
        r.messages[1].content = "Because of"
        XCTAssertFalse(r.replyParser(.glm47).isInReasoning)
        XCTAssertTrue(r.prompt(.glm47).hasSuffix("<think>Rayleigh scattering: shorter</think>Because of"))
        r.messages[1].content = ""
        r.thinking = false
        XCTAssertFalse(r.replyParser(.glm47).isInReasoning)
        // Not continuing: the usual generation prompt.
        r.continuing = false
        r.thinking = true
        XCTAssertTrue(r.prompt(.glm47).hasSuffix("<|assistant|><think>"))
    }
}
