// `glmchat [chat]`: the full-screen chat. Picks a backend (the in-process engine, or a recorded
// script for demos and tests), loads settings and theme, opens or resumes a session, runs the UI.
import ArgumentParser
import Foundation
import Chat
import GGUF
import Store
import TUI
import Terminal
import Tokenizer

struct ChatOptions: ParsableArguments {
    @Option(name: [.short, .customLong("model")], help: "The GGUF model file (default: \"model\" in settings.json); with a server, the served model's id.")
    var model: String?

    @Flag(name: .customLong("resume"), help: "Continue a saved conversation: --resume opens the session picker, --resume ID opens that one.")
    var resume = false

    @Argument(help: ArgumentHelp("Session to resume (with --resume).", valueName: "ID"))
    var sessionID: String?

    @Option(name: .customLong("theme"), help: "Colour theme: dark, light, high-contrast, basic16, or a file name in $XDG_CONFIG_HOME/glmchat/themes.")
    var theme: String?

    @Option(name: [.short, .customLong("threads")], help: "CPU threads for the engine.")
    var threads: Int?

    @Option(name: [.short, .customLong("ctx-size")], help: "Context length in tokens (default: the model's).")
    var contextLength: Int?

    @Flag(name: .customLong("no-think"), help: "Answer without thinking first.")
    var noThink = false

    @Option(name: .customLong("demo-script"), help: "Replay a recorded conversation script (JSON) instead of running a model.")
    var demoScript: String?

    @Option(name: .customLong("pace-ms"), help: "With --demo-script: milliseconds between streamed chunks (overrides the script).")
    var paceMs: Double?

    @Flag(name: .customLong("no-save"), help: "Keep this conversation in memory only.")
    var noSave = false

    @Flag(name: .customLong("mouse"), help: "Scroll with the mouse wheel (select text with Shift held).")
    var mouse = false

    @OptionGroup var remote: RemoteOptions

    func validate() throws {
        if sessionID != nil && !resume { throw ValidationError("a session id goes with --resume (glmchat --resume ID)") }
        if resume && noSave { throw ValidationError("--resume and --no-save do not go together") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
        if let c = contextLength, c < 256 { throw ValidationError("--ctx-size must be at least 256") }
        if let p = paceMs, p < 0 || p > 10000 { throw ValidationError("--pace-ms must be between 0 and 10000") }
    }
}

/// The backend, tools and context fitter for a chat. The in-process engine is wired in here (see makeEngineBackend).
struct BackendChoice {
    var backend: ChatBackend
    var tools: ToolExecutor?
    /// nil: the TUI's own fit (drop the oldest whole turns, ~3 bytes per token without a token counter).
    var fitter: ContextFitter? = nil
}

/// The in-process engine: loads the model (progress on stderr, before the screen starts), the coding tools
/// for templates that declare tools (confined to the current folder), and the exact-token context fitter.
func makeEngineBackend(modelPath: String, options: ChatOptions, settings: Settings) throws -> BackendChoice {
    FileHandle.standardError.write(Data("glmchat: loading \(modelPath)…\n".utf8))
    let backend = try EngineChatBackend(modelPath: modelPath, threads: options.threads, contextLength: options.contextLength)
    var tools: ToolExecutor?
    if backend.template.supportsTools {
        tools = CodingToolsExecutor(CodingTools(workspace: try Workspace(root: FileManager.default.currentDirectoryPath)))
    }
    return BackendChoice(backend: backend, tools: tools, fitter: budgetFitter(for: backend, tools: tools?.declarations ?? []))
}

func makeBackend(_ options: ChatOptions, settings: Settings, settingsPath: String) throws -> BackendChoice {
    if let path = options.demoScript {
        var script = try Script.load(path: path)
        if let p = options.paceMs { script.pace = p / 1000 }
        let b = ScriptedBackend(script: script)
        return BackendChoice(backend: b, tools: b)
    }
    // A server from --endpoint or from settings.json (unless -m names a model file).
    let r = options.remote
    if let server = settings.remote(endpointFlag: r.endpoint, apiKeyEnvFlag: r.apiKeyEnv, modelFlag: options.model, isModelFile: {
        $0.lowercased().hasSuffix(".gguf") || FileManager.default.fileExists(atPath: $0)
    }) {
        let backend = try makeRemoteBackend(endpoint: server.endpoint, apiKeyEnv: server.apiKeyEnv, tokenizer: r.tokenizer, model: server.model,
                                            contextLength: options.contextLength,
                                            loadTokenCounter: { path in TokenizerCounter(tokenizer: try Tokenizer(gguf: try GGUFFile(path: path))) })
        // Tools run here, on this machine, for GLM-style servers as for the local engine.
        let tools = CodingToolsExecutor(CodingTools(workspace: try Workspace(root: FileManager.default.currentDirectoryPath)))
        return BackendChoice(backend: backend, tools: tools)
    }
    if r.apiKeyEnv != nil || r.tokenizer != nil {
        throw ValidationError("--api-key-env and --tokenizer only apply with --endpoint (or \"endpoint\" in \(settingsPath))")
    }
    guard let model = options.model ?? settings.model else {
        throw ValidationError("""
            no model given: run scripts/demo to fetch the small demo model (SmolLM2-135M-Instruct) and start on it, \
            or pass -m FILE.gguf (GLM-4.7-Flash GGUFs: https://huggingface.co/unsloth/GLM-4.7-Flash-GGUF), \
            or set "model" in \(settingsPath)
            """)
    }
    guard FileManager.default.fileExists(atPath: model) else { throw ValidationError("the model file \(model) does not exist") }
    return try makeEngineBackend(modelPath: model, options: options, settings: settings)
}

/// The conversation store for this run.
func makePersistence(_ options: ChatOptions) throws -> ConversationPersistence {
    if options.noSave { return InMemoryPersistence() }
    return StorePersistence(store: SessionStore())
}

struct ChatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chat", abstract: "Chat in the terminal (the default command).")

