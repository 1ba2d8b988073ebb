// Streaming parser for a model's reply: fed text pieces as they are decoded, it splits them into reasoning,
// answer text and tool calls (`<tool_call>NAME<arg_key>K</arg_key><arg_value>V</arg_value>…</tool_call>`),
// and notices the end of the turn. Markers may be split across pieces anywhere. A call the model wrote inside its
// reasoning ends the reasoning there (unless `</think>` comes before its `</tool_call>`: then it was reasoning text);
// a call that cannot be read is still reported, with why, so the model is answered with that error and can write it again.
import Foundation
import Quote

/// What the parser reports, in order.
public enum ReplyEvent: Sendable, Equatable {
    case reasoning(String)
    case content(String)
    case toolCall(ToolCall)
    /// Something the user should see (e.g. a tool call that could not be read, reported as a malformed call).
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
    /// The open call began inside the reasoning; the whitespace held before it. A `</think>` before its
    /// `</tool_call>` shows it was the reasoning writing about calls: it goes back to being reasoning.
    private var callInReasoning: (open: Bool, space: [UInt8]) = (false, [])
    private var events: [ReplyEvent] = []
    /// `<think>` seen again after `</think>` (or after a tool call) in this reply.
    public private(set) var rethinks = 0
    public private(set) var toolCallCount = 0

    static let think = Array("<think>".utf8), endThink = Array("</think>".utf8)
    static let callOpen = Array("<tool_call>".utf8), callClose = Array("</tool_call>".utf8)

    /// - Parameters:
    ///   - startInReasoning: the prompt ended with `<think>` (see `ChatTemplate.replyStartsInReasoning`).
    ///   - template: gives the end-of-turn markers to watch for in the text.
    ///   - continuing: the reply goes on with text already shown (a continued reply), so its first whitespace is
    ///     written, not dropped as the start of a reply's would be.
    public init(startInReasoning: Bool, template: ChatTemplate = .glm47, argumentTypes: [String: [String: String]] = [:],
                continuing: Bool = false,
                makeID: @escaping @Sendable () -> String = { "call_" + String(UUID().uuidString.lowercased().prefix(8)) }) {
        state = startInReasoning ? .reasoning : .content
        if continuing { started = (true, !startInReasoning); closedThinking = !startInReasoning }
        self.argumentTypes = argumentTypes
        self.makeID = makeID
        endMarkers = template.endMarkers.map { (Array($0.0.utf8), $0.1) }
    }

