// The streaming reply parser: every split of the text into pieces gives the same events; reasoning state,
// lone </think>, typed tool-call arguments, end-of-turn markers (malformed calls: ReplyParserRecoveryTests).
import Foundation
import XCTest
@testable import Chat

final class ReplyParserTests: XCTestCase {
    static let tools: [JSONValue] = [try! JSONValue.parse("""
        {"type":"function","function":{"name":"write_file","parameters":{"type":"object","properties":{"path":{"type":"string"},"content":{"type":"string"},"mode":{"type":"integer"}}}}}
        """)]

    func parser(reasoning: Bool) -> ReplyParser {
        let counter = Counter()
        return ReplyParser(startInReasoning: reasoning, argumentTypes: ReplyParser.argumentTypes(fromTools: Self.tools),
                           makeID: { counter.next() })
    }

    /// Feeds pieces and merges adjacent text events, so results do not depend on where pieces were cut.
    func run(_ pieces: [String], reasoning: Bool, end: EndOfTurn? = .endOfTurn) -> ([ReplyEvent], ReplyParser) {
        var p = parser(reasoning: reasoning)
        var evs: [ReplyEvent] = []
        for piece in pieces { evs += p.feed(piece) }
        evs += p.finish(end)
        return (ReplyParser.merged(evs), p)
    }

    /// Checks the whole text, one scalar per piece, and every 3-piece split (by Unicode scalar) whose middle piece is
    /// at most 13 scalars long (so every marker is cut at every position into two and three pieces).
    func assertAllSplits(_ text: String, reasoning: Bool, end: EndOfTurn? = .endOfTurn, _ expected: [ReplyEvent], file: StaticString = #filePath, line: UInt = #line) {
        let u = Array(text.unicodeScalars)
        func s(_ r: Range<Int>) -> String { var x = ""; x.unicodeScalars.append(contentsOf: u[r]); return x }
        XCTAssertEqual(run([text], reasoning: reasoning, end: end).0, expected, "whole", file: file, line: line)
        XCTAssertEqual(run(u.indices.map { s($0..<$0 + 1) }, reasoning: reasoning, end: end).0, expected, "one scalar per piece", file: file, line: line)
        var failures = 0
        for i in 0...u.count {
            for j in i...min(u.count, i + 13) where failures < 3 {
                let got = run([s(0..<i), s(i..<j), s(j..<u.count)], reasoning: reasoning, end: end).0
                if got != expected { failures += 1; XCTFail("split at \(i),\(j): \(got)", file: file, line: line) }
            }
        }
    }

    func testReasoningAnswerAndTypedToolCall() {
        let text = "\nLet me think é 👍.\n</think>\n\nI'll write it.\n<tool_call>write_file\n<arg_key>path</arg_key>\n<arg_value>a.txt</arg_value><arg_key>content</arg_key><arg_value>42</arg_value><arg_key>mode</arg_key><arg_value>420</arg_value><arg_key>opts</arg_key><arg_value>{\"x\": [1, 2.5, true, null]}</arg_value><arg_key>note</arg_key><arg_value>not json</arg_value></tool_call>"
        assertAllSplits(text, reasoning: true, end: .endOfMessage, [
            .reasoning("Let me think é 👍."),
            .content("I'll write it."),
            .toolCall(ToolCall(id: "call_1", name: "write_file", arguments: .object([
                ("path", .string("a.txt")), ("content", .string("42")), ("mode", .int(420)),
                ("opts", .object([("x", .array([.int(1), .double(2.5), .bool(true), .null]))])), ("note", .string("not json"))]))),
            .end(.endOfMessage),
        ])
        let (_, p) = run([text], reasoning: true, end: .endOfMessage)
        XCTAssertEqual(p.finishReason(for: .endOfMessage), .toolCalls)
        XCTAssertEqual(p.rethinks, 0)
    }

    func testParallelCallsWithoutSchema() {
        let text = "</think><tool_call>get_weather<arg_key>city</arg_key><arg_value>Paris</arg_value></tool_call>\n<tool_call>get_weather<arg_key>city</arg_key><arg_value>Oslo</arg_value><arg_key>days</arg_key><arg_value>3</arg_value></tool_call>"
        assertAllSplits(text, reasoning: true, end: .endOfMessage, [
            .toolCall(ToolCall(id: "call_1", name: "get_weather", arguments: .object([("city", .string("Paris"))]))),
            .toolCall(ToolCall(id: "call_2", name: "get_weather", arguments: .object([("city", .string("Oslo")), ("days", .int(3))]))),
            .end(.endOfMessage),
        ])
    }

    func testLoneEndThinkAndRepeatedThinkAreNotShown() {
        // Thinking off: the prompt ended with </think>, the model writes another one.
        assertAllSplits("</think>Hello <b>there</b> a<b", reasoning: false, [.content("Hello <b>there</b> a<b"), .end(.endOfTurn)])
        // Thinking on: the model repeats <think> although the prompt opened it.
        assertAllSplits("<think>hmm</think>ok", reasoning: true, [.reasoning("hmm"), .content("ok"), .end(.endOfTurn)])
        // A model that opens its own reasoning.
        assertAllSplits("<think>plan</think>\nanswer", reasoning: false, [.reasoning("plan"), .content("answer"), .end(.endOfTurn)])
    }

