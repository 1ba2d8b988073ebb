// Runs the UI's effects against the world: the backend, the tools, the conversation store, the
// settings file and the clipboard; feeds results and failures back as events (the state changes only in
// `update`). TerminalApp drives it; tests drive it headlessly the same way.
import Foundation
import Chat
import TUI

public final class ChatController: LoopController {
    public private(set) var state: AppState
    public let queue = EventQueue()
    public private(set) var quitRequested = false
    let backend: ChatBackend
    let persistence: ConversationPersistence?
    let tools: ToolExecutor?
    let settingsPath: String?
    /// The settings as this run started (command-line flags such as --no-think included) or last saved: a save
    /// writes only the panel keys that differ from it, so a one-run flag never becomes the file's setting.
    private var settingsBaseline: Settings
    /// Puts text on the clipboard (the terminal sends OSC 52).
    public var onCopy: (String) -> Void = { _ in }
    public var onNotify: (String) -> Void = { _ in }
    /// The folder `@path` mentions are read from (nil: messages are sent without attachments).
    public var workspace: Workspace?
    public var runOutsideScreen: (() -> Void) -> Void = { $0() }
    public var clock: @Sendable () -> Double = monotonicSeconds
    /// Unsent text kept in the store; the new conversation's is restored on the first tick.
    private var drafts = DraftKeeper()
    private var draftsStarted = false
    /// Why the conversation on screen is not all on disk: the last save, or the closing write, failed.
    /// Nil while every save has succeeded (a later full save clears it: each save writes the whole conversation).
    public private(set) var unsavedReason: String?

    public init(state: AppState, backend: ChatBackend, persistence: ConversationPersistence?, tools: ToolExecutor? = nil,
                settingsPath: String? = nil) {
        var st = state
        st.modelName = backend.modelName
        st.contextLength = backend.contextLength
        if let t = tools { st.tools = t.declarations; st.toolsNeedApproval = t.needsApproval }
        self.state = st
        settingsBaseline = st.settings
        self.backend = backend; self.persistence = persistence; self.tools = tools; self.settingsPath = settingsPath
    }

    /// Applies one event and performs the effects it asks for.
    public func handle(_ e: Event) {
        let effects = update(&state, e)
        for f in effects { perform(f) }
        if case .tick(let now) = e { keepDraft(now: now) }
    }

    /// Writes the unsent text if it changed (see DraftKeeper); the first call brings back what was left unsent in a
    /// new conversation last time.
    private func keepDraft(now: Double, force: Bool = false) {
        guard let p = persistence else { return }
        if !draftsStarted {
            draftsStarted = true
            if state.sessionID == nil, let d = p.loadDraft(for: nil) { handle(.draftRestored(d)) }
        }
        do { try drafts.sync(state, in: p, now: now, force: force) } catch { handle(.notice("could not keep the unsent text: \(error)")) }
    }

    /// Applies everything other threads posted; returns whether there was anything.
    @discardableResult
    public func processQueued() -> Bool {
        let events = queue.drain()
        for e in events { handle(e) }
        return !events.isEmpty
    }

    /// Writes what the store held back and releases it (at exit); a failure leaves the conversation unsaved.
    public func closePersistence() {
        do { try persistence?.close() } catch { unsavedReason = "\(error)" }
    }

    /// Quits as if the user had asked (stops the reply, keeps what streamed so far).
    public func quit() { perform(.quit) }

    /// Opens a saved conversation (for --resume ID).
    public func open(_ id: String) throws {
        guard let p = persistence else { throw PersistenceError("sessions are not being saved") }
        handle(.sessionLoaded(try p.load(id)))
        if state.readOnly == nil, let d = p.loadDraft(for: state.sessionID) { handle(.draftRestored(d)) }
    }

