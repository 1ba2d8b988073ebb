// Tool calls the model gets wrong: a call written inside the reasoning is run (the thinking ends there), and a call
// that cannot be read is still reported, with what could be read and why, so the model is answered with the error.
// Every case is checked at every split of the text (ReplyParserTests.assertAllSplits).
import Foundation
import XCTest
@testable import Chat

extension ReplyParserTests {
    /// The events of a call that could not be read: the warning for the user, then the call with its reason.
    func unreadable(_ id: String, _ name: String, _ args: [(String, JSONValue)], _ why: String) -> [ReplyEvent] {
        [.warning(ReplyParser.unreadableCallWarning(why)), .toolCall(ToolCall(id: id, name: name, arguments: .object(args), malformed: why))]
    }

    func testCallInsideReasoningEndsTheThinking() {
        let text = "\nI need the file.\n<tool_call>read_file<arg_key>path</arg_key><arg_value>a.txt</arg_value></tool_call>"
        let call = ToolCall(id: "call_1", name: "read_file", arguments: .object([("path", .string("a.txt"))]))
        assertAllSplits(text, reasoning: true, end: .endOfMessage, [.reasoning("I need the file."), .toolCall(call), .end(.endOfMessage)])
        let (_, p) = run([text], reasoning: true, end: .endOfMessage)
        XCTAssertEqual(p.finishReason(for: .endOfMessage), .toolCalls)
        XCTAssertEqual(p.rethinks, 0)
        XCTAssertFalse(p.isInReasoning)
        // The model ends its turn with EOS instead of <|observation|>: still a tool round.
        XCTAssertEqual(run([text], reasoning: true, end: .endOfText).1.finishReason(for: .endOfText), .toolCalls)
    }

    func testReasoningThatOnlyWritesAboutCallsStaysReasoning() {
        // "<tool_call>" followed by </think> before any </tool_call>: the reasoning was talking about the format.
        let text = "I'll answer in the <tool_call> format? No.\n</think>\nHere it is."
        assertAllSplits(text, reasoning: true, end: .endOfTurn,
                        [.reasoning("I'll answer in the <tool_call> format? No."), .content("Here it is."), .end(.endOfTurn)])
        let (_, p) = run([text], reasoning: true, end: .endOfTurn)
        XCTAssertEqual(p.toolCallCount, 0)
        XCTAssertEqual(p.finishReason(for: .endOfTurn), .stop)
        // After the answer has begun, </think> inside a call is the call's text.
        let call = ToolCall(id: "call_1", name: "write_file", arguments: .object([("path", .string("a")), ("content", .string("x</think>y"))]))
        assertAllSplits("r</think>ok<tool_call>write_file<arg_key>path</arg_key><arg_value>a</arg_value><arg_key>content</arg_key><arg_value>x</think>y</arg_value></tool_call>",
                        reasoning: true, end: .endOfMessage, [.reasoning("r"), .content("ok"), .toolCall(call), .end(.endOfMessage)])
    }

    func testMissingArgValueCloseBeforeTheNextArgument() {
        let text = "</think><tool_call>write_file<arg_key>path</arg_key><arg_value>a.txt<arg_key>content</arg_key><arg_value>hi</arg_value></tool_call>"
        assertAllSplits(text, reasoning: true, end: .endOfMessage,
                        unreadable("call_1", "write_file", [("path", .string("a.txt")), ("content", .string("hi"))],
                                   "the value of argument \"path\" is not closed with </arg_value> before the next <arg_key>") + [.end(.endOfMessage)])
    }

    func testMissingArgValueCloseAtTheEndOfTheCall() {
        assertAllSplits("</think><tool_call>read_file<arg_key>path</arg_key><arg_value>a.txt</tool_call>", reasoning: true, end: .endOfMessage,
                        unreadable("call_1", "read_file", [("path", .string("a.txt"))],
                                   "the value of argument \"path\" is not closed with </arg_value>") + [.end(.endOfMessage)])
    }

