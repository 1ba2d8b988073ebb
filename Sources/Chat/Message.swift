// The conversation model shared by Chat, Store and TUI: messages, tool calls and results, stats.
import Foundation

public enum Role: String, Codable, Sendable { case system, user, assistant, tool }

/// A call the model asked for. `arguments` is a JSON object whose key order is kept.
public struct ToolCall: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var arguments: JSONValue
    /// Why the call as the model wrote it cannot be read (e.g. an argument left open); it is answered with
    /// this error instead of being run, so the model can correct itself.
    public var malformed: String?
    public init(id: String, name: String, arguments: JSONValue, malformed: String? = nil) {
        self.id = id; self.name = name; self.arguments = arguments; self.malformed = malformed
    }
}

/// What became of a tool call, as stored in a `tool` message.
public struct ToolResult: Codable, Sendable, Equatable {
    public var callID: String
    public var name: String
    public var exitStatus: Int?
    public var durationSeconds: Double?
    /// True when the tool's output was capped before being stored.
    public var truncated: Bool?
    /// True when the user refused the call.
    public var denied: Bool?
    /// True when the user stopped the call while it ran.
    public var stopped: Bool?
    /// True when the user undid the write this call made (the file is back as it was before it).
    public var undone: Bool?
    enum CodingKeys: String, CodingKey {
        case callID = "call_id", name, exitStatus = "exit_status", durationSeconds = "duration_s", truncated, denied, stopped, undone
    }
    public init(callID: String, name: String, exitStatus: Int? = nil, durationSeconds: Double? = nil, truncated: Bool? = nil, denied: Bool? = nil) {
        self.callID = callID; self.name = name; self.exitStatus = exitStatus; self.durationSeconds = durationSeconds
        self.truncated = truncated; self.denied = denied
    }
}

/// Why a reply ended.
public enum FinishReason: String, Codable, Sendable {
    case stop            // end-of-turn token
    case length          // token limit
    case toolCalls = "tool_calls"
    case cancelled       // the user stopped it
    case loop            // the loop guard stopped a degenerate repetition
    case error
}

/// Sampling settings; defaults are Z.ai's recommendation for GLM-4.7-Flash.
public struct SamplingParams: Codable, Sendable, Equatable {
    public var temperature: Double = 1.0
    public var topP: Double = 0.95
    /// 0 = off.
    public var topK: Int = 0
    public var minP: Double = 0.01
    /// 1.0 = off.
    public var repeatPenalty: Double = 1.0
    public var presencePenalty: Double = 0
    public var seed: UInt64?
    public var maxTokens: Int?
    enum CodingKeys: String, CodingKey {
        case temperature, topP = "top_p", topK = "top_k", minP = "min_p", repeatPenalty = "repeat_penalty"
        case presencePenalty = "presence_penalty", seed, maxTokens = "max_tokens"
    }
    public init() {}
    /// Missing fields take their defaults, so files written before a field existed still load.
    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        let def = SamplingParams()
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature) ?? def.temperature
        topP = try c.decodeIfPresent(Double.self, forKey: .topP) ?? def.topP
        topK = try c.decodeIfPresent(Int.self, forKey: .topK) ?? def.topK
        minP = try c.decodeIfPresent(Double.self, forKey: .minP) ?? def.minP
        repeatPenalty = try c.decodeIfPresent(Double.self, forKey: .repeatPenalty) ?? def.repeatPenalty
        presencePenalty = try c.decodeIfPresent(Double.self, forKey: .presencePenalty) ?? def.presencePenalty
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens)
    }
    public static let glmDefault = SamplingParams()
    /// Recommended for tool-heavy work.
    public static var glmTools: SamplingParams { var p = SamplingParams(); p.temperature = 0.7; p.topP = 1.0; return p }

    /// The settings a reply is sampled with: in a tool round (the model answers a tool result) GLM's tool preset
    /// (temperature 0.7, top-p 1.0), unless the user chose their own values, i.e. the settings that shape the
    /// distribution differ from `glmDefault`. The seed and the token limit are kept either way.
    public func forReply(inToolRound: Bool) -> SamplingParams {
        var shape = self
        shape.seed = nil; shape.maxTokens = nil
        guard inToolRound, shape == .glmDefault else { return self }
        var p = Self.glmTools
        p.seed = seed; p.maxTokens = maxTokens
        return p
    }
}

/// Per-reply numbers shown in the status bar and kept in the file.
public struct GenerationStats: Codable, Sendable, Equatable {
    public var promptTokens: Int?
    /// Prompt tokens served from the KV cache instead of being computed.
    public var cachedTokens: Int?
    public var completionTokens: Int?
    public var reasoningTokens: Int?
    public var prefillSeconds: Double?
    public var decodeSeconds: Double?
    /// Time to first token.
    public var ttftSeconds: Double?
    /// Seconds spent thinking (first reasoning token to `</think>`).
    public var thinkingSeconds: Double?
    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", cachedTokens = "cached_tokens", completionTokens = "completion_tokens"
        case reasoningTokens = "reasoning_tokens", prefillSeconds = "prefill_s", decodeSeconds = "decode_s"
        case ttftSeconds = "ttft_s", thinkingSeconds = "thinking_s"
    }
    public init() {}
    public var prefillTokensPerSecond: Double? {
        guard let n = promptTokens, let s = prefillSeconds, s > 0 else { return nil }
        return Double(n - (cachedTokens ?? 0)) / s
    }
    public var decodeTokensPerSecond: Double? {
        guard let n = completionTokens, let s = decodeSeconds, s > 0 else { return nil }
        return Double(n) / s
    }
}

