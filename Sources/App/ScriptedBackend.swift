// A ChatBackend that replays a recorded stream from JSON — reasoning, answers, tool calls — at a set pace.
// Used by tests, the end-to-end test and `glmchat --demo-script FILE`. It fits each request like the other
// backends, with GLM's template and an estimate of its tokens. A tool call with recorded output replays it;
// one without runs for real through the coding tools (same preview, streaming, stop and undo as the engine's).
import Foundation
import Chat
import Remote
import Store
import TUI

public struct ScriptError: Error, CustomStringConvertible {
    public let description: String
}

public struct Script: Sendable {
    public enum Step: Sendable {
        case reasoning(String), content(String), warning(String), fail(String)
        /// Replies with what it was sent: "system" the system message, "user" the last user message, "messages"
        /// one line per message sent (its role and first line).
        case echo(String)
        /// `output` nil: the call runs for real.
        case toolCall(ToolCall, output: String?, exitStatus: Int)
    }
    public struct Turn: Sendable {
        /// Used for the first user message containing this text (case-insensitive); nil matches any.
        public var match: String?
        public var steps: [Step]
        public var finish: FinishReason
    }
    public var model: String
    public var contextLength: Int
    /// Delay between chunks, seconds.
    public var pace: Double
    /// Characters per streamed chunk (one chunk counts as one token in the stats).
    public var chunk: Int
    public var turns: [Turn]

    /// Parses the script format:
    /// `{"model", "context_length", "pace_ms", "chunk", "turns": [{"match"?, "finish"?, "steps": [
    ///   {"reasoning": S} | {"content": S} | {"warning": S} | {"fail": S} | {"echo": "system" | "user" | "messages" | "prompt_end"} |
    ///   {"tool_call": {"name", "arguments": {...}, "id"?, "output"?, "exit_status"?}}]}]}`
    /// (a tool call without "output" is run by the coding tools on the workspace)
    public static func parse(_ json: String) throws -> Script {
        let v: JSONValue
        do { v = try JSONValue.parse(json) } catch { throw ScriptError(description: "the script is not valid JSON (\(error))") }
        guard v.objectValue != nil else { throw ScriptError(description: "the script must be a JSON object") }
        guard let turnsV = v["turns"]?.arrayValue, !turnsV.isEmpty else { throw ScriptError(description: "the script has no \"turns\" array") }
        var turns: [Turn] = []
        var callN = 0
        for (ti, t) in turnsV.enumerated() {
            guard let stepsV = t["steps"]?.arrayValue else { throw ScriptError(description: "turn \(ti + 1) of the script has no \"steps\" array") }
            var steps: [Step] = []
            for (si, s) in stepsV.enumerated() {
                let here = "step \(si + 1) of turn \(ti + 1)"
                if let r = s["reasoning"]?.stringValue { steps.append(.reasoning(r)) }
                else if let c = s["content"]?.stringValue { steps.append(.content(c)) }
                else if let w = s["warning"]?.stringValue { steps.append(.warning(w)) }
                else if let f = s["fail"]?.stringValue { steps.append(.fail(f)) }
                else if let e = s["echo"]?.stringValue {
                    guard ["system", "user", "messages", "prompt_end"].contains(e) else {
                        throw ScriptError(description: "\(here) echoes \"\(e)\"; it can echo \"system\", \"user\", \"messages\" or \"prompt_end\"")
                    }
                    steps.append(.echo(e))
                }
                else if let tc = s["tool_call"] {
                    guard let name = tc["name"]?.stringValue else { throw ScriptError(description: "the tool call in \(here) has no name") }
                    callN += 1
                    let call = ToolCall(id: tc["id"]?.stringValue ?? "call_\(callN)", name: name, arguments: tc["arguments"] ?? .object([]))
                    steps.append(.toolCall(call, output: tc["output"]?.stringValue, exitStatus: tc["exit_status"]?.intValue ?? 0))
                } else { throw ScriptError(description: "\(here) is not reasoning, content, warning, fail, echo or tool_call") }
            }
            let hasCall = steps.contains { if case .toolCall = $0 { return true }; return false }
            var finish: FinishReason = hasCall ? .toolCalls : .stop
            if let f = t["finish"]?.stringValue {
                guard let r = FinishReason(rawValue: f) else { throw ScriptError(description: "turn \(ti + 1) has an unknown finish \"\(f)\"") }
                finish = r
            }
            turns.append(Turn(match: t["match"]?.stringValue, steps: steps, finish: finish))
        }
        let pace = (v["pace_ms"]?.doubleValue ?? 20) / 1000
        let chunk = v["chunk"]?.intValue ?? 4
        guard pace >= 0, pace <= 10, chunk >= 1 else { throw ScriptError(description: "pace_ms must be 0–10000 and chunk at least 1") }
        return Script(model: v["model"]?.stringValue ?? "scripted", contextLength: v["context_length"]?.intValue ?? 32768,
                      pace: pace, chunk: chunk, turns: turns)
    }

