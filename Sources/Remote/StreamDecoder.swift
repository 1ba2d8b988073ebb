// Turns the data of a /v1/chat/completions event stream into ChatEvents: `delta.reasoning_content` (or
// `delta.reasoning`), `delta.content`, `delta.tool_calls` with arguments arriving in pieces by index,
// `finish_reason`, `usage` (and llama-server's `timings`). When the server does not split the reasoning out,
// the raw `<think>…</think>` / `<tool_call>` text in `content` goes through Chat's ReplyParser.
import Foundation
import Chat

public struct StreamDecoder: Sendable {
    /// How reasoning reaches us: not known yet, in separate fields (split), or inside the content text (raw).
    enum Mode: Sendable { case undecided, split, raw }

    struct PendingCall: Sendable { var id: String?; var name = ""; var arguments = "" }

    private let thinking: Bool
    private let template: ChatTemplate
    private let argumentTypes: [String: [String: String]]
    private var mode: Mode
    private var held = ""                   // content held while the mode is undecided
    private var parser: ReplyParser?        // content (and, in raw mode, reasoning) goes through it
    private var reasoningTrim = EdgeTrimmer()
    private var calls: [Int: PendingCall] = [:]
    private var callOrder: [Int] = []
    private var lastCallIndex: Int?
    private var warnedBadChunk = false
    private var emittedToolCalls = 0

    /// `[DONE]` was received.
    public private(set) var done = false
    /// The server's finish_reason, when it sent one.
    public private(set) var serverFinishReason: String?
    public private(set) var usage: GenerationStats?
    /// An error the server reported inside the stream.
    public private(set) var streamError: RemoteError?

    public init(thinking: Bool, tools: [JSONValue] = [], template: ChatTemplate = .glm47) {
        self.thinking = thinking
        self.template = template
        argumentTypes = ReplyParser.argumentTypes(fromTools: tools)
        mode = thinking ? .undecided : .split
        if !thinking { parser = makeParser(startInReasoning: false) }
    }

    /// True once the server said how the reply ended (finish_reason or [DONE]).
    public var isComplete: Bool { done || serverFinishReason != nil }

    private func makeParser(startInReasoning: Bool) -> ReplyParser {
        ReplyParser(startInReasoning: startInReasoning, template: template, argumentTypes: argumentTypes)
    }

    // MARK: events

    /// Decodes one server-sent event. `atEnd`: the event was cut off by the end of the body, so a
    /// payload that does not parse is the expected remains of a dropped connection, not worth a warning.
    public mutating func decode(_ event: SSEEvent, atEnd: Bool = false) -> [ChatEvent] {
        let data = event.data.trimmingCharacters(in: .whitespaces)
        if data == "[DONE]" { done = true; return [] }
        if data.isEmpty { return [] }
        guard let v = try? JSONValue.parse(data) else {
            if event.type == "error" { streamError = .streamError(message: data); return [] }
            return atEnd ? [] : badChunk("it is not JSON")
        }
        if event.type == "error" || v["error"] != nil || v["object"]?.stringValue == "error" {
            let (m, code) = RemoteError.serverMessage(Array(data.utf8))
            streamError = RemoteError.isContextOverflow(message: m, code: code) ? .contextTooLong(message: m) : .streamError(message: m)
            return []
        }
        if let u = v["usage"], case .object = u { usage = Self.stats(usage: u, timings: v["timings"]) }
        var out: [ChatEvent] = []
        for choice in v["choices"]?.arrayValue ?? [] where (choice["index"]?.intValue ?? 0) == 0 {
            // Streams carry `delta`; a server that ignored stream=true answers once with `message`.
            if let d = choice["delta"] ?? choice["message"] { out += delta(d) }
            if let r = choice["finish_reason"]?.stringValue { serverFinishReason = r }
        }
        return out
    }

    private mutating func badChunk(_ why: String) -> [ChatEvent] {
        guard !warnedBadChunk else { return [] }
        warnedBadChunk = true
        return [.warning("The server sent a stream event glmchat could not read (\(why)); part of the reply may be missing.")]
    }

    private mutating func delta(_ d: JSONValue) -> [ChatEvent] {
        var out: [ChatEvent] = []
        let reasoning = d["reasoning_content"]?.stringValue ?? d["reasoning"]?.stringValue
        if let r = reasoning, !r.isEmpty {
            out += decide(.split)
            let t = reasoningTrim.push(r)
            if !t.isEmpty { out.append(.reasoning(t)) }
        }
        if let c = d["content"]?.stringValue, !c.isEmpty { out += content(c) }
        if let tcs = d["tool_calls"]?.arrayValue, !tcs.isEmpty {
            out += decide(.split)
            for tc in tcs { addToolCallDelta(tc) }
        }
        return out
    }

    /// Content while undecided is held until its shape tells how the server treats reasoning.
    private mutating func content(_ c: String) -> [ChatEvent] {
        guard mode == .undecided else { return feed(c) }
        held += c
        let lead = held.drop { $0.isWhitespace }
        if lead.hasPrefix("<think>") { return decide(.raw, startInReasoning: false) }
        if held.contains("</think>") { return decide(.raw, startInReasoning: true) }
        return []
    }

