// Markdown and OpenAI-style JSON export, import, and the export → import → export round trip.
import Chat
import Foundation
import XCTest
@testable import Store

final class ExportTests: XCTestCase {
    static let session = Session(
        id: "s1", title: "", created: Date(timeIntervalSince1970: 1_767_323_045), model: SessionModel(name: "GLM-4.7-Flash"),
        messages: [
            Message(id: "0", role: .system, content: "Be brief.", created: nil),
            Message(id: "1", role: .user, content: "List the <src> folder", created: nil),
            Message(id: "2", role: .assistant, content: "", reasoning: "Use ls.\n", toolCalls: [
                ToolCall(id: "call_1", name: "bash", arguments: .object([("command", .string("ls src")), ("timeout", .int(5))])),
            ], created: nil),
            Message(id: "3", role: .tool, content: "main.swift\n```odd```\n", toolResult: ToolResult(callID: "call_1", name: "bash", exitStatus: 0), created: nil),
            Message(id: "4", role: .assistant, content: "One file: `main.swift`.", reasoning: "Done.", created: nil),
            Message(id: "5", role: .assistant, content: "Also", incomplete: true, created: nil),
        ])

    func testMarkdown() {
        let want = """
        # List the &lt;src&gt; folder

        *Session `s1` · model GLM-4.7-Flash · created 2026-01-02T03:04:05.000Z · 6 messages*

        ## System

        Be brief.

        ## User

        List the <src> folder

        ## Assistant

        <details>
        <summary>Reasoning</summary>

        Use ls.

        </details>

        <details>
        <summary>Tool call: bash</summary>

        ```json
        {
          "command": "ls src",
          "timeout": 5
        }
        ```

        </details>

        ## Tool result

        <details>
        <summary>Output of bash (exit 0)</summary>

        ````
        main.swift
        ```odd```
        ````

        </details>

        ## Assistant

        <details>
        <summary>Reasoning</summary>

        Done.

        </details>

        One file: `main.swift`.

        ## Assistant

        Also

        *(this reply was cut off)*

        """
        XCTAssertEqual(SessionExport.markdown(Self.session), want)
    }

    func testMarkdownShowsTheSummaryWhereTheMessagesItCoversEnd() {
        var s = Self.session
        s.compaction = Compaction(summary: "The user listed src.\n", through: "3", messages: 3, created: nil, edited: true)
        let md = SessionExport.markdown(s)
        let want = """
        <details>
        <summary>Summary of 3 earlier messages (sent to the model in their place; edited)</summary>

        The user listed src.

        </details>
        """
        let summary = try! XCTUnwrap(md.range(of: want), md)
        XCTAssertLessThan(try! XCTUnwrap(md.range(of: "Output of bash")).lowerBound, summary.lowerBound)
        XCTAssertLessThan(summary.upperBound, try! XCTUnwrap(md.range(of: "One file: `main.swift`.")).lowerBound)
    }

    func testOpenAIJSON() {
        let want = #"{"model":"GLM-4.7-Flash","messages":[{"role":"system","content":"Be brief."},"#
            + #"{"role":"user","content":"List the <src> folder"},"#
            + #"{"role":"assistant","content":"","reasoning_content":"Use ls.\n","tool_calls":[{"id":"call_1","type":"function","function":{"name":"bash","arguments":"{\"command\":\"ls src\",\"timeout\":5}"}}]},"#
            + #"{"role":"tool","tool_call_id":"call_1","name":"bash","content":"main.swift\n```odd```\n"},"#
            + #"{"role":"assistant","content":"One file: `main.swift`.","reasoning_content":"Done."},"#
            + #"{"role":"assistant","content":"Also"}]}"#
        XCTAssertEqual(SessionExport.openAI(Self.session).serialized(), want)
    }

    func testExportImportRoundTrip() throws {
        let store = SessionStore(directory: try makeTempDir())
        let original = try store.create(model: Self.session.model, messages: Self.session.messages)
        try original.close()
        let exported = try store.exportOpenAI(original.id)
        let id = try store.importOpenAI(Array(exported.utf8))
        XCTAssertNotEqual(id, original.id)
        let imported = try store.load(id)
        let before = Self.session.messages
        XCTAssertEqual(imported.messages.map(\.role), before.map(\.role))
        XCTAssertEqual(imported.messages.map(\.content), before.map(\.content))
        XCTAssertEqual(imported.messages.map(\.reasoning), before.map(\.reasoning))
        XCTAssertEqual(imported.messages.map(\.toolCalls), before.map(\.toolCalls))
        XCTAssertEqual(imported.messages.map { $0.toolResult?.callID }, before.map { $0.toolResult?.callID })
        XCTAssertEqual(imported.messages.map { $0.toolResult?.name }, before.map { $0.toolResult?.name })
        XCTAssertEqual(imported.model?.name, "GLM-4.7-Flash")
        XCTAssertEqual(imported.title, "List the <src> folder")
        // And exporting the import gives the same bytes again.
        XCTAssertEqual(try store.exportOpenAI(id), exported)
    }

    func testImportAcceptsCommonShapes() throws {
        let json = """
        [{"role": "developer", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
         {"role": "user", "content": "q"},
         {"role": "assistant", "content": null, "reasoning": "r",
          "tool_calls": [{"id": "x", "type": "function", "function": {"name": "f", "arguments": "not json"}},
                         {"type": "function", "function": {"name": "g", "arguments": {"k": [1]}}}]},
         {"role": "tool", "tool_call_id": "x", "content": "out"}]
        """
        let (m, model) = try SessionExport.importOpenAI(Array(json.utf8))
        XCTAssertNil(model)
        XCTAssertEqual(m.map(\.role), [.system, .user, .assistant, .tool])
        XCTAssertEqual(m[0].content, "a\nb")
        XCTAssertEqual(m[2].content, "")
        XCTAssertEqual(m[2].reasoning, "r")
        XCTAssertEqual(m[2].toolCalls, [ToolCall(id: "x", name: "f", arguments: .string("not json")),
                                        ToolCall(id: "call_2_1", name: "g", arguments: .object([("k", .array([.int(1)]))]))])
        XCTAssertEqual(m[3].toolResult, ToolResult(callID: "x", name: "f"), "the tool name comes from the call")
    }

    func testImportRejectsWhatItCannotRepresent() {
        let cases: [(String, String)] = [
            ("{", "The file cannot be imported: it is not valid JSON (invalid JSON at byte 1: expected a string key)"),
            (#"{"model": "m"}"#, "The file cannot be imported: it has no \"messages\" array"),
            ("42", "The file cannot be imported: it holds neither a list of messages nor an object with \"messages\""),
            (#"[{"content": "x"}]"#, "The file cannot be imported: message 1 has no role"),
            (#"[{"role": "robot", "content": "x"}]"#, "The file cannot be imported: message 1 has the unknown role \"robot\""),
            (#"[{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]"#,
             "The file cannot be imported: message 1 has a content part of type \"image_url\"; only text can be imported"),
            (#"[{"role": "assistant", "tool_calls": [{"id": "a"}]}]"#, "The file cannot be imported: message 1 has a tool call without a function name"),
        ]
        for (json, message) in cases {
            XCTAssertThrowsError(try SessionExport.importOpenAI(Array(json.utf8))) { XCTAssertEqual("\($0)", message, json) }
        }
    }
}
