// Streaming parser for a model's reply: fed text pieces as they are decoded, it splits them into reasoning,
// answer text and tool calls (`<tool_call>NAME<arg_key>K</arg_key><arg_value>V</arg_value>…</tool_call>`),
// and notices the end of the turn. Markers may be split across pieces anywhere.
import Foundation

/// What the parser reports, in order.
public enum ReplyEvent: Sendable, Equatable {
    case reasoning(String)
    case content(String)
    case toolCall(ToolCall)
    /// Something the user should see (e.g. a malformed tool call, which is also shown as content).
    case warning(String)
    /// An end-of-turn marker was seen in the text; nothing after it is parsed.
    case end(EndOfTurn)
}

public struct ReplyParser: Sendable {
    enum State: Sendable { case reasoning, content, toolCall, ended }

    /// Parameter types by tool name and argument name (JSON Schema "type"), to keep declared strings as strings.
    public var argumentTypes: [String: [String: String]]
    private let makeID: @Sendable () -> String
    private let endMarkers: [([UInt8], EndOfTurn)]
    private var state: State
    private var buf: [UInt8] = []          // undecided bytes: at most a partial marker outside tool calls
    private var toolBody: [UInt8] = []     // bytes inside the current <tool_call>
    private var pendingSpace: [UInt8] = [] // whitespace held back until more text of the same kind follows
    private var started: (reasoning: Bool, content: Bool) = (false, false)
    private var closedThinking = false
    private var events: [ReplyEvent] = []
    /// `<think>` seen again after `</think>` (or after a tool call) in this reply.
    public private(set) var rethinks = 0
    public private(set) var toolCallCount = 0

    static let think = Array("<think>".utf8), endThink = Array("</think>".utf8)
    static let callOpen = Array("<tool_call>".utf8), callClose = Array("</tool_call>".utf8)

    /// - Parameters:
    ///   - startInReasoning: the prompt ended with `<think>` (see `ChatTemplate.replyStartsInReasoning`).
    ///   - template: gives the end-of-turn markers to watch for in the text.
    public init(startInReasoning: Bool, template: ChatTemplate = .glm47, argumentTypes: [String: [String: String]] = [:],
                makeID: @escaping @Sendable () -> String = { "call_" + String(UUID().uuidString.lowercased().prefix(8)) }) {
        state = startInReasoning ? .reasoning : .content
        self.argumentTypes = argumentTypes
        self.makeID = makeID
        endMarkers = template.endMarkers.map { (Array($0.0.utf8), $0.1) }
    }

