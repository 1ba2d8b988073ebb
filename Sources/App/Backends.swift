// Which backend a chat runs on, wired up: a recorded script (--demo-script), an OpenAI-compatible server
// (--endpoint or the settings' endpoint), or the in-process engine on a GGUF file; the coding tools that go
// with it; and where conversations are kept.
import Chat
import Foundation
import GGUF
import Kernels
import Remote
import Store
import TUI
import Tokenizer

/// The backend and the tools for a chat.
public struct BackendChoice {
    public var backend: ChatBackend
    public var tools: ToolExecutor?
}

/// What the command line says about the backend (flags not given are nil).
public struct BackendOptions {
    /// -m: a GGUF file, or with a server the served model's id.
    public var model: String?
    public var threads: Int?
    public var contextLength: Int?
    public var demoScript: String?
    public var paceMs: Double?
    /// --cache-type: what the engine's latent KV cache holds (over GLMCHAT_KV and settings.json's cache_type).
    public var cacheType: String?
    public var endpoint: String?
    public var apiKeyEnv: String?
    public var tokenizer: String?
    /// The folder the coding tools work in (--workspace, else the current folder).
    public var workspace: String
    public init(model: String? = nil, threads: Int? = nil, contextLength: Int? = nil, demoScript: String? = nil, paceMs: Double? = nil,
                cacheType: String? = nil, endpoint: String? = nil, apiKeyEnv: String? = nil, tokenizer: String? = nil,
                workspace: String = FileManager.default.currentDirectoryPath) {
        self.model = model; self.threads = threads; self.contextLength = contextLength; self.demoScript = demoScript; self.paceMs = paceMs
        self.cacheType = cacheType
        self.endpoint = endpoint; self.apiKeyEnv = apiKeyEnv; self.tokenizer = tokenizer; self.workspace = workspace
    }
}

/// A setup problem, in one sentence for the user.
public struct SetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

public enum Backends {
    /// The backend the options and settings ask for. `checkpoints` keeps what the tools' writes replace
    /// (see `checkpoints(noSave:)`).
    public static func make(_ o: BackendOptions, settings: Settings, settingsPath: String,
                            checkpoints: WriteCheckpoints = WriteCheckpoints(directory: nil)) throws -> BackendChoice {
        // Tool commands never see the API key, whichever backend runs.
        let hidden = [o.apiKeyEnv, settings.apiKeyEnv].compactMap { $0 }
        if let path = o.demoScript {
            var script = try Script.load(path: path)
            if let p = o.paceMs { script.pace = p / 1000 }
            let b = ScriptedBackend(script: script, tools: try codingTools(in: o.workspace, hiding: hidden, checkpoints: checkpoints))
            return BackendChoice(backend: b, tools: b)
        }
        // A server from --endpoint or from settings.json (unless -m names a model file).
        if let server = settings.remote(endpointFlag: o.endpoint, apiKeyEnvFlag: o.apiKeyEnv, modelFlag: o.model, isModelFile: {
            $0.lowercased().hasSuffix(".gguf") || FileManager.default.fileExists(atPath: $0)
        }) {
            let backend = try remote(endpoint: server.endpoint, apiKeyEnv: server.apiKeyEnv, tokenizer: o.tokenizer, model: server.model,
                                     contextLength: o.contextLength)
            // Tools run here, on this machine, for GLM-style servers as for the local engine.
            return BackendChoice(backend: backend, tools: try codingTools(in: o.workspace, hiding: hidden, checkpoints: checkpoints))
        }
        if o.apiKeyEnv != nil || o.tokenizer != nil {
            throw SetupError("--api-key-env and --tokenizer only apply with --endpoint (or \"endpoint\" in \(settingsPath))")
        }
        guard let model = o.model ?? settings.model else {
            throw SetupError("""
                no model given: run scripts/demo to fetch the small demo model (SmolLM2-135M-Instruct) and start on it, \
                or pass -m FILE.gguf (GLM-4.7-Flash GGUFs: https://huggingface.co/unsloth/GLM-4.7-Flash-GGUF), \
                or set "model" in \(settingsPath)
                """)
        }
        guard FileManager.default.fileExists(atPath: model) else { throw SetupError("the model file \(model) does not exist") }
        let options = try EngineOptions.resolved(cacheTypeFlag: o.cacheType, cacheTypeSetting: settings.cacheType)
        return try engine(modelPath: model, threads: o.threads, contextLength: o.contextLength, options: options,
                          tools: { try codingTools(in: o.workspace, hiding: hidden, checkpoints: checkpoints) })
    }