    func testMissingArgKeyClose() {
        assertAllSplits("</think><tool_call>read_file<arg_key>path<arg_value>a.txt</arg_value></tool_call>", reasoning: true, end: .endOfMessage,
                        unreadable("call_1", "read_file", [("path", .string("a.txt"))],
                                   "the argument name \"path\" is not closed with </arg_key>") + [.end(.endOfMessage)])
        assertAllSplits("</think><tool_call>f<arg_key>path</tool_call>", reasoning: true, end: .endOfMessage,
                        unreadable("call_1", "f", [], "the argument name \"path\" is not closed with </arg_key>") + [.end(.endOfMessage)])
    }

    func testMissingArgValue() {
        assertAllSplits("x</think>t<tool_call>f<arg_key>a</arg_key>junk</tool_call>", reasoning: true, end: .endOfMessage,
                        [.reasoning("x"), .content("t")] + unreadable("call_1", "f", [], "argument \"a\" has no <arg_value>…</arg_value>") + [.end(.endOfMessage)])
    }

    func testNoNameAndNotAName() {
        assertAllSplits("</think><tool_call><arg_key>a</arg_key><arg_value>1</arg_value></tool_call>", reasoning: true, end: .endOfMessage,
                        unreadable("call_1", "unknown", [("a", .int(1))], "it has no function name") + [.end(.endOfMessage)])
        // Arguments written as JSON after the name.
        assertAllSplits("</think><tool_call>read_file\n{\"path\": \"a\"}</tool_call>", reasoning: true, end: .endOfMessage,
                        unreadable("call_1", "read_file", [],
                                   "the function name is followed by \"{\"path\": \"a\"}\" instead of <arg_key>…</arg_key><arg_value>…</arg_value> pairs")
                        + [.end(.endOfMessage)])
    }

    func testUnclosedAtTheEndOfTheReply() {
        let why = "it was not closed with </tool_call> before the reply ended"
        assertAllSplits("</think>Sure.<tool_call>read_file<arg_key>path</arg_key><arg_value>x", reasoning: true, end: .endOfTurn,
                        [.content("Sure.")] + unreadable("call_1", "read_file", [("path", .string("x"))], why) + [.end(.endOfTurn)])
        let (_, p) = run(["</think>Sure.<tool_call>read_file"], reasoning: true, end: .endOfTurn)
        XCTAssertEqual(p.toolCallCount, 1)
        XCTAssertEqual(p.finishReason(for: .endOfTurn), .toolCalls)
        // Cut off inside the reasoning (a server stream that ends without an end-of-turn marker).
        assertAllSplits("hm<tool_call>list_dir", reasoning: true, end: nil,
                        [.reasoning("hm")] + unreadable("call_1", "list_dir", [], why))
        // An end-of-turn marker in the text inside the call.
        assertAllSplits("</think><tool_call>f<arg_key>a</arg_key><arg_value>1</arg_value><|observation|>", reasoning: true, end: nil,
                        unreadable("call_1", "f", [("a", .int(1))], "the turn ended before it was closed with </tool_call>") + [.end(.endOfMessage)])
    }

    func testNewCallBeforeTheClose() {
        assertAllSplits("</think><tool_call>a<tool_call>b</tool_call>", reasoning: true, end: .endOfMessage,
                        unreadable("call_1", "a", [], "a new <tool_call> began before it was closed with </tool_call>")
                        + [.toolCall(ToolCall(id: "call_2", name: "b", arguments: .object([]))), .end(.endOfMessage)])
    }