    /// Argument types read from tool declarations in OpenAI function format.
    public static func argumentTypes(fromTools tools: [JSONValue]) -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for t in tools {
            let f = t["function"] ?? t
            guard let name = f["name"]?.stringValue else { continue }
            var m: [String: String] = [:]
            for (k, v) in f["parameters"]?["properties"]?.objectValue ?? [] { if let ty = v["type"]?.stringValue { m[k] = ty } }
            out[name] = m
        }
        return out
    }

    public var isInReasoning: Bool { state == .reasoning }
    public var hasEnded: Bool { state == .ended }

    /// Parses one more piece of decoded text.
    public mutating func feed(_ piece: String) -> [ReplyEvent] {
        guard state != .ended else { return [] }
        buf.append(contentsOf: piece.utf8)
        drain(final: false)
        return take()
    }

    /// Ends the reply: flushes held text, reports an unterminated tool call as text with a warning, and adds
    /// `.end(end)` when the engine stopped on an end-of-turn token.
    public mutating func finish(_ end: EndOfTurn? = nil) -> [ReplyEvent] {
        if state != .ended {
            drain(final: true)
            if state == .toolCall {
                malformed(Self.callOpen + toolBody, "it was not closed with </tool_call> before the reply ended")
            }
            state = .ended
            if let end { events.append(.end(end)) }
        }
        return take()
    }

    /// The finish reason a reply that ended with `end` should be stored with.
    public func finishReason(for end: EndOfTurn) -> FinishReason {
        toolCallCount > 0 || end == .endOfMessage ? .toolCalls : .stop
    }

    // MARK: scanning

    private var activeMarkers: [[UInt8]] {
        let ends = endMarkers.map(\.0)
        switch state {
        case .reasoning: return [Self.think, Self.endThink] + ends
        case .content: return [Self.think, Self.endThink, Self.callOpen] + ends
        case .toolCall: return [Self.callOpen, Self.callClose] + ends
        case .ended: return []
        }
    }

    private mutating func drain(final: Bool) {
        while state != .ended {
            let markers = activeMarkers
            if let (at, m) = Self.firstMatch(buf, markers) {
                text(Array(buf[..<at]))
                buf.removeFirst(at + m.count)
                handle(m)
                continue
            }
            let keep = final ? 0 : Self.partialMarkerSuffix(buf, markers)
            text(Array(buf[..<(buf.count - keep)]))
            buf.removeFirst(buf.count - keep)
            return
        }
    }

    static func firstMatch(_ b: [UInt8], _ markers: [[UInt8]]) -> (Int, [UInt8])? {
        guard !b.isEmpty else { return nil }
        for i in b.indices where b[i] == UInt8(ascii: "<") {
            var best: [UInt8]?
            for m in markers where i + m.count <= b.count && m.count > (best?.count ?? 0) {
                if b[i..<i + m.count].elementsEqual(m) { best = m }
            }
            if let best { return (i, best) }
        }
        return nil
    }

    /// Length of the longest suffix of `b` that could still grow into a marker.
    static func partialMarkerSuffix(_ b: [UInt8], _ markers: [[UInt8]]) -> Int {
        let longest = markers.map(\.count).max() ?? 0
        var k = min(b.count, longest - 1)
        while k > 0 {
            let tail = b[(b.count - k)...]
            if markers.contains(where: { $0.count > k && $0[..<k].elementsEqual(tail) }) { return k }
            k -= 1
        }
        return 0
    }

    private mutating func handle(_ m: [UInt8]) {
        if let e = endMarkers.first(where: { $0.0 == m }) {
            if state == .toolCall { malformed(Self.callOpen + toolBody, "the turn ended inside it"); toolBody = [] }
            pendingSpace = []
            state = .ended
            events.append(.end(e.1))
            return
        }
        switch (state, m) {
        case (.reasoning, Self.endThink):
            pendingSpace = []; closedThinking = true; state = .content
        case (.reasoning, Self.think):
            break  // the prompt already opened the reasoning
        case (.content, Self.think):
            if closedThinking || toolCallCount > 0 || started.content { rethinks += 1 }
            pendingSpace = []; state = .reasoning
        case (.content, Self.endThink):
            break  // a lone </think> (thinking was off, or it was already closed): not shown
        case (.content, Self.callOpen):
            toolBody = []; state = .toolCall
        case (.toolCall, Self.callOpen):
            malformed(Self.callOpen + toolBody, "a new <tool_call> began before it was closed")
            toolBody = []
        case (.toolCall, Self.callClose):
            let body = toolBody
            toolBody = []; state = .content
            parseCall(body)
        default: break
        }
    }

    /// Text between markers, routed by state; whitespace at the edges of reasoning and answer is held back
    /// (the template strips it) and only written when more text of the same kind follows.
    private mutating func text(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        switch state {
        case .toolCall: toolBody.append(contentsOf: bytes)
        case .reasoning, .content:
            let isReasoning = state == .reasoning
            guard let last = bytes.lastIndex(where: { !Self.isSpace($0) }) else {
                if isReasoning ? started.reasoning : started.content { pendingSpace.append(contentsOf: bytes) }
                return
            }
            var out = isReasoning ? (started.reasoning ? pendingSpace : []) : (started.content ? pendingSpace : [])
            var body = bytes[...last]
            if !(isReasoning ? started.reasoning : started.content) { body = body.drop(while: Self.isSpace) }
            out.append(contentsOf: body)
            pendingSpace = Array(bytes[(last + 1)...])
            if isReasoning { started.reasoning = true } else { started.content = true }
            append(isReasoning ? .reasoning(String(decoding: out, as: UTF8.self)) : .content(String(decoding: out, as: UTF8.self)))
        case .ended: break
        }
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    private mutating func append(_ e: ReplyEvent) {
        switch (events.last, e) {
        case let (.reasoning(a)?, .reasoning(b)): events[events.count - 1] = .reasoning(a + b)
        case let (.content(a)?, .content(b)): events[events.count - 1] = .content(a + b)
        default: events.append(e)
        }
    }

    private mutating func take() -> [ReplyEvent] { defer { events = [] }; return events }

    /// A tool call that cannot be parsed is shown as the text the model wrote, with a warning.
    private mutating func malformed(_ raw: [UInt8], _ why: String) {
        events.append(.warning("The model wrote a tool call glmchat could not read (\(why)); it is shown as text."))
        var out = started.content ? pendingSpace : []
        out.append(contentsOf: raw)
        pendingSpace = []
        started.content = true
        append(.content(String(decoding: out, as: UTF8.self)))
    }

    // MARK: tool calls

    private mutating func parseCall(_ body: [UInt8]) {
        switch Self.parseCallBody(body, types: argumentTypes) {
        case .success(let (name, args)):
            toolCallCount += 1
            events.append(.toolCall(ToolCall(id: makeID(), name: name, arguments: args)))
        case .failure(let why):
            malformed(Self.callOpen + body + Self.callClose, why.description)
        }
    }

    struct CallError: Error, CustomStringConvertible { let description: String }

    static func parseCallBody(_ b: [UInt8], types: [String: [String: String]]) -> Result<(String, JSONValue), CallError> {
        let keyOpen = Array("<arg_key>".utf8), keyClose = Array("</arg_key>".utf8)
        let valOpen = Array("<arg_value>".utf8), valClose = Array("</arg_value>".utf8)
        func find(_ m: [UInt8], from: Int) -> Int? {
            var i = from
            while i + m.count <= b.count { if b[i..<i + m.count].elementsEqual(m) { return i }; i += 1 }
            return nil
        }
        func str(_ r: Range<Int>) -> String { String(decoding: b[r], as: UTF8.self) }
        let nameEnd = find(keyOpen, from: 0) ?? b.count
        let name = PythonText.strip(str(0..<nameEnd))
        guard !name.isEmpty else { return .failure(CallError(description: "it has no function name")) }
        guard !name.unicodeScalars.contains(where: { PythonText.isSpace($0) || $0 == "<" || $0 == ">" }) else {
            return .failure(CallError(description: "its function name \"\(name.prefix(40))\" is not a name"))
        }
        var args = JSONValue.object([])
        var i = nameEnd
        let schema = types[name] ?? [:]
        while true {
            while i < b.count, isSpace(b[i]) { i += 1 }
            if i == b.count { break }
            guard b[i...].starts(with: keyOpen), let ke = find(keyClose, from: i + keyOpen.count) else {
                return .failure(CallError(description: "expected <arg_key>…</arg_key> after the function name or a value"))
            }
            let key = PythonText.strip(str(i + keyOpen.count..<ke))
            i = ke + keyClose.count
            while i < b.count, isSpace(b[i]) { i += 1 }
            guard b[i...].starts(with: valOpen), let ve = find(valClose, from: i + valOpen.count) else {
                return .failure(CallError(description: "argument \"\(key.prefix(40))\" has no <arg_value>…</arg_value>"))
            }
            let raw = str(i + valOpen.count..<ve)
            i = ve + valClose.count
            args.set(key, typedValue(raw, declared: schema[key]))
        }
        return .success((name, args))
    }

    /// Declared strings stay strings; anything else that reads as JSON becomes that JSON value.
    static func typedValue(_ raw: String, declared: String?) -> JSONValue {
        if declared == "string" { return .string(raw) }
        if let v = try? JSONValue.parse(raw) { return v }
        return .string(raw)
    }
}

extension ReplyParser {
    /// The parser's events as a backend reports them: `.end` becomes `.finished` with the matching reason.
    public func chatEvents(_ events: [ReplyEvent]) -> [ChatEvent] {
        events.map { e in
            switch e {
            case .reasoning(let s): return .reasoning(s)
            case .content(let s): return .content(s)
            case .toolCall(let c): return .toolCall(c)
            case .warning(let w): return .warning(w)
            case .end(let end): return .finished(finishReason(for: end))
            }
        }
    }
}
