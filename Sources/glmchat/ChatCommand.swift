// `glmchat [chat]`: the full-screen chat. Picks a backend (the in-process engine, a server, or a recorded
// script for demos and tests), loads settings and theme, opens or resumes a session, runs the UI.
import App
import ArgumentParser
import Chat
import Foundation
import TUI
import Terminal

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

    @Flag(name: .customLong("no-instructions"), help: "Do not send the workspace's AGENTS.md (or .glmchat/instructions.md) to the model.")
    var noInstructions = false

    @Option(name: .customLong("cache-type"), help: cacheTypeHelp)
    var cacheType: String?

    @Flag(name: .customLong("no-kv-cache"), help: "Do not keep the engine's KV cache of saved conversations on disk (the kv/ folder next to them).")
    var noKVCache = false

    @Flag(name: .customLong("mouse"), help: "Scroll with the mouse wheel (select text with Shift held).")
    var mouse = false

    @Option(name: .customLong("workspace"), help: "The folder the tools read, write and run commands in (default: the current folder).")
    var workspace: String?

    @Flag(name: .customLong("plan"), help: "Plan mode: the model may read the project but is not offered writing or running tools (Shift-Tab switches).")
    var plan = false

    @OptionGroup var remote: RemoteOptions

    func validate() throws {
        if sessionID != nil && !resume { throw ValidationError("a session id goes with --resume (glmchat --resume ID)") }
        if resume && noSave { throw ValidationError("--resume and --no-save do not go together") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
        if let c = contextLength, c < 256 { throw ValidationError("--ctx-size must be at least 256") }
        if let p = paceMs, p < 0 || p > 10000 { throw ValidationError("--pace-ms must be between 0 and 10000") }
    }
}

extension ChatOptions {
    /// What the flags say about the backend.
    var backend: BackendOptions {
        BackendOptions(model: model, threads: threads, contextLength: contextLength, demoScript: demoScript, paceMs: paceMs,
                       cacheType: cacheType, endpoint: remote.endpoint, apiKeyEnv: remote.apiKeyEnv, tokenizer: remote.tokenizer,
                       workspace: workspace ?? FileManager.default.currentDirectoryPath)
    }
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

        let root = options.backend.workspace
        let choice = reportingErrors { try Backends.make(options.backend, settings: settings, settingsPath: settingsPath,
                                                         checkpoints: Backends.checkpoints(noSave: options.noSave)) }
        if choice.tools != nil, options.workspace == nil, let what = WorkspaceCheck.tooBroad(root) {
            WorkspaceCheck.confirm(what, root: root)
        }
        let persistence = Backends.persistence(noSave: options.noSave)
        var state = AppState(modelName: choice.backend.modelName, contextLength: choice.backend.contextLength, settings: settings, theme: theme)
        state.themes = Theme.all(userDir: configDir + "/themes").themes
        state.planMode = options.plan
        // The tools work in the workspace; its command rules are kept under its path.
        state.workspacePath = root
        let (commands, commandsWarning) = Backends.customCommands(workspace: root, configDir: configDir)
        state.customCommands = commands
        var instructionsWarning: String?
        if !options.noInstructions, choice.tools != nil {   // a coding setup: the model works in this folder
            (state.instructions, instructionsWarning) = Backends.instructions(workspace: root)
        }
        let controller = ChatController(state: state, backend: choice.backend, persistence: persistence, tools: choice.tools,
                                        settingsPath: settingsPath)
        if !options.noKVCache { controller.keepKVSnapshots(budget: settings.kvCacheMaxBytes, memoryBudget: settings.kvMemoryMaxBytes) }
        // `@path` attaches files of the folder the tools work in.
        if choice.tools != nil { controller.workspace = try? Workspace(root: root) }
        if options.resume {
            if let id = options.sessionID {
                reportingErrors { try controller.open(try resolveSessionID(id, in: persistence)) }
            } else {
                controller.handle(.key(KeyPress(.function(2))))
            }
        }
        if let w = themeWarning ?? settingsWarning ?? instructionsWarning ?? commandsWarning { controller.handle(.notice(w)) }
        let outcome = Result { try TerminalApp.run(controller, mouse: options.mouse) }
        controller.closePersistence()
        // Nothing typed is lost: what was queued or left in the editor is printed once the screen is back.
        if let text = controller.state.unsentText { print("Not sent (queued or still in the editor):\n\(text)\n"); fflush(nil) }
        // A failed save is never reported as saved: the whole conversation goes to an emergency copy instead.
        let unsaved = controller.unsavedReason.map { unsavedSentence(controller.state.conversation, reason: $0) }
        if let u = unsaved { FileHandle.standardError.write(Data("glmchat: \(u)\n".utf8)) }
        TerminalApp.dieOfPendingSignal()
        if case .failure(let e) = outcome { fail("\(e)") }
        if unsaved != nil { throw ExitCode.failure }
        if let ro = controller.state.readOnly, let id = controller.state.sessionID {
            print("Session \(id) was shown \(ro.label); nothing was written to it.")
        } else if let id = controller.state.sessionID, !controller.state.messages.isEmpty, !options.noSave {
            print("Saved as \(id).\nResume with: glmchat --resume \(id)")
        }
    }
}

/// The one sentence for a conversation that is not all on disk, after writing its emergency copy.
func unsavedSentence(_ c: StoredConversation, reason: String) -> String {
    do {
        let path = try EmergencyCopy.write(c)
        return "The conversation was not saved (\(reason)); all \(c.messages.count) messages were written to \(path)."
    } catch {
        return "The conversation was not saved (\(reason)), and no emergency copy could be written (\(error))."
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