    public static func load(path: String) throws -> Script {
        let data: [UInt8]
        do { data = try AtomicFile.read(path, limit: 64 << 20) } catch { throw ScriptError(description: "cannot read the script \(path): \(error)") }
        return try parse(String(decoding: data, as: UTF8.self))
    }

    /// Splits text into chunks of about `n` characters, preferring to end after a space.
    static func chunks(_ s: String, _ n: Int) -> [String] {
        var out: [String] = [], cur = ""
        for ch in s {
            cur.append(ch)
            if cur.count >= n && (ch == " " || ch == "\n" || cur.count >= n * 3) { out.append(cur); cur = "" }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }
}

public final class ScriptedBackend: ChatBackend, ToolExecutor, @unchecked Sendable {
    public let script: Script
    public var modelName: String { script.model }
    public var contextLength: Int { script.contextLength }
    public var declarations: [JSONValue] { [] }
    public let needsApproval: Bool

    private let lock = NSLock()
    private var used: Set<Int> = []
    private var generation = 0
    /// Recorded results by call id (output nil: run for real).
    private var results: [String: (output: String?, exitStatus: Int)] = [:]
    /// Runs the calls that have no recorded output; nil when the workspace could not be opened.
    let liveTools: CodingToolsExecutor?

    let fitter: PromptFitter

    /// `counter` counts the prompt's tokens (default: about 3 bytes per token, like a server without a tokenizer).
    /// `tools` runs the calls without recorded output (default: the coding tools on the current folder, undo in memory).
    public init(script: Script, toolsNeedApproval: Bool = true, counter: TokenCounter = ApproximateTokenCounter(),
                tools: CodingToolsExecutor? = nil) {
        self.script = script
        self.needsApproval = toolsNeedApproval
        fitter = PromptFitter(template: .glm47, counter: counter, contextLength: script.contextLength)
        liveTools = tools ?? (try? Workspace(root: FileManager.default.currentDirectoryPath)).map { CodingToolsExecutor(CodingTools(workspace: $0)) }
    }

    /// The turn for this request: the first unused one whose `match` is in the last user message, else
    /// the next unused one without a match.
    func pickTurn(_ req: ChatRequest) -> Script.Turn {
        let lastUser = req.messages.last { $0.role == .user }?.content.lowercased() ?? ""
        lock.lock(); defer { lock.unlock() }
        let idx = script.turns.indices.first { i in !used.contains(i) && (script.turns[i].match.map { lastUser.contains($0.lowercased()) } ?? false) }
            ?? script.turns.indices.first { !used.contains($0) && script.turns[$0].match == nil }
        guard let i = idx else { return Script.Turn(match: nil, steps: [.content("(The demo script has no more replies.)")], finish: .stop) }
        used.insert(i)
        return script.turns[i]
    }

    public func send(_ request: ChatRequest, onEvent: @escaping @Sendable (ChatEvent) -> Void) {
        lock.lock(); generation += 1; let gen = generation; lock.unlock()
        let turn = pickTurn(request)
        let thread = Thread { [self] in
            let fitted = fitter.fit(request)
            onEvent(.promptFitted(fitted.fit))
            self.play(Self.answeringEchoes(turn, sent: fitted.messages, prompt: fitted.prompt), gen: gen, promptTokens: fitted.fit.promptTokens,
                      thinking: request.thinking, onEvent)
        }
        thread.start()
    }

    public func measure(_ request: ChatRequest, completion: @escaping @Sendable (PromptFit) -> Void) {
        let fitter = self.fitter
        Thread { completion(fitter.fit(request).fit) }.start()
    }

    public func cancel() { lock.lock(); generation += 1; lock.unlock() }

    private func live(_ gen: Int) -> Bool { lock.lock(); defer { lock.unlock() }; return generation == gen }

    /// The turn with its echo steps replaced by what they echo, from the messages as sent and their prompt text
    /// (`prompt_end`: its last 60 characters, quoted, so a test sees how the prompt ends).
    static func answeringEchoes(_ turn: Script.Turn, sent: [Message], prompt: String) -> Script.Turn {
        var t = turn
        t.steps = turn.steps.map { step in
            guard case .echo(let what) = step else { return step }
            if what == "system" { return .content(sent.first { $0.role == .system }?.content ?? "(no system message)") }
            if what == "prompt_end" { return .content("[prompt ends: " + String(prompt.suffix(60)) + "]") }
            if what == "messages" { return .content(messageLines(sent)) }
            return .content(sent.last { $0.role == .user }?.promptContent ?? "(no user message)")
        }
        return t
    }