    func testArgumentsThatAreNotJSONOfTheirDeclaredType() {
        let types: [String: [String: String]] = ["t": ["n": "integer", "x": "number", "b": "boolean", "o": "object", "a": "array", "s": "string"]]
        func parse(_ body: String) -> ReplyParser.ParsedCall { ReplyParser.parseCallBody(Array(body.utf8), types: types) }
        func arg(_ k: String, _ v: String) -> String { "<arg_key>\(k)</arg_key><arg_value>\(v)</arg_value>" }
        // Good values of every type, and null.
        let good = parse("t" + arg("n", "3") + arg("x", "2.5") + arg("b", "true") + arg("o", "{\"k\": 1}") + arg("a", "[1]") + arg("s", "42") + arg("n", " null "))
        XCTAssertNil(good.problem)
        XCTAssertEqual(good.arguments, .object([("n", .null), ("x", .double(2.5)), ("b", .bool(true)), ("o", .object([("k", .int(1))])),
                                                ("a", .array([.int(1)])), ("s", .string("42"))]))
        let cases: [(String, String, String)] = [
            ("n", "3.5", "an integer"), ("n", "three", "an integer"), ("n", "\"3\"", "an integer"), ("x", "1,5", "a number"),
            ("b", "yes", "a boolean"), ("o", "{k: 1}", "a JSON object"), ("o", "[1]", "a JSON object"), ("a", "1, 2", "an array"),
        ]
        for (k, v, what) in cases {
            let c = parse("t" + arg(k, v))
            XCTAssertEqual(c.problem, "argument \"\(k)\" must be \(what), but its value \"\(v)\" is not", v)
            XCTAssertEqual(c.arguments, .object([(k, .string(v))]), v)
        }
        // Through the streaming parser, with the declared tools.
        assertAllSplits("</think><tool_call>write_file<arg_key>path</arg_key><arg_value>a</arg_value><arg_key>mode</arg_key><arg_value>rw-r--r--</arg_value></tool_call>",
                        reasoning: true, end: .endOfMessage,
                        unreadable("call_1", "write_file", [("path", .string("a")), ("mode", .string("rw-r--r--"))],
                                   "argument \"mode\" must be an integer, but its value \"rw-r--r--\" is not") + [.end(.endOfMessage)])
    }

    func testReasonsQuoteModelTextShortAndInert() {
        let c = ReplyParser.parseCallBody(Array("f <\u{1B}]0;x\u{07}\(String(repeating: "y", count: 500))".utf8), types: [:])
        let why = try! XCTUnwrap(c.problem)
        XCTAssertEqual(c.name, "f")
        XCTAssertFalse(why.unicodeScalars.contains { $0.value < 0x20 }, why)
        XCTAssertLessThan(why.utf8.count, 200)
    }

    func testMalformedCallsFinishAsToolCalls() {
        var p = ReplyParser(startInReasoning: true, makeID: { "x" })
        let evs = p.feed("a<tool_call>f<arg_key>k</arg_key>") + p.finish(.endOfMessage)
        let chat = p.chatEvents(evs)
        XCTAssertEqual(chat.last, .finished(.toolCalls))
        XCTAssertTrue(chat.contains { if case .toolCall(let c) = $0 { return c.malformed != nil }; return false }, "\(chat)")
    }
}

/// The whole round in Chat: a malformed call the model writes (with the real tool declarations) is answered by the coding
/// tools with its error, unrun, and the next GLM prompt shows the model that error as the observation.
final class MalformedCallRoundTests: XCTestCase {
    func testTheModelIsShownWhyItsCallCouldNotBeRead() async throws {
        let root = NSTemporaryDirectory() + "glmchat-malformed-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let tools = CodingTools(workspace: try Workspace(root: root))
        let request = ChatRequest(messages: [.user("make a.txt")], tools: tools.declarations)
        var parser = request.replyParser(.glm47)
        var calls: [ToolCall] = []
        for e in parser.feed("I'll write it.<tool_call>write_file<arg_key>path</arg_key><arg_value>a.txt") + parser.finish(.endOfMessage) {
            if case .toolCall(let c) = e { calls.append(c) }
        }
        XCTAssertEqual(parser.finishReason(for: .endOfMessage), .toolCalls)
        let call = try XCTUnwrap(calls.first)
        let outcome = await tools.execute(call) { _ in XCTFail("a malformed call was offered for approval"); return .approve }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/a.txt"))
        let next = request.messages + [.assistant("", reasoning: "I'll write it.", toolCalls: [call]),
                                        .tool(outcome.output, callID: call.id, name: call.name)]
        XCTAssertTrue(ChatTemplate.glm47.render(next).hasSuffix(
            "<|assistant|><think>I'll write it.</think><tool_call>write_file<arg_key>path</arg_key><arg_value>a.txt</arg_value></tool_call>"
            + "<|observation|><tool_response>Error: The call to write_file could not be read: it was not closed with </tool_call> before the reply"
            + " ended. Write it again, complete.</tool_response><|assistant|><think>"), ChatTemplate.glm47.render(next))
    }
}
