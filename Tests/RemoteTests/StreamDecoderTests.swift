// Recorded streams (hand-written in the vLLM, SGLang and llama.cpp formats, Tests/Fixtures/remote) decoded
// whole, split at every byte offset (mid-line, mid-CRLF, mid-UTF-8) and fed byte by byte: the events must
// always be the ones the recording spells out.
import XCTest
import Chat
@testable import Remote

let remoteFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/remote")

func fixtureBytes(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: remoteFixtures.appendingPathComponent(name)))
}

/// Adjacent reasoning/content pieces joined (their split depends on the network), tool-call ids made up by
/// glmchat replaced by "call_*".
func merged(_ events: [ChatEvent]) -> [ChatEvent] {
    var out: [ChatEvent] = []
    for e in events {
        switch (out.last, e) {
        case let (.reasoning(a)?, .reasoning(b)): out[out.count - 1] = .reasoning(a + b)
        case let (.content(a)?, .content(b)): out[out.count - 1] = .content(a + b)
        case (_, .toolCall(var c)):
            if c.id.hasPrefix("call_"), c.id.count == 13 { c.id = "call_*" }
            out.append(.toolCall(c))
        default: out.append(e)
        }
    }
    return out
}

struct Decoded { var events: [ChatEvent]; var decoder: StreamDecoder }

func decode(_ bytes: [UInt8], cuts: [Int], thinking: Bool = true, tools: [JSONValue] = []) -> Decoded {
    var sse = SSEParser()
    var d = StreamDecoder(thinking: thinking, tools: tools)
    var out: [ChatEvent] = []
    var start = 0
    for c in cuts + [bytes.count] where c >= start {
        for e in sse.feed(bytes[start..<c]) { out += d.decode(e) }
        start = c
    }
    for e in sse.finish() { out += d.decode(e) }
    out += d.flush()
    return Decoded(events: merged(out), decoder: d)
}