    /// "sent 3 messages:" and a line per message: its role and first line (at most 60 characters).
    static func messageLines(_ sent: [Message]) -> String {
        "sent \(sent.count) message\(sent.count == 1 ? "" : "s"):\n" + sent.map { m in
            let first = m.promptContent.split(separator: "\n").first.map(String.init) ?? ""
            return "- \(m.role.rawValue): " + (first.count > 60 ? String(first.prefix(59)) + "…" : first)
        }.joined(separator: "\n")
    }

    private func play(_ turn: Script.Turn, gen: Int, promptTokens: Int, thinking: Bool, _ emit: @Sendable (ChatEvent) -> Void) {
        let start = monotonicSeconds()
        var reasoningTokens = 0, tokens = 0
        var firstToken: Double? = nil
        func pause() { if script.pace > 0 { Thread.sleep(forTimeInterval: script.pace) } }
        emit(.prefillProgress(done: promptTokens, total: promptTokens))
        var cancelled = false
        outer: for step in turn.steps {
            switch step {
            case .reasoning(let text) where thinking, .content(let text):
                let isReasoning: Bool = { if case .reasoning = step { return true }; return false }()
                for c in Script.chunks(text, script.chunk) {
                    pause()
                    guard live(gen) else { cancelled = true; break outer }
                    if firstToken == nil { firstToken = monotonicSeconds() }
                    emit(isReasoning ? .reasoning(c) : .content(c))
                    tokens += 1
                    if isReasoning { reasoningTokens += 1 }
                }
            case .reasoning, .echo: continue   // echoes were answered before playing
            case .warning(let w): emit(.warning(w))
            case .fail(let f):
                guard live(gen) else { cancelled = true; break outer }
                emit(.failed(f)); return
            case .toolCall(let call, let output, let status):
                pause()
                guard live(gen) else { cancelled = true; break outer }
                lock.lock(); results[call.id] = (output, status); lock.unlock()
                emit(.toolCall(call))
                tokens += 8
            }
        }
        let end = monotonicSeconds()
        var st = GenerationStats()
        st.promptTokens = promptTokens
        st.completionTokens = tokens
        st.reasoningTokens = reasoningTokens
        st.prefillSeconds = max(0.001, (firstToken ?? end) - start)
        st.decodeSeconds = max(0.001, end - (firstToken ?? start))
        st.ttftSeconds = (firstToken ?? end) - start
        emit(.stats(st))
        emit(.finished(cancelled ? .cancelled : turn.finish))
    }

    /// The live executor for a call the script gave no output, nil for a recorded one.
    private func live(_ call: ToolCall) -> CodingToolsExecutor? {
        lock.lock(); defer { lock.unlock() }
        guard let r = results[call.id], r.output == nil else { return nil }
        return liveTools
    }

    public func prepare(_ call: ToolCall, completion: @escaping @Sendable (ToolPreparation) -> Void) {
        if let t = live(call) { return t.prepare(call, completion: completion) }
        completion(.ready(ApprovalRequest(call: call, kind: CodingTools.kind(of: call.name) ?? .run, summary: call.name,
                                          preview: .arguments(call.arguments.serialized(.pretty)))))
    }

    /// Runs a call without recorded output for real; replays the recorded output of the others.
    public func run(_ call: ToolCall, conversationID: String?, output: @escaping @Sendable (String) -> Void,
                    completion: @escaping @Sendable (Message) -> Void) {
        if let t = live(call) { return t.run(call, conversationID: conversationID, output: output, completion: completion) }
        lock.lock(); let r = results[call.id]; lock.unlock()
        let pace = script.pace
        Thread {
            let t0 = monotonicSeconds()
            if pace > 0 { Thread.sleep(forTimeInterval: pace * 5) }
            let missing = r == nil ? "(the script recorded no output for this call)"
                : "(the script recorded no output for this call, and the current folder could not be opened to run it)"
            var m = Message.tool(r?.output ?? missing, callID: call.id, name: call.name)
            m.toolResult?.exitStatus = r?.output == nil ? 1 : r?.exitStatus
            m.toolResult?.durationSeconds = monotonicSeconds() - t0
            completion(m)
        }.start()
    }

    public func cancel(_ callID: String) { liveTools?.cancel(callID) }
    public func cancelAll() { liveTools?.cancelAll() }

    public func undoLastWrite(conversationID: String, completion: @escaping @Sendable (UndoResult) -> Void) {
        guard let t = liveTools else { return completion(.failed("no write left to undo in this conversation")) }
        t.undoLastWrite(conversationID: conversationID, completion: completion)
    }

    /// Forgets a conversation's checkpoints (when it is deleted).
    public func deleteCheckpoints(conversationID: String) { liveTools?.deleteCheckpoints(conversationID: conversationID) }
}