    @OptionGroup var options: ChatOptions

    func run() throws {
        let configDir = SettingsFile.configDir()
        let settingsPath = configDir + "/settings.json"
        var (settings, settingsWarning) = SettingsFile.load(path: settingsPath)
        if options.noThink { settings.thinking = false }
        let themeName = options.theme ?? settings.theme
        let (theme, themeWarning) = Theme.load(named: themeName, userDir: configDir + "/themes")
        if options.theme != nil, themeWarning == nil { settings.theme = themeName }

        let choice = reportingErrors { try makeBackend(options, settings: settings, settingsPath: settingsPath) }
        let persistence = reportingErrors { try makePersistence(options) }
        var state = AppState(modelName: choice.backend.modelName, contextLength: choice.backend.contextLength, settings: settings, theme: theme)
        state.themes = Theme.all(userDir: configDir + "/themes").themes
        let controller = ChatController(state: state, backend: choice.backend, persistence: persistence, tools: choice.tools,
                                        settingsPath: settingsPath, fitter: choice.fitter)
        if options.resume {
            if let id = options.sessionID {
                reportingErrors { try controller.open(try resolveSessionID(id, in: persistence)) }
            } else {
                controller.handle(.key(KeyPress(.function(2))))
            }
        }
        if let w = themeWarning ?? settingsWarning { controller.handle(.notice(w)) }
        let outcome = Result { try TerminalApp.run(controller, mouse: options.mouse) }
        persistence.close()
        // Nothing typed is lost: what was queued or left in the editor is printed once the screen is back.
        if let text = controller.state.unsentText { print("Not sent (queued or still in the editor):\n\(text)\n"); fflush(nil) }
        TerminalApp.dieOfPendingSignal()
        if case .failure(let e) = outcome { fail("\(e)") }
        if let ro = controller.state.readOnly, let id = controller.state.sessionID {
            print("Session \(id) was shown \(ro.label); nothing was written to it.")
        } else if let id = controller.state.sessionID, !controller.state.messages.isEmpty, !options.noSave {
            print("Saved as \(id).\nResume with: glmchat --resume \(id)")
        }
    }
}

/// Accepts a full session id or a unique prefix of one.
func resolveSessionID(_ id: String, in p: ConversationPersistence) throws -> String {
    let all = try p.list()
    if all.contains(where: { $0.id == id }) { return id }
    let hits = all.filter { $0.id.hasPrefix(id) }
    if hits.count == 1 { return hits[0].id }
    if hits.isEmpty { throw PersistenceError("there is no saved session \(id) (glmchat sessions list shows them)") }
    throw PersistenceError("\(id) matches \(hits.count) sessions; give more of the id")
}