let weatherTools: [JSONValue] = [
    try! JSONValue.parse(#"{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string"},"days":{"type":"integer"}}}}}"#),
    try! JSONValue.parse(#"{"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"tz":{"type":"string"}}}}}"#),
    try! JSONValue.parse(#"{"type":"function","function":{"name":"list_dir","parameters":{"type":"object","properties":{"path":{"type":"string"},"depth":{"type":"integer"}}}}}"#),
]

final class StreamDecoderTests: XCTestCase {
    /// Decodes the fixture whole, cut once at every offset, and byte by byte; checks each against `expected`.
    private func check(_ name: String, thinking: Bool = true, expected: [ChatEvent], finish: FinishReason,
                       usage: GenerationStats?, file: StaticString = #filePath, line: UInt = #line) throws {
        let bytes = try fixtureBytes(name)
        // Single cuts near every line end and inside every multi-byte character, and at every 7th byte.
        func interesting(_ i: Int) -> Bool {
            i % 7 == 0 || bytes[max(0, i - 2)...min(bytes.count - 1, i + 2)].contains { $0 == 10 || $0 == 13 || $0 >= 0x80 }
        }
        var splits: [[Int]] = [[], Array(0...bytes.count)]
        splits += (1..<bytes.count).filter(interesting).map { [$0] }
        for cuts in splits {
            let r = decode(bytes, cuts: cuts, thinking: thinking, tools: weatherTools)
            XCTAssertEqual(r.events, expected, "\(name) cut at \(cuts.count == 1 ? "\(cuts[0])" : "\(cuts.count) places")", file: file, line: line)
            XCTAssertEqual(r.decoder.finishReason, finish, name, file: file, line: line)
            XCTAssertTrue(r.decoder.done, "\(name): [DONE] seen", file: file, line: line)
            XCTAssertEqual(r.decoder.usage, usage, name, file: file, line: line)
            XCTAssertNil(r.decoder.streamError, file: file, line: line)
            if r.events != expected { return }  // one report per fixture is enough
        }
    }

    private func stats(_ p: Int, _ c: Int, cached: Int? = nil, reasoning: Int? = nil) -> GenerationStats {
        var s = GenerationStats(); s.promptTokens = p; s.completionTokens = c; s.cachedTokens = cached; s.reasoningTokens = reasoning
        return s
    }

    private func obj(_ s: String) -> JSONValue { (try? JSONValue.parse(s)) ?? .null }

    func testVLLMReasoningFieldAndTwoToolCallsWithFragmentedArguments() throws {
        try check("vllm-reasoning-toolcalls.sse", expected: [
            .reasoning("The user asks for the weather in Zürich and the local time. I will call both tools."),
            .toolCall(ToolCall(id: "chatcmpl-tool-b71e0c2a9d8f4e61", name: "get_weather", arguments: obj(#"{"city":"Zürich","unit":"celsius","days":3}"#))),
            .toolCall(ToolCall(id: "chatcmpl-tool-5c03f9e1aa2b47d8", name: "get_time", arguments: obj(#"{"tz":"Europe/Zurich"}"#))),
        ], finish: .toolCalls, usage: stats(412, 77, cached: 384))
    }

    func testVLLMReasoningContentThenAnswerCutByLength() throws {
        try check("vllm-reasoning-content-answer.sse", expected: [
            .reasoning("Two plus two is four — easy."),
            .content("2 + 2 = **4** 🎉\n\nAnything else?"),
        ], finish: .length, usage: stats(18, 22))
    }

    func testSGLangNullFieldsReasoningContentAndToolCall() throws {
        try check("sglang-reasoning-toolcall.sse", expected: [
            .reasoning("I need to look at main.swift first (日本語 comments)."),
            .content("Let me read the file."),
            .toolCall(ToolCall(id: "call_3e5a1f7c9b2d4e6f", name: "read_file", arguments: obj(#"{"path":"Sources/app/main.swift","start_line":1,"end_line":40}"#))),
        ], finish: .toolCalls, usage: stats(1203, 59, cached: 1152, reasoning: 21))
    }

    func testRawThinkAndToolCallTextWithCRLFAndPingsGoThroughTheLocalParser() throws {
        try check("llamacpp-raw-think-crlf.sse", expected: [
            .reasoning("The file list is needed. Call ls."),
            .toolCall(ToolCall(id: "call_*", name: "list_dir", arguments: obj(#"{"path":"src/é","depth":2}"#))),
        ], finish: .toolCalls, usage: nil)
    }

    func testRawReplyThatStartsInsideTheReasoning() throws {
        var u = stats(9, 20, cached: 4); u.prefillSeconds = 0.05; u.decodeSeconds = 0.4
        try check("llamaserver-raw-forced-open.sse", expected: [
            .reasoning("Okay, the user greets me. Reply briefly."),
            .content("Hello! How can I help you today?"),
        ], finish: .stop, usage: u)
    }

    // MARK: inline streams

    private func sse(_ deltas: [String], finish: String? = "stop") -> [UInt8] {
        var s = deltas.map { #"data: {"choices":[{"index":0,"delta":\#($0),"finish_reason":null}]}"# + "\n\n" }.joined()
        if let finish { s += #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"\#(finish)"}]}"# + "\n\ndata: [DONE]\n\n" }
        return Array(s.utf8)
    }

    func testSplittingServerWithoutReasoningKeepsTheAnswerAsContent() {
        let r = decode(sse([#"{"content":"Hi"}"#, #"{"content":" there."}"#]), cuts: [])
        XCTAssertEqual(r.events, [.content("Hi there.")])
        XCTAssertEqual(r.decoder.finishReason, .stop)
    }

    func testThinkingOffPassesContentAndReadsRawToolCalls() {
        let r = decode(sse([#"{"content":"Sure. <tool_call>get_time<arg_key>tz</arg_key>"}"#, #"{"content":"<arg_value>UTC</arg_value></tool_call>"}"#]),
                       cuts: [], thinking: false, tools: weatherTools)
        XCTAssertEqual(r.events, [.content("Sure."), .toolCall(ToolCall(id: "call_*", name: "get_time", arguments: .object([("tz", .string("UTC"))])))])
        XCTAssertEqual(r.decoder.finishReason, .toolCalls)
    }

    func testToolCallWithBrokenArgumentsIsShownAsTextWithAWarning() {
        let r = decode(sse([#"{"tool_calls":[{"id":"c1","index":0,"function":{"name":"get_time","arguments":"{\"tz\": "}}]}"#],
                           finish: "tool_calls"), cuts: [])
        XCTAssertEqual(r.events.count, 2)
        guard case .warning(let w)? = r.events.first else { return XCTFail("\(r.events)") }
        XCTAssertTrue(w.contains("not a JSON object"), w)
        XCTAssertEqual(r.events.last, .content(#"get_time({"tz": )"#))
    }

    func testToolCallWithoutArgumentsGetsAnEmptyObject() {
        let r = decode(sse([#"{"tool_calls":[{"id":"c1","index":0,"type":"function","function":{"name":"list_dir"}}]}"#], finish: "tool_calls"), cuts: [])
        XCTAssertEqual(r.events, [.toolCall(ToolCall(id: "c1", name: "list_dir", arguments: .object([])))])
    }

    func testErrorObjectInsideTheStreamIsReportedAndContextOverflowRecognised() {
        let bytes = sse([#"{"content":"partial"}"#], finish: nil)
            + Array(#"data: {"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.","type":"BadRequestError","param":null,"code":400}"#.utf8) + [10, 10]
        let r = decode(bytes, cuts: [], thinking: false)
        XCTAssertEqual(r.events, [.content("partial")])
        guard case .contextTooLong(let m)? = r.decoder.streamError else { return XCTFail("\(String(describing: r.decoder.streamError))") }
        XCTAssertTrue(m.contains("4096"))
        XCTAssertTrue(ChatEvent.failed("\(r.decoder.streamError!)").isContextTooLong)
    }

    func testStreamCutWithoutFinishIsIncomplete() {
        let r = decode(sse([#"{"reasoning_content":"Hmm"}"#, #"{"content":"Half an ans"}"#], finish: nil), cuts: [])
        XCTAssertEqual(r.events, [.reasoning("Hmm"), .content("Half an ans")])
        XCTAssertFalse(r.decoder.isComplete)
    }

    func testNonJSONChunkWarnsOnceAndDecodingGoesOn() {
        let bytes = Array("data: {oops\n\ndata: also bad\n\n".utf8) + sse([#"{"content":"ok"}"#])
        let r = decode(bytes, cuts: [], thinking: false)
        XCTAssertEqual(r.events.count, 2)
        if case .warning = r.events[0] {} else { XCTFail("\(r.events)") }
        XCTAssertEqual(r.events[1], .content("ok"))
    }

    func testNonStreamedAnswerInMessageIsRead() {
        var d = StreamDecoder(thinking: true)
        let body = #"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Yes.","reasoning_content":"Sure."},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}"#
        let events = merged(d.decode(SSEEvent(data: body)) + d.flush())
        XCTAssertEqual(events, [.reasoning("Sure."), .content("Yes.")])
        XCTAssertEqual(d.finishReason, .stop)
        XCTAssertEqual(d.usage?.promptTokens, 5)
    }
}