    /// A parser for the reply to `prompt`: in reasoning when the prompt ends with `<think>`, with argument
    /// types from the declared tools.
    public init(afterPrompt prompt: String, template: ChatTemplate, tools: [JSONValue] = []) {
        self.init(startInReasoning: prompt.hasSuffix("<think>"), template: template, argumentTypes: Self.argumentTypes(fromTools: tools))
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

    /// Ends the reply: flushes held text, reports an unterminated tool call as a malformed call, and adds
    /// `.end(end)` when the engine stopped on an end-of-turn token.
    public mutating func finish(_ end: EndOfTurn? = nil) -> [ReplyEvent] {
        if state != .ended {
            drain(final: true)
            if state == .toolCall {
                emitCall(toolBody, cutOff: "it was not closed with </tool_call> before the reply ended")
                toolBody = []
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
        case .reasoning, .content: return [Self.think, Self.endThink, Self.callOpen] + ends
        case .toolCall: return [Self.callOpen, Self.callClose] + (callInReasoning.open ? [Self.endThink] : []) + ends
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
            if state == .toolCall { emitCall(toolBody, cutOff: "the turn ended before it was closed with </tool_call>"); toolBody = [] }
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
        case (.reasoning, Self.callOpen):
            // A call written inside the reasoning: the thinking ends here, as if </think> had come.
            callInReasoning = (true, pendingSpace)
            pendingSpace = []; closedThinking = true; toolBody = []; state = .toolCall
        case (.content, Self.think):
            if closedThinking || toolCallCount > 0 || started.content { rethinks += 1 }
            pendingSpace = []; state = .reasoning
        case (.content, Self.endThink):
            break  // a lone </think> (thinking was off, or it was already closed): not shown
        case (.content, Self.callOpen):
            toolBody = []; state = .toolCall
        case (.toolCall, Self.endThink):
            // Only while callInReasoning.open: "<tool_call>" was reasoning text, and the reasoning ends here.
            let raw = Self.callOpen + toolBody
            toolBody = []; callInReasoning.open = false
            state = .reasoning; pendingSpace = callInReasoning.space
            text(raw)
            pendingSpace = []; state = .content
        case (.toolCall, Self.callOpen):
            callInReasoning.open = false
            emitCall(toolBody, cutOff: "a new <tool_call> began before it was closed with </tool_call>")
            toolBody = []
        case (.toolCall, Self.callClose):
            callInReasoning.open = false
            let body = toolBody
            toolBody = []; state = .content
            emitCall(body)
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

    // MARK: tool calls

    /// Reports one call. One that cannot be read (or was cut off, `cutOff` says how) carries why, with what could
    /// be read of its name and arguments, and a warning for the user: it is answered with that error, not run.
    private mutating func emitCall(_ body: [UInt8], cutOff: String? = nil) {
        let call = Self.parseCallBody(body, types: argumentTypes)
        let why = cutOff ?? call.problem
        toolCallCount += 1
        if let why { events.append(.warning(Self.unreadableCallWarning(why))) }
        events.append(.toolCall(ToolCall(id: makeID(), name: call.name, arguments: call.arguments, malformed: why)))
    }

    /// What the user is told about a call that could not be read (the model is told `why` as the call's result).
    static func unreadableCallWarning(_ why: String) -> String {
        "The model wrote a tool call glmchat could not read (\(why)); it is answered with that error so that it can write the call again."
    }

    /// A call's name and arguments as far as they could be read, and what was wrong with it, in plain words.
    struct ParsedCall: Equatable {
        var name: String
        var arguments: JSONValue
        var problem: String?
    }

    static let keyOpen = Array("<arg_key>".utf8), keyClose = Array("</arg_key>".utf8)
    static let valOpen = Array("<arg_value>".utf8), valClose = Array("</arg_value>".utf8)

    /// Reads `NAME<arg_key>K</arg_key><arg_value>V</arg_value>…` (the text between <tool_call> and </tool_call>).
    /// A missing name reads as "unknown"; a missing </arg_key> is recovered at the next <arg_value>; a value that runs
    /// into the next argument, or has no </arg_value>, or is not JSON of its declared type, is kept as text.
    static func parseCallBody(_ b: [UInt8], types: [String: [String: String]]) -> ParsedCall {
        func find(_ m: [UInt8], from: Int, before end: Int? = nil) -> Int? {
            var i = from
            let last = (end ?? b.count) - m.count
            while i <= last { if b[i..<i + m.count].elementsEqual(m) { return i }; i += 1 }
            return nil
        }
        func str(_ r: Range<Int>) -> String { String(decoding: b[r], as: UTF8.self) }
        func skipSpace(_ i: inout Int) { while i < b.count, isSpace(b[i]) { i += 1 } }
        /// Where a `<arg_key>K</arg_key><arg_value>` starts between `from` and `end`: a value that holds one lost its close.
        func nextArgument(from: Int, before end: Int) -> Int? {
            var p = from
            while let k = find(keyOpen, from: p, before: end) {
                if let kc = find(keyClose, from: k + keyOpen.count, before: end) {
                    var j = kc + keyClose.count
                    skipSpace(&j)
                    if b[j...].starts(with: valOpen) { return k }
                }
                p = k + 1
            }
            return nil
        }

        let nameEnd = find(keyOpen, from: 0) ?? b.count
        let written = PythonText.strip(str(0..<nameEnd))
        var call = ParsedCall(name: written, arguments: .object([]))
        var problems: [String] = []
        if written.isEmpty {
            call.name = "unknown"
            problems.append("it has no function name")
        } else if let bad = written.unicodeScalars.firstIndex(where: { PythonText.isSpace($0) || "<>{(\"".unicodeScalars.contains($0) }) {
            let head = written.unicodeScalars[..<bad]
            let rest = String(written.unicodeScalars[bad...])
            call.name = head.isEmpty ? "unknown" : String(head)
            problems.append(head.isEmpty ? "it does not start with a function name"
                : "the function name is followed by \(show(PythonText.strip(rest))) instead of <arg_key>…</arg_key><arg_value>…</arg_value> pairs")
        }
        let schema = types[call.name] ?? [:]
        var i = nameEnd
        var after = "the function name"
        while true {
            skipSpace(&i)
            if i == b.count { break }
            guard b[i...].starts(with: keyOpen) else {
                problems.append("\(show(str(i..<b.count))) came after \(after) where <arg_key> should be")
                break
            }
            let keyStart = i + keyOpen.count
            let ke = find(keyClose, from: keyStart), vo = find(valOpen, from: keyStart)
            let key: String
            if let ke, ke < (vo ?? b.count) {
                key = PythonText.strip(str(keyStart..<ke))
                i = ke + keyClose.count
                skipSpace(&i)
            } else if let vo {
                key = PythonText.strip(str(keyStart..<vo))
                problems.append("the argument name \(show(key)) is not closed with </arg_key>")
                i = vo
            } else {
                problems.append("the argument name \(show(str(keyStart..<b.count))) is not closed with </arg_key>")
                break
            }
            guard b[i...].starts(with: valOpen) else {
                problems.append("argument \(show(key)) has no <arg_value>…</arg_value>")
                break
            }
            let valStart = i + valOpen.count
            let ve = find(valClose, from: valStart)
            if let next = nextArgument(from: valStart, before: ve ?? b.count) {
                call.arguments.set(key, .string(str(valStart..<next)))
                problems.append("the value of argument \(show(key)) is not closed with </arg_value> before the next <arg_key>")
                i = next
                continue
            }
            guard let ve else {
                call.arguments.set(key, .string(str(valStart..<b.count)))
                problems.append("the value of argument \(show(key)) is not closed with </arg_value>")
                break
            }
            let (value, wrong) = typedValue(str(valStart..<ve), key: key, declared: schema[key])
            call.arguments.set(key, value)
            if let wrong { problems.append(wrong) }
            i = ve + valClose.count
            after = "the value of argument \(show(key))"
        }
        if !problems.isEmpty { call.problem = problems.joined(separator: "; ") }
        return call
    }

    /// Declared strings stay strings; a value declared integer, number, boolean, object or array must be JSON of
    /// that type (or null), else it is kept as text with the reason; undeclared values that read as JSON become that value.
    static func typedValue(_ raw: String, key: String, declared: String?) -> (JSONValue, String?) {
        if declared == "string" { return (.string(raw), nil) }
        let parsed = try? JSONValue.parse(raw)
        let fits: ((JSONValue) -> Bool)?
        switch declared {
        case "integer"?: fits = { if case .int = $0 { return true }; if case .double(let d) = $0 { return d == d.rounded() }; return false }
        case "number"?: fits = { $0.doubleValue != nil }
        case "boolean"?: fits = { $0.boolValue != nil }
        case "object"?: fits = { $0.objectValue != nil }
        case "array"?: fits = { $0.arrayValue != nil }
        default: fits = nil
        }
        guard let fits, let declared else { return (parsed ?? .string(raw), nil) }
        if let v = parsed, v == .null || fits(v) { return (v, nil) }
        let what = declared == "integer" ? "an integer" : declared == "array" ? "an array" : declared == "object" ? "a JSON object" : "a \(declared)"
        return (.string(raw), "argument \(show(key)) must be \(what), but its value \(show(PythonText.strip(raw))) is not")
    }

    /// Model text inside a reason: short, quoted and inert.
    static func show(_ s: some StringProtocol) -> String { "\"" + quoted(s, limit: 40) + "\"" }
}

extension ReplyParser {
    /// The parser's events as a backend reports them: `.end` becomes `.finished` with the matching reason.
    /// Adjacent text events of one kind joined, as the UI shows them (so events compare whatever the stream's cuts).
    public static func merged(_ events: [ReplyEvent]) -> [ReplyEvent] {
        var out: [ReplyEvent] = []
        for e in events {
            switch (out.last, e) {
            case let (.reasoning(a)?, .reasoning(b)): out[out.count - 1] = .reasoning(a + b)
            case let (.content(a)?, .content(b)): out[out.count - 1] = .content(a + b)
            default: out.append(e)
            }
        }
        return out
    }

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
