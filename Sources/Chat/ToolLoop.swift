// The tool loop: send the conversation to a ChatBackend, collect the reply (guarded against degenerate
// repetition), run the tool calls it asks for (with approval), append the results and continue, for at most
// `maxRounds` replies.
import Foundation

public enum ToolLoopEvent: Sendable {
    /// An event of the reply being generated, as the backend sent it.
    case reply(ChatEvent)
    /// What the context budget removed from the prompt for this reply (only when something was).
    case truncated(TruncationReport)
    /// A finished reply, appended to the conversation.
    case assistant(Message)
    /// A tool call is about to run (after approval, if it needed one).
    case toolStarted(ToolCall)
    /// A tool result, appended to the conversation.
    case tool(Message)
    /// The loop stopped early for a reason the user should see.
    case stopped(String)
}

public final class ToolLoop: @unchecked Sendable {
    public struct Settings: Sendable {
        public var maxRounds = 25
        public var loopGuard = LoopGuard.Settings()
        public init() {}
    }

    /// Turns the conversation into what is sent (e.g. `ContextBudget.fit`); nil = send everything.
    public typealias Fitter = @Sendable ([Message]) throws -> (messages: [Message], report: TruncationReport?)

    let backend: ChatBackend
    let tools: CodingTools?
    let approver: ToolApprover
    let settings: Settings
    private let lock = NSLock()
    private var cancelled = false
    private var alwaysApproved: Set<ToolKind> = []

    public init(backend: ChatBackend, tools: CodingTools?, approver: ToolApprover, settings: Settings = Settings()) {
        self.backend = backend; self.tools = tools; self.approver = approver; self.settings = settings
    }

    /// Stops the loop: the reply in progress is cancelled and no further tool runs or round starts.
    public func cancel() {
        lock.lock(); cancelled = true; lock.unlock()
        backend.cancel()
    }

    private var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }

    /// Runs replies and tools until the model answers without calling a tool, something stops it, or the
    /// round limit is reached. `template` carries tools, sampling and thinking settings (its messages are
    /// ignored). Returns only the messages it added, in order; the caller stores them.
    public func run(_ conversation: [Message], template: ChatRequest, fit: Fitter? = nil,
                    onEvent: @escaping @Sendable (ToolLoopEvent) -> Void) async -> [Message] {
        var added: [Message] = []
        var round = 0
        while !isCancelled {
            if round == settings.maxRounds {
                onEvent(.stopped("The tool loop stopped after \(settings.maxRounds) rounds; send a message to let the model continue."))
                break
            }
            round += 1
            var request = template
            do {
                let fitted: (messages: [Message], report: TruncationReport?) = try fit?(conversation + added) ?? (conversation + added, nil)
                request.messages = fitted.messages
                if let r = fitted.report, !r.isEmpty { onEvent(.truncated(r)) }
            } catch {
                onEvent(.stopped("\(error)"))
                break
            }
            let reply = await generate(request, onEvent: onEvent)
            added.append(reply)
            onEvent(.assistant(reply))
            guard reply.finishReason != .cancelled, reply.finishReason != .error, reply.finishReason != .loop,
                  !reply.toolCalls.isEmpty else { break }
            for call in reply.toolCalls {
                if isCancelled {
                    // Every call gets an answer so the conversation stays well-formed.
                    let m = ToolOutcome(output: "The user stopped the tool loop before this call ran.", exitStatus: 1, denied: true).message(answering: call)
                    added.append(m); onEvent(.tool(m)); continue
                }
                let m = await runTool(call, onEvent: onEvent)
                added.append(m)
                onEvent(.tool(m))
            }
        }
        return added
    }

    private func runTool(_ call: ToolCall, onEvent: @escaping @Sendable (ToolLoopEvent) -> Void) async -> Message {
        guard let tools else {
            return ToolOutcome(output: "Error: no tools are available in this conversation.", exitStatus: 1).message(answering: call)
        }
        if let k = CodingTools.kind(of: call.name), !k.needsApproval { onEvent(.toolStarted(call)) }
        let outcome = await tools.execute(call) { [self] request in
            if isCancelled { return .deny("the user stopped the tool loop") }
            if alwaysApprovedContains(request.kind) { onEvent(.toolStarted(call)); return .approve }
            let d = await approver.decide(request)
            if d == .approveAlways { remember(request.kind) }
            if d != .approve && d != .approveAlways { return d }
            onEvent(.toolStarted(call))
            return d
        }
        return outcome.message(answering: call)
    }

    private func alwaysApprovedContains(_ k: ToolKind) -> Bool { lock.lock(); defer { lock.unlock() }; return alwaysApproved.contains(k) }
    private func remember(_ k: ToolKind) { lock.lock(); alwaysApproved.insert(k); lock.unlock() }

    /// One reply: forwards the backend's events and builds the assistant message from them.
    private func generate(_ request: ChatRequest, onEvent: @escaping @Sendable (ToolLoopEvent) -> Void) async -> Message {
        let (stream, continuation) = AsyncStream<ChatEvent>.makeStream()
        backend.send(request) { e in
            continuation.yield(e)
            switch e { case .finished, .failed: continuation.finish(); default: break }
        }
        var msg = Message(role: .assistant, content: "", sampling: request.sampling, incomplete: true)
        var guardian = LoopGuard(settings: settings.loopGuard)
        var stoppedBy: String?
        for await e in stream {
            onEvent(.reply(e))
            switch e {
            case .reasoning(let s): msg.reasoning = (msg.reasoning ?? "") + s
            case .content(let s): msg.content += s
            case .toolCall(let c): if stoppedBy == nil { msg.toolCalls.append(c) }
            case .stats(let s): msg.stats = s
            case .finished(let r): msg.finishReason = stoppedBy == nil ? r : .loop
            case .failed(let why): msg.finishReason = .error; onEvent(.stopped(why))
            case .warning, .prefillProgress: break
            }
            if stoppedBy == nil, let why = guardian.observe(e) {
                stoppedBy = why
                onEvent(.stopped(why))
                backend.cancel()
            }
        }
        if msg.finishReason == nil { msg.finishReason = stoppedBy == nil ? .error : .loop }
        if stoppedBy != nil { msg.toolCalls = [] }
        msg.incomplete = false
        return msg
    }
}