    func testNearMissMarkersAreText() {
        assertAllSplits("</think><thinking> <tool> <arg_key> </tool_cal <|use 1 < 2 > 0 <|", reasoning: true,
                        [.content("<thinking> <tool> <arg_key> </tool_cal <|use 1 < 2 > 0 <|"), .end(.endOfTurn)])
        // A tool call inside the reasoning ends it there (ReplyParserRecoveryTests); the </think> after it is a lone one.
        assertAllSplits("I could <tool_call>x</tool_call> later</think> done", reasoning: true,
                        [.reasoning("I could"), .toolCall(ToolCall(id: "call_1", name: "x", arguments: .object([]))),
                         .content("later done"), .end(.endOfTurn)])
    }

    func testEndMarkersInText() {
        assertAllSplits("r</think>done<|user|>ignored <tool_call>", reasoning: true, end: nil, [.reasoning("r"), .content("done"), .end(.endOfTurn)])
        assertAllSplits("r</think>x<|endoftext|>", reasoning: true, end: nil, [.reasoning("r"), .content("x"), .end(.endOfText)])
    }

    func testRethinkIsCounted() {
        let (evs, p) = run(["a</think>b<think>c</think>d"], reasoning: true)
        XCTAssertEqual(evs, [.reasoning("a"), .content("b"), .reasoning("c"), .content("d"), .end(.endOfTurn)])
        XCTAssertEqual(p.rethinks, 1)
        XCTAssertEqual(p.finishReason(for: .endOfTurn), .stop)
    }

    func testNothingAfterFinish() {
        var p = parser(reasoning: false)
        XCTAssertEqual(p.feed("a "), [.content("a")])
        XCTAssertEqual(p.finish(.endOfText), [.end(.endOfText)])
        XCTAssertEqual(p.feed("more"), [])
        XCTAssertEqual(p.finish(.endOfText), [])
    }
}

final class Counter: @unchecked Sendable {
    private var n = 0
    private let lock = NSLock()
    func next() -> String { lock.lock(); defer { lock.unlock() }; n += 1; return "call_\(n)" }
}

final class ReplyParserChatEventTests: XCTestCase {
    func testEndBecomesFinished() {
        var p = ReplyParser(startInReasoning: true, makeID: { "x" })
        var evs = p.feed("a</think><tool_call>f</tool_call>")
        evs += p.finish(.endOfMessage)
        XCTAssertEqual(p.chatEvents(evs), [.reasoning("a"), .toolCall(ToolCall(id: "x", name: "f", arguments: .object([]))), .finished(.toolCalls)])
        var q = ReplyParser(startInReasoning: false, template: .chatML(defaultSystemPrompt: nil))
        let e = q.feed("hi<|im_end|>")
        XCTAssertEqual(q.chatEvents(e), [.content("hi"), .finished(.stop)])
    }
}

extension ReplyParserChatEventTests {
    func testStartStateFollowsThePrompt() {
        let thinking = ChatTemplate.glm47.render([.user("hi")])
        var p = ReplyParser(afterPrompt: thinking, template: .glm47)
        XCTAssertTrue(p.isInReasoning)
        XCTAssertEqual(p.feed("x</think>y"), [.reasoning("x"), .content("y")])
        let direct = ChatTemplate.glm47.render([.user("hi")], options: TemplateOptions(thinking: false))
        var q = ReplyParser(afterPrompt: direct, template: .glm47, tools: ReplyParserTests.tools)
        XCTAssertFalse(q.isInReasoning)
        XCTAssertEqual(q.feed("<tool_call>write_file<arg_key>mode</arg_key><arg_value>7</arg_value><arg_key>content</arg_key><arg_value>7</arg_value></tool_call>").count, 1)
        XCTAssertEqual(q.argumentTypes["write_file"]?["content"], "string")
    }
}

extension ReplyParserChatEventTests {
    func testRequestGlue() {
        let req = ChatRequest(messages: [.user("hi")], tools: ReplyParserTests.tools, thinking: false)
        XCTAssertTrue(req.prompt(.glm47).hasSuffix("<|user|>hi<|assistant|></think>"))
        XCTAssertTrue(req.prompt(.glm47).contains("# Tools"))
        XCTAssertEqual(req.prompt(.chatML(defaultSystemPrompt: nil)), "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n")
        XCTAssertFalse(req.replyParser(.glm47).isInReasoning)
        XCTAssertTrue(ChatRequest(messages: [.user("hi")]).replyParser(.glm47).isInReasoning)
        XCTAssertEqual(ChatTemplate(name: "GLM-4.7"), .glm47)
        XCTAssertNil(ChatTemplate(name: "llama3"))
    }
}
