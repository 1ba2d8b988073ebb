// A tool round as the server is asked for it: GLM's tool sampling preset unless the user chose their own values, and a
// tool result the user undid carries the note; a malformed call in raw GLM text still finishes the reply as tool_calls.
import XCTest
import Chat
@testable import Remote

final class ToolRoundBodyTests: XCTestCase {
    let call = ToolCall(id: "c1", name: "edit_file", arguments: .object([("path", .string("a.txt"))]))

    func body(_ sampling: SamplingParams = .glmDefault, undone: Bool = false) -> JSONValue {
        var result = Message.tool("Edited a.txt.", callID: "c1", name: "edit_file")
        result.toolResult?.undone = undone
        return ChatCompletionBody.make(ChatRequest(messages: [.user("fix"), .assistant("", toolCalls: [call]), result], sampling: sampling), model: nil)
    }

    func testToolRoundSendsTheToolPreset() {
        XCTAssertEqual(body()["temperature"], .double(0.7))
        XCTAssertEqual(body()["top_p"], .double(1.0))
        var mine = SamplingParams.glmDefault
        mine.temperature = 0.2
        XCTAssertEqual(body(mine)["temperature"], .double(0.2))
        XCTAssertEqual(body(mine)["top_p"], .double(0.95))
    }

    func testUndoneResultCarriesTheNote() {
        XCTAssertEqual(body(undone: true)["messages"]?.arrayValue?.last?["content"], .string("Edited a.txt.\n" + Message.undoneNote))
        XCTAssertEqual(body(undone: false)["messages"]?.arrayValue?.last?["content"], .string("Edited a.txt."))
    }

    func testMalformedCallInRawTextFinishesAsToolCalls() {
        var d = StreamDecoder(thinking: true)
        var events: [ChatEvent] = []
        for piece in ["plan</think>", "<tool_call>read_file<arg_key>path", "</arg_key><arg_value>a.txt</tool_call>"] {
            events += d.decode(SSEEvent(data: #"{"choices":[{"index":0,"delta":{"content":"# + JSONValue.string(piece).serialized() + "}}]}"))
        }
        events += d.decode(SSEEvent(data: #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#))
        events += d.flush()
        XCTAssertTrue(events.contains { if case .toolCall(let c) = $0 { return c.name == "read_file" && c.malformed != nil }; return false }, "\(events)")
        XCTAssertEqual(d.finishReason, .toolCalls)
    }
}
