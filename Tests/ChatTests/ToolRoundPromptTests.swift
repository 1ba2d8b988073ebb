// What a tool round changes in a request: GLM's tool sampling preset (unless the user chose their own values), and
// the note a tool result carries into the prompt once the user has undone its change.
import XCTest
@testable import Chat

final class ToolRoundSamplingTests: XCTestCase {
    let call = ToolCall(id: "c1", name: "edit_file", arguments: .object([("path", .string("a.txt"))]))

    func request(_ sampling: SamplingParams, lastIsTool: Bool) -> ChatRequest {
        var m: [Message] = [.user("fix it")]
        if lastIsTool { m += [.assistant("", toolCalls: [call]), .tool("Edited a.txt.", callID: "c1", name: "edit_file")] }
        return ChatRequest(messages: m, sampling: sampling)
    }

    func testToolRoundUsesTheToolPreset() {
        let s = request(.glmDefault, lastIsTool: true).effectiveSampling
        XCTAssertEqual(s.temperature, 0.7)
        XCTAssertEqual(s.topP, 1.0)
        XCTAssertEqual(s.minP, 0.01)   // the rest stays as recommended
        XCTAssertEqual(s.topK, 0)
    }

    func testUserTurnKeepsTheDefaults() {
        XCTAssertEqual(request(.glmDefault, lastIsTool: false).effectiveSampling, .glmDefault)
    }

    func testTheUsersOwnValuesWin() {
        let changes: [(inout SamplingParams) -> Void] = [{ $0.temperature = 0.3 }, { $0.topP = 0.8 }, { $0.minP = 0 }, { $0.topK = 40 },
                                                         { $0.repeatPenalty = 1.1 }]
        for change in changes {
            var mine = SamplingParams.glmDefault
            change(&mine)
            XCTAssertEqual(request(mine, lastIsTool: true).effectiveSampling, mine)
        }
    }

    func testSeedAndTokenLimitAreNotAChoiceOfSampling() {
        var p = SamplingParams.glmDefault
        p.seed = 42; p.maxTokens = 100
        let s = request(p, lastIsTool: true).effectiveSampling
        XCTAssertEqual([s.temperature, s.topP], [0.7, 1.0])
        XCTAssertEqual(s.seed, 42)
        XCTAssertEqual(s.maxTokens, 100)
    }
}

final class UndoneToolResultPromptTests: XCTestCase {
    let call = ToolCall(id: "c1", name: "edit_file", arguments: .object([("path", .string("a.txt"))]))

    func conversation(undone: Bool?, stopped: Bool? = nil, output: String = "Edited a.txt.") -> [Message] {
        var result = Message.tool(output, callID: "c1", name: "edit_file")
        result.toolResult?.undone = undone
        result.toolResult?.stopped = stopped
        return [.user("fix it"), .assistant("", toolCalls: [call]), result]
    }

    func testGLMRendersTheNoteAfterTheOutput() {
        XCTAssertEqual(ChatTemplate.glm47.render(conversation(undone: true)),
            "[gMASK]<sop><|user|>fix it<|assistant|></think><tool_call>edit_file<arg_key>path</arg_key><arg_value>a.txt</arg_value></tool_call>"
            + "<|observation|><tool_response>Edited a.txt.\n[The user has since undone this change: the file is back as it was before this call.]"
            + "</tool_response><|assistant|><think>")
    }

    func testChatMLRendersTheNote() {
        XCTAssertTrue(ChatTemplate.chatML(defaultSystemPrompt: nil).render(conversation(undone: true)).contains(
            "<|im_start|>tool\nEdited a.txt.\n[The user has since undone this change: the file is back as it was before this call.]<|im_end|>\n"))
    }

    func testNothingIsAddedUnlessUndone() {
        for (undone, stopped) in [(nil, nil), (false, nil), (nil, true)] as [(Bool?, Bool?)] {
            let prompt = ChatTemplate.glm47.render(conversation(undone: undone, stopped: stopped))
            XCTAssertTrue(prompt.contains("<tool_response>Edited a.txt.</tool_response>"), prompt)
        }
        XCTAssertEqual(conversation(undone: true)[1].promptContent, "")   // only tool results carry notes
    }

    func testNoteFollowsOutputOnItsOwnLine() {
        XCTAssertEqual(conversation(undone: true, output: "done\n")[2].promptContent, "done\n" + Message.undoneNote)
        XCTAssertEqual(conversation(undone: true, output: "")[2].promptContent, Message.undoneNote)
    }
}