    func perform(_ f: Effect) {
        switch f {
        case .send(var req):
            // The first reply of a new conversation learns its id here: the save just before named it.
            if req.conversationID == nil, state.readOnly == nil { req.conversationID = state.sessionID }
            let q = queue, clock = self.clock
            backend.send(req) { ev in q.post(.backend(ev, at: clock())) }
        case .summarize(let req):
            // Not a turn of the conversation: sent without its id (its KV cache on disk is not this prompt's).
            let q = queue, clock = self.clock
            backend.send(req) { ev in q.post(.backend(ev, at: clock())) }
        case .cancel:
            backend.cancel()
        case .runTool(let call):
            let q = queue, clock = self.clock
            guard let t = tools else {
                var m = Message.tool("No tools are available in this session.", callID: call.id, name: call.name)
                m.toolResult?.exitStatus = 127
                q.post(.toolFinished(m, at: clock()))
                return
            }
            t.run(call, conversationID: state.sessionID, output: { q.post(.toolOutput(callID: call.id, $0)) }) { m in
                q.post(.toolFinished(m, at: clock()))
            }
        case .prepareTool(let call):
            let q = queue
            guard let t = tools else {
                var m = Message.tool("No tools are available in this session.", callID: call.id, name: call.name)
                m.toolResult?.exitStatus = 127
                q.post(.toolPrepared(call, .refused(m)))
                return
            }
            t.prepare(call) { q.post(.toolPrepared(call, $0)) }
        case .cancelTool(let id):
            tools?.cancel(id)
        case .undoWrite:
            let q = queue
            guard let t = tools, let id = state.sessionID else { handle(.writeUndone(.failed("this conversation has made no writes"))); return }
            t.undoLastWrite(conversationID: id) { q.post(.writeUndone($0)) }
        case .copy(let text):
            onCopy(text)
        case .notify(let text):
            onNotify(text)
        case .editExternally(let text):
            var result = ExternalEditor.Outcome.failed("the editor did not run")
            runOutsideScreen { result = ExternalEditor.edit(text) }
            handle(.editedExternally(result.text, note: result.note))
        case .save(var c, let partial):
            guard let p = persistence else { return }
            // Another glmchat writes the open session: never write it from here (the core sends nothing anyway).
            guard state.readOnly == nil else { return }
            // A conversation captured before its first save learned its id gets it now.
            if c.id.isEmpty, let id = state.sessionID { c.id = id }
            do {
                let id = try p.save(c, partial: partial)
                unsavedReason = nil
                if state.sessionID != id { handle(.saved(id: id)) }
            } catch {
                unsavedReason = "\(error)"
                handle(.notice("could not save the conversation: \(error)"))
            }
        case .listSessions:
            guard let p = persistence else { handle(.notice("sessions are not being saved")); return }
            do { handle(.sessions(try p.list())) } catch { handle(.notice("could not list sessions: \(error)")) }
        case .listWorkspaceFiles:
            guard let ws = workspace else { return }
            let q = queue
            DispatchQueue.global(qos: .userInitiated).async { q.post(.workspaceFiles(ws.files())) }
        case .attach(let text, let paths):
            // A few small files: read here, so the message goes out in the order it was sent.
            guard let ws = workspace else { handle(.attached(text, [], note: nil)); return }
            let (files, note) = AttachmentReader.read(paths, in: ws)
            handle(.attached(text, files, note: note))
        case .export(let c, let json):
            let dir = workspace?.root ?? FileManager.default.currentDirectoryPath
            do { handle(.notice("exported to " + (try ConversationExport.write(c, json: json, into: dir)))) }
            catch { handle(.notice("could not export: \(error)")) }
        case .searchSessions(let query):
            let q = queue
            persistence?.search(query) { q.post(.sessionsFound(query: query, hits: $0)) }
        case .openSession(let id):
            do { try open(id) } catch { handle(.notice("could not open the session: \(error)")) }
        case .renameSession(let id, let title):
            do { try persistence?.rename(id, to: title) } catch { handle(.notice("could not rename: \(error)")) }
        case .deleteSession(let id):
            do {
                try persistence?.delete(id)
                tools?.deleteCheckpoints(conversationID: id)
            } catch { handle(.notice("could not delete: \(error)")) }
        case .saveSettings(let s):
            guard let path = settingsPath else { return }
            let changed = SettingsFile.changedKeys(from: settingsBaseline, to: s, among: SettingsFile.panelKeys)
            guard !changed.isEmpty else { return }
            do { try SettingsFile.save(s, path: path, keys: changed); settingsBaseline = s } catch { handle(.notice("could not save settings: \(error)")) }
        case .keepDraft(let text, let id):
            guard let p = persistence else { return }
            do { try drafts.leave(id, text: text, for: state, in: p) } catch { handle(.notice("could not keep the unsent text: \(error)")) }
            // A new conversation gets back what was typed into the last one not saved.
            if state.sessionID == nil, let d = p.loadDraft(for: nil) { handle(.draftRestored(d)) }
        case .measure(let req, let id):
            let q = queue
            backend.measure(req) { fit in q.post(.contextMeasured(fit, sessionID: id)) }
        case .quit:
            quitRequested = true
            backend.cancel()
            tools?.cancelAll()
            // Keep what has streamed so far (marked incomplete) rather than the last throttled save.
            if state.streaming != nil { perform(.save(state.conversation, partial: true)) }
            keepDraft(now: clock(), force: true)
        }
    }
}