/// One message. A `tool` message carries `toolResult` and the output in `content`.
public struct Message: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var role: Role
    public var content: String
    /// The model's thinking (OpenAI-style `reasoning_content`).
    public var reasoning: String?
    public var toolCalls: [ToolCall]
    public var toolResult: ToolResult?
    public var finishReason: FinishReason?
    public var sampling: SamplingParams?
    public var stats: GenerationStats?
    /// True while a reply is still streaming (or was cut off by a crash).
    public var incomplete: Bool
    public var created: Date?
    /// Files the user attached with `@path` (a user message), sent after its text.
    public var attachments: [Attachment]
    /// The other versions of this position (see Message+Versions); nil when there are none.
    public var versions: Versions?

    enum CodingKeys: String, CodingKey {
        case id, role, content, reasoning = "reasoning_content", toolCalls = "tool_calls", toolResult = "tool_result"
        case finishReason = "finish_reason", sampling, stats, incomplete, created, attachments, versions
    }

    public init(id: String = Message.newID(), role: Role, content: String, reasoning: String? = nil,
                toolCalls: [ToolCall] = [], toolResult: ToolResult? = nil, finishReason: FinishReason? = nil,
                sampling: SamplingParams? = nil, stats: GenerationStats? = nil, incomplete: Bool = false, created: Date? = Date()) {
        self.id = id; self.role = role; self.content = content; self.reasoning = reasoning; self.toolCalls = toolCalls
        self.toolResult = toolResult; self.finishReason = finishReason; self.sampling = sampling; self.stats = stats
        self.incomplete = incomplete; self.created = created; self.attachments = []; self.versions = nil
    }

    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? Message.newID()
        role = try c.decode(Role.self, forKey: .role)
        content = try c.decodeIfPresent(String.self, forKey: .content) ?? ""
        reasoning = try c.decodeIfPresent(String.self, forKey: .reasoning)
        toolCalls = try c.decodeIfPresent([ToolCall].self, forKey: .toolCalls) ?? []
        toolResult = try c.decodeIfPresent(ToolResult.self, forKey: .toolResult)
        finishReason = try c.decodeIfPresent(FinishReason.self, forKey: .finishReason)
        sampling = try c.decodeIfPresent(SamplingParams.self, forKey: .sampling)
        stats = try c.decodeIfPresent(GenerationStats.self, forKey: .stats)
        incomplete = try c.decodeIfPresent(Bool.self, forKey: .incomplete) ?? false
        created = try c.decodeIfPresent(Date.self, forKey: .created)
        attachments = try c.decodeIfPresent([Attachment].self, forKey: .attachments) ?? []
        versions = try c.decodeIfPresent(Versions.self, forKey: .versions)
    }

    public func encode(to e: Encoder) throws {
        var c = e.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(role, forKey: .role)
        try c.encode(content, forKey: .content)
        try c.encodeIfPresent(reasoning, forKey: .reasoning)
        if !toolCalls.isEmpty { try c.encode(toolCalls, forKey: .toolCalls) }
        try c.encodeIfPresent(toolResult, forKey: .toolResult)
        try c.encodeIfPresent(finishReason, forKey: .finishReason)
        try c.encodeIfPresent(sampling, forKey: .sampling)
        try c.encodeIfPresent(stats, forKey: .stats)
        if incomplete { try c.encode(true, forKey: .incomplete) }
        try c.encodeIfPresent(created, forKey: .created)
        if !attachments.isEmpty { try c.encode(attachments, forKey: .attachments) }
        try c.encodeIfPresent(versions, forKey: .versions)
    }

    public static func newID() -> String { UUID().uuidString.lowercased() }

    public static func system(_ text: String) -> Message { Message(role: .system, content: text) }
    public static func user(_ text: String) -> Message { Message(role: .user, content: text) }
    public static func assistant(_ text: String, reasoning: String? = nil, toolCalls: [ToolCall] = []) -> Message {
        Message(role: .assistant, content: text, reasoning: reasoning, toolCalls: toolCalls)
    }
    public static func tool(_ output: String, callID: String, name: String) -> Message {
        Message(role: .tool, content: output, toolResult: ToolResult(callID: callID, name: name))
    }
}

/// Counts tokens for the context budget; implemented over the model's tokenizer outside Chat.
public protocol TokenCounter: Sendable {
    func countTokens(_ text: String) -> Int
    /// False when the count is an estimate (no local tokenizer): the status bar shows it as approximate.
    var isExact: Bool { get }
}

extension TokenCounter {
    public var isExact: Bool { true }
}