    /// The in-process engine: loads the model (progress on stderr, before the screen starts) and, for templates
    /// that declare tools, `tools` (default: the coding tools on the current folder, undo in memory).
    /// `options` nil: the environment's (EngineOptions.fromEnvironment).
    public static func engine(modelPath: String, threads: Int?, contextLength: Int?, options: EngineOptions? = nil,
                              tools: () throws -> ToolExecutor = { try codingTools() }) throws -> BackendChoice {
        FileHandle.standardError.write(Data("glmchat: loading \(modelPath)…\n".utf8))
        let backend = try EngineChatBackend(modelPath: modelPath, threads: threads, contextLength: contextLength, options: options)
        return BackendChoice(backend: backend, tools: backend.template.supportsTools ? try tools() : nil)
    }

    /// The workspace's instructions file for the system message, or a warning when it is there but cannot be used.
    public static func instructions(workspace: String) -> (ProjectInstructions?, warning: String?) {
        InstructionsFile.load(workspace: workspace)
    }

    /// The built-in coding tools on folder `root` (default: the current one). Their commands run without the
    /// variables named in `hidden` (and any variable holding the same value); writes keep checkpoints in `checkpoints`.
    public static func codingTools(in root: String = FileManager.default.currentDirectoryPath, hiding hidden: [String] = [],
                                   checkpoints: WriteCheckpoints = WriteCheckpoints(directory: nil)) throws -> CodingToolsExecutor {
        let workspace = try Workspace(root: root)
        return CodingToolsExecutor(CodingTools(workspace: workspace, environment: CommandEnvironment(hiding: hidden)), checkpoints: checkpoints)
    }

    /// Where the tools' checkpoints are kept: `<sessions>/checkpoints`, or memory only (--no-save).
    public static func checkpoints(noSave: Bool) -> WriteCheckpoints {
        WriteCheckpoints(directory: noSave ? nil : SessionStore().directory + "/checkpoints")
    }

    /// The remote backend for `endpoint`: asks the server's /v1/models for the model (`model`: its id, default the
    /// only one) and its context length (`contextLength` overrides it). The key is read from the environment
    /// variable `apiKeyEnv`; `tokenizer`, the model's GGUF file, gives exact token counts.
    public static func remote(endpoint: String, apiKeyEnv: String?, tokenizer: String?, model: String?, contextLength: Int?) throws -> ChatBackend {
        var key: String?
        if let variable = apiKeyEnv {
            guard let v = ProcessInfo.processInfo.environment[variable], !v.isEmpty else { throw RemoteError.missingAPIKey(variable: variable) }
            key = v
        }
        let counter = try tokenizer.map { PromptEncoder(tokenizer: try Tokenizer(gguf: try GGUFFile(path: $0))) }
        let config = RemoteConfiguration(endpoint: endpoint, apiKey: key, apiKeyVariable: apiKeyEnv, model: model, contextLength: contextLength)
        return try RemoteBackend.connectBlocking(config, tokenCounter: counter)
    }

    /// Where this run keeps conversations: the session store, or memory only (--no-save).
    public static func persistence(noSave: Bool) -> ConversationPersistence {
        noSave ? InMemoryPersistence() : StorePersistence(store: SessionStore())
    }
}