    /// Fixes the mode (once) and releases held content through the parser.
    private mutating func decide(_ m: Mode, startInReasoning: Bool = false) -> [ChatEvent] {
        guard mode == .undecided else { return [] }
        mode = m
        parser = makeParser(startInReasoning: startInReasoning)
        let h = held
        held = ""
        return h.isEmpty ? [] : feed(h)
    }

    private mutating func feed(_ text: String) -> [ChatEvent] {
        if parser == nil { parser = makeParser(startInReasoning: false) }
        guard var p = parser else { return [] }
        let evs = p.feed(text)
        parser = p
        return convert(evs)
    }

    private mutating func convert(_ evs: [ReplyEvent]) -> [ChatEvent] {
        var out: [ChatEvent] = []
        for e in evs {
            switch e {
            case .reasoning(let s): out.append(.reasoning(s))
            case .content(let s): out.append(.content(s))
            case .toolCall(let c): emittedToolCalls += 1; out.append(.toolCall(c))
            case .warning(let w): out.append(.warning(w))
            case .end: break  // the server's finish_reason decides how the reply ended
            }
        }
        return out
    }

    // MARK: tool calls

    private mutating func addToolCallDelta(_ tc: JSONValue) {
        let id = tc["id"]?.stringValue
        var index = tc["index"]?.intValue ?? lastCallIndex ?? 0
        if tc["index"]?.intValue == nil, let id, let last = lastCallIndex, let known = calls[last]?.id, known != id { index = last + 1 }
        if calls[index] == nil { calls[index] = PendingCall(); callOrder.append(index) }
        lastCallIndex = index
        if let id, !id.isEmpty { calls[index]?.id = id }
        let f = tc["function"] ?? tc
        if let n = f["name"]?.stringValue { calls[index]?.name += n }
        switch f["arguments"]?.decoded {
        case .string(let s)?: calls[index]?.arguments += s
        case .object?: calls[index]?.arguments += f["arguments"]?.serialized() ?? ""
        default: break
        }
    }

    private mutating func takeToolCalls() -> [ChatEvent] {
        var out: [ChatEvent] = []
        for i in callOrder {
            guard let c = calls[i] else { continue }
            let name = c.name.trimmingCharacters(in: .whitespaces)
            let raw = c.arguments.trimmingCharacters(in: .whitespacesAndNewlines)
            var args: JSONValue? = raw.isEmpty ? .object([]) : try? JSONValue.parse(raw)
            if case .object? = args {} else { args = nil }
            if name.isEmpty || args == nil {
                let why = name.isEmpty ? "it has no function name" : "its arguments are not a JSON object"
                out.append(.warning("The server sent a tool call glmchat could not read (\(why)); it is shown as text."))
                out.append(.content("\(name)(\(c.arguments))"))
                continue
            }
            emittedToolCalls += 1
            let id = c.id ?? "call_" + String(UUID().uuidString.lowercased().prefix(8))
            out.append(.toolCall(ToolCall(id: id, name: name, arguments: args ?? .object([]))))
        }
        calls = [:]; callOrder = []; lastCallIndex = nil
        return out
    }

    // MARK: end

    /// The stream is over (complete or not): releases held text and finished tool calls.
    public mutating func flush() -> [ChatEvent] {
        var out: [ChatEvent] = []
        if mode == .undecided { out += decide(.split) }
        if var p = parser {
            out += convert(p.finish())
            parser = p
        }
        out += takeToolCalls()
        return out
    }

    /// How the reply ended, by the server's word (a reply that made tool calls ends with `.toolCalls`).
    public var finishReason: FinishReason {
        if emittedToolCalls > 0 { return .toolCalls }
        switch serverFinishReason {
        case "length"?: return .length
        case "tool_calls"?, "function_call"?: return .toolCalls
        case "abort"?, "error"?: return .error
        default: return .stop
        }
    }

    /// Usage (OpenAI names, with cached and reasoning token details) and llama-server timings.
    static func stats(usage u: JSONValue, timings t: JSONValue?) -> GenerationStats {
        var s = GenerationStats()
        s.promptTokens = u["prompt_tokens"]?.intValue
        s.completionTokens = u["completion_tokens"]?.intValue
        s.cachedTokens = u["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? t?["cache_n"]?.intValue
        s.reasoningTokens = u["completion_tokens_details"]?["reasoning_tokens"]?.intValue ?? u["reasoning_tokens"]?.intValue
        if let ms = t?["prompt_ms"]?.doubleValue { s.prefillSeconds = ms / 1000 }
        if let ms = t?["predicted_ms"]?.doubleValue { s.decodeSeconds = ms / 1000 }
        return s
    }
}

/// Drops whitespace at the start of a text that arrives in pieces and holds trailing whitespace back until
/// more text follows (the chat templates strip reasoning, and the local parser does the same).
struct EdgeTrimmer: Sendable {
    private var started = false
    private var pending = ""
    mutating func push(_ s: String) -> String {
        var t = s
        if !started { t = String(t.drop { $0.isWhitespace }); if t.isEmpty { return "" } }
        started = true
        let body = t.reversed().drop { $0.isWhitespace }
        if body.isEmpty { pending += t; return "" }
        let trailing = String(t.suffix(t.count - body.count))
        let out = pending + String(body.reversed())
        pending = trailing
        return out
    }
}
