// User settings remembered between runs (App's SettingsFile reads and writes them): thinking, theme,
// sampling, the model file or the server to use, the commands allowed
// without asking in each workspace. Unknown or missing keys fall back to defaults.
import Foundation
import Chat

public struct Settings: Codable, Equatable, Sendable {
    /// The model thinks before answering.
    public var thinking: Bool = true
    /// Thinking blocks are shown open once the answer starts.
    public var expandThinking: Bool = false
    /// Past reasoning is sent back to the model.
    public var keepThinking: Bool = false
    public var theme: String = "dark"
    /// A bell and a desktop notification (OSC 9) when a reply is done or a tool call waits for approval.
    public var notify: Bool = false
    public var sampling: SamplingParams = .glmDefault
    /// The model file used when -m is not given.
    public var model: String? = nil
    /// The OpenAI-compatible server used when --endpoint is not given (see Settings+Remote).
    public var endpoint: String? = nil
    /// The NAME of the environment variable holding the server's API key; the key itself is never stored.
    public var apiKeyEnv: String? = nil
    /// The served model's id at `endpoint`.
    public var servedModel: String? = nil
    /// Before a message that would take the context past `Compaction.autoThreshold`, the earlier turns are
    /// summarised first (as `/compact` does).
    public var autoCompact: Bool = false
    /// Bytes the engine's KV cache folder may hold (nil: a tenth of the free disk space, at most 20 GB).
    public var kvCacheMaxBytes: Int64? = nil
    /// What the engine's latent KV cache holds: "f16" (default), "f32" or "q8_0" (--cache-type overrides it).
    public var cacheType: String? = nil
    /// Bytes of memory the KV caches of conversations switched away from may keep (nil: see KVMemoryKeeper).
    public var kvMemoryMaxBytes: Int64? = nil
    /// Command prefixes run without asking, by workspace folder (see `CommandRule`).
    public var allowedCommands: [String: [String]] = [:]

    enum CodingKeys: String, CodingKey {
        case thinking, expandThinking = "expand_thinking", keepThinking = "keep_thinking", theme, notify, sampling, model
        case endpoint, apiKeyEnv = "api_key_env", servedModel = "served_model", kvCacheMaxBytes = "kv_cache_max_bytes"
        case autoCompact = "auto_compact"
        case cacheType = "cache_type", kvMemoryMaxBytes = "kv_memory_max_bytes"
        case allowedCommands = "allowed_commands"
    }
    public init() {}
    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        let def = Settings()
        thinking = (try? c.decodeIfPresent(Bool.self, forKey: .thinking)) ?? def.thinking
        expandThinking = (try? c.decodeIfPresent(Bool.self, forKey: .expandThinking)) ?? def.expandThinking
        keepThinking = (try? c.decodeIfPresent(Bool.self, forKey: .keepThinking)) ?? def.keepThinking
        theme = (try? c.decodeIfPresent(String.self, forKey: .theme)) ?? def.theme
        notify = (try? c.decodeIfPresent(Bool.self, forKey: .notify)) ?? def.notify
        sampling = (try? c.decodeIfPresent(SamplingParams.self, forKey: .sampling)) ?? def.sampling
        model = (try? c.decodeIfPresent(String.self, forKey: .model)) ?? nil
        endpoint = (try? c.decodeIfPresent(String.self, forKey: .endpoint)) ?? nil
        apiKeyEnv = (try? c.decodeIfPresent(String.self, forKey: .apiKeyEnv)) ?? nil
        servedModel = (try? c.decodeIfPresent(String.self, forKey: .servedModel)) ?? nil
        kvCacheMaxBytes = (try? c.decodeIfPresent(Int64.self, forKey: .kvCacheMaxBytes)).flatMap { $0 }.flatMap { $0 >= 0 ? $0 : nil }
        autoCompact = (try? c.decodeIfPresent(Bool.self, forKey: .autoCompact)) ?? def.autoCompact
        cacheType = (try? c.decodeIfPresent(String.self, forKey: .cacheType)) ?? nil
        kvMemoryMaxBytes = (try? c.decodeIfPresent(Int64.self, forKey: .kvMemoryMaxBytes)).flatMap { $0 }.flatMap { $0 >= 0 ? $0 : nil }
        allowedCommands = (try? c.decodeIfPresent([String: [String]].self, forKey: .allowedCommands)) ?? [:]
    }
}
