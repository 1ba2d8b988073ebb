// OpenAI-format import/export of messages: roles, content parts, string arguments, tool-result names, errors.
import Foundation
import XCTest
@testable import Chat

final class MessageOpenAITests: XCTestCase {
    func testImportOpenAIShapes() throws {
        let text = """
        {"messages": [
          {"role": "developer", "content": "sys"},
          {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image_url", "image_url": {"url": "x"}}, {"type": "text", "text": "b"}]},
          {"role": "assistant", "content": null, "reasoning_content": "think",
           "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\\"x\\": 1, \\"y\\": [true]}"}},
                          {"id": "c2", "name": "g", "arguments": {"z": "w"}},
                          {"id": "c3", "function": {"name": "h", "arguments": ""}}]},
          {"role": "tool", "tool_call_id": "c1", "content": "out"},
          {"role": "tool", "tool_result": {"call_id": "c2", "name": "g", "exit_status": 3}, "content": "o2"}
        ], "tools": [{"type": "function", "function": {"name": "f"}}]}
        """
        let c = try OpenAIConversation(text: text)
        XCTAssertEqual(c.messages.map(\.role), [.system, .user, .assistant, .tool, .tool])
        XCTAssertEqual(c.messages[1].content, "ab")
        XCTAssertEqual(c.messages[2].content, "")
        XCTAssertEqual(c.messages[2].reasoning, "think")
        XCTAssertEqual(c.messages[2].toolCalls, [
            ToolCall(id: "c1", name: "f", arguments: .object([("x", .int(1)), ("y", .array([.bool(true)]))])),
            ToolCall(id: "c2", name: "g", arguments: .object([("z", .string("w"))])),
            ToolCall(id: "c3", name: "h", arguments: .object([])),
        ])
        XCTAssertEqual(c.messages[3].toolResult?.name, "f")   // taken from the call it answers
        XCTAssertEqual(c.messages[3].toolResult?.callID, "c1")
        XCTAssertEqual(c.messages[4].toolResult?.exitStatus, 3)
        XCTAssertEqual(c.tools.count, 1)
    }

    func testExportRoundTrip() throws {
        let msgs: [Message] = [.system("s"), .user("u"),
                               .assistant("", reasoning: "r", toolCalls: [ToolCall(id: "k", name: "n", arguments: .object([("a", .double(0.5))]))]),
                               .tool("res", callID: "k", name: "n")]
        let json = OpenAIConversation(messages: msgs).json()
        XCTAssertEqual(json["messages"]?.arrayValue?[2]["tool_calls"]?.arrayValue?[0]["function"]?["arguments"], .string("{\"a\":0.5}"))
        XCTAssertEqual(json["messages"]?.arrayValue?[3].serialized(), #"{"role":"tool","content":"res","tool_call_id":"k","name":"n"}"#)
        let back = try OpenAIConversation(json: json).messages
        XCTAssertEqual(back.map(\.role), msgs.map(\.role))
        XCTAssertEqual(back.map(\.content), msgs.map(\.content))
        XCTAssertEqual(back[2].toolCalls, msgs[2].toolCalls)
        XCTAssertEqual(back[2].reasoning, "r")
        XCTAssertEqual(back[3].toolResult?.callID, "k")
    }

    func testBadInputIsATypedError() {
        let bad = ["[1]", #"{"messages": [{"content": "x"}]}"#, #"{"messages": [{"role": "robot", "content": "x"}]}"#,
                   #"{"messages": [{"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": "{bad"}}]}]}"#,
                   #"{"messages": [{"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": "[1]"}}]}]}"#,
                   #"{"messages": [{"role": "user", "content": 5}]}"#, "not json", "{}"]
        for b in bad {
            XCTAssertThrowsError(try OpenAIConversation(text: b), b) { e in
                XCTAssertTrue(e is MessageImportError, "\(b): \(e)")
                XCTAssertFalse("\(e)".contains("\n"))
            }
        }
    }
}
