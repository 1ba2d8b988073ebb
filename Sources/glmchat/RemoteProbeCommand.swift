// `glmchat remote-probe` (hidden): sends one prompt to an OpenAI-compatible server through the remote
// backend and prints every event as a JSON line; used by Tests/e2e/remote-*.sh. With --history the prompt
// goes through the chat controller instead (RemoteProbe+Chat).
import ArgumentParser
import Chat
import Foundation
import Remote

struct RemoteProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote-probe",
        abstract: "Send one prompt to an OpenAI-compatible server and print the reply's events as JSON lines.",
        shouldDisplay: false)

    @OptionGroup var remote: RemoteOptions
    @Option(name: [.short, .customLong("model")], help: "The served model's id (default: the server's only model).") var model: String?
    @Option(name: [.short, .customLong("prompt")], help: "The user message.") var prompt: String
    @Option(help: "A system message.") var system: String?
    @Flag(help: "Thinking off.") var noThink = false
    @Option(name: [.customShort("n"), .customLong("n-predict")], help: "Maximum tokens to generate.") var maxTokens: Int?
    @Option(help: "Temperature.") var temp: Double?
    @Option(help: "Seed.") var seed: UInt64?
    @Option(help: "Context length to assume (overrides the server's).") var contextLength: Int?
    @Option(help: "Cancel the reply after this many content/reasoning pieces.") var cancelAfter: Int?
    @Option(help: "Give up waiting after this many seconds.") var waitSeconds = 300
    @Option(help: ArgumentHelp("Earlier turns (a JSON array of {\"role\", \"content\"}): the prompt then goes through the chat's context manager.",
                               valueName: "FILE.json")) var history: String?

    func validate() throws {
        if history != nil, cancelAfter != nil { throw ValidationError("--cancel-after does not go with --history.") }
    }

    func run() throws {
        guard remote.endpoint != nil else { fail("remote-probe needs --endpoint.") }
        guard let backend = reportingErrors({ try makeRemoteBackend(remote, model: model, contextLength: contextLength) }) else { fail("remote-probe needs --endpoint.") }
        let out = JSONLines()
        out.write([("event", .string("model")), ("name", .string(backend.modelName)), ("context", .int(backend.contextLength))])
        var messages: [Message] = []
        if let system { messages.append(.system(system)) }
        var sampling = SamplingParams.glmDefault
        if let temp { sampling.temperature = temp }
        sampling.seed = seed
        sampling.maxTokens = maxTokens
        if let history {
            let earlier = reportingErrors { try Self.loadHistory(history) }
            if runThroughChat(backend, history: messages + earlier, sampling: sampling, out: out) { throw ExitCode(3) }
            return
        }
        messages.append(.user(prompt))
        let ended = DispatchSemaphore(value: 0)
        let state = ProbeState()
        let cancelAfter = cancelAfter
        backend.send(ChatRequest(messages: messages, sampling: sampling, thinking: !noThink)) { e in
            out.write(Self.json(e))
            switch e {
            case .content, .reasoning:
                if let k = cancelAfter, state.countPiece() == k { backend.cancel() }
            case .finished: state.setFailed(false); ended.signal()
            case .failed: state.setFailed(true); ended.signal()
            default: break
            }
        }
        guard ended.wait(timeout: .now() + .seconds(waitSeconds)) == .success else {
            backend.cancel()
            fail("The server's reply did not end within \(waitSeconds) seconds.")
        }
        if state.failed { throw ExitCode(3) }
    }

    static func json(_ e: ChatEvent) -> [(String, JSONValue)] {
        switch e {
        case .promptFitted(let f): return [("event", .string("send")), ("messages", .int(f.sentMessages))]
        case .contextRetry(let n): return [("event", .string("retry")), ("message", .string(n))]
        case .prefillProgress(let d, let t): return [("event", .string("prefill")), ("done", .int(d)), ("total", .int(t))]
        case .reasoning(let s): return [("event", .string("reasoning")), ("text", .string(s))]
        case .content(let s): return [("event", .string("content")), ("text", .string(s))]
        case .toolCall(let c): return [("event", .string("tool_call")), ("id", .string(c.id)), ("name", .string(c.name)), ("arguments", c.arguments)]
        case .warning(let w): return [("event", .string("warning")), ("message", .string(w))]
        case .stats(let s):
            func n(_ v: Int?) -> JSONValue { v.map { .int($0) } ?? .null }
            return [("event", .string("stats")), ("prompt_tokens", n(s.promptTokens)), ("completion_tokens", n(s.completionTokens))]
        case .finished(let r): return [("event", .string("finished")), ("reason", .string(r.rawValue))]
        case .failed(let m): return [("event", .string("failed")), ("message", .string(m)), ("context_too_long", .bool(e.isContextTooLong))]
        }
    }
}

/// Writes one JSON object per line on stdout, from any thread.
final class JSONLines: @unchecked Sendable {
    private let lock = NSLock()
    func write(_ o: [(String, JSONValue)]) {
        lock.lock(); defer { lock.unlock() }
        FileHandle.standardOutput.write(Data((JSONValue.object(o).serialized() + "\n").utf8))
    }
}

private final class ProbeState: @unchecked Sendable {
    private let lock = NSLock()
    private var pieces = 0
    private var didFail = false
    func countPiece() -> Int { lock.lock(); defer { lock.unlock() }; pieces += 1; return pieces }
    func setFailed(_ f: Bool) { lock.lock(); didFail = f; lock.unlock() }
    var failed: Bool { lock.lock(); defer { lock.unlock() }; return didFail }
}
