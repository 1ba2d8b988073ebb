// The in-process backend, on its own thread: fits the request into the context with exact token counts
// (the fitted prompt's ids are the ones prefilled: rendered and tokenized once, its unchanged prefix not
// even that), reuses the KV prefix (restored from the conversation's snapshot on disk when one is kept, see
// KVSnapshotKeeper), samples a reply token by token and streams parsed ChatEvents.
import Chat
import Dispatch
import Engine
import Foundation
import GGUF
import Kernels
import Synchronization
import Tokenizer

public final class EngineChatBackend: ChatBackend, @unchecked Sendable {
    let model: Model
    let tokenizer: Tokenizer
    public let template: ChatTemplate
    /// Why the template fell back, when it did (shown once as a notice).
    public let templateNote: String?
    public let modelName: String
    public let contextLength: Int

    let session: Session                       // touched only on `queue`
    var snapshots: KVSnapshotKeeper?           // touched only on `queue`; nil: no KV cache on disk
    private let encoder: PromptEncoder
    private let fitter: PromptFitter
    let queue = DispatchQueue(label: "glmchat.engine")
    private let cancelled = Atomic<Bool>(false)

    /// `options` nil: the environment's (EngineOptions.fromEnvironment).
    public init(modelPath: String, threads: Int?, contextLength requested: Int?, options: EngineOptions? = nil) throws {
        let n = threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
        model = try Model(path: modelPath, threads: n, options: options)
        tokenizer = try Tokenizer(gguf: model.gguf)
        let recognized = TemplateRecognition.recognize(model.gguf.string("tokenizer.chat_template"))
        template = recognized.template
        templateNote = recognized.note
        modelName = model.gguf.string("general.name") ?? URL(fileURLWithPath: modelPath).deletingPathExtension().lastPathComponent
        session = try Session(model: model, contextLength: requested)
        contextLength = session.contextLength
        encoder = PromptEncoder(tokenizer: tokenizer)
        fitter = PromptFitter(template: template, counter: encoder, contextLength: contextLength)
    }

    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    public func send(_ request: ChatRequest, onEvent: @escaping @Sendable (ChatEvent) -> Void) {
        cancelled.store(false, ordering: .relaxed)
        queue.async { [self] in
            let fitted = fitter.fit(request)
            // The fit's last count encoded this very text: its ids come from the encoder's memory.
            let prompt = encoder.ids(fitted.prompt)
            onEvent(.promptFitted(fitted.fit))
            snapshots?.prepare(session, prompt: prompt, for: request.conversationID)
            do {
                guard let stats = try generate(request, prompt: prompt, onEvent) else { return }
                snapshots?.replied(session, cached: stats.cachedTokens ?? 0, prompt: prompt.count, for: request.conversationID)
            } catch { onEvent(.failed("\(error)")) }
        }
    }

    public func measure(_ request: ChatRequest, completion: @escaping @Sendable (PromptFit) -> Void) {
        queue.async { [self] in
            let fitted = fitter.fit(request)
            completion(fitted.fit)
            // A conversation just opened: its rows come from disk now, so its first reply starts decoding at once.
            if let kv = snapshots, kv.wantsPrompt(for: request.conversationID) {
                kv.prepare(session, prompt: encoder.ids(fitted.prompt), for: request.conversationID)
            }
        }
    }

    /// The end-of-turn kind of a stop token, for the parser.
    private func endKind(_ id: Int) -> EndOfTurn {
        if id == tokenizer.id(of: "<|observation|>") { return .endOfMessage }
        if id == tokenizer.id(of: "<|endoftext|>") { return .endOfText }
        return .endOfTurn
    }

    /// The reply to `prompt`, the fitted request's token ids; its numbers, nil when nothing was prefilled.
    private func generate(_ request: ChatRequest, prompt: [Int], _ emit: @escaping @Sendable (ChatEvent) -> Void) throws -> GenerationStats? {
        let maxReply = request.sampling.maxTokens ?? contextLength
        guard prompt.count < contextLength else {
            emit(.failed("the prompt is \(prompt.count) tokens, more than the context of \(contextLength) tokens"))
            return nil
        }
        // Stopped while the prompt was being fitted: no prefill.
        if cancelled.load(ordering: .relaxed) { emit(.finished(.cancelled)); return nil }
        var stats = GenerationStats()
        stats.promptTokens = prompt.count
        // The last prompt token is always computed again (its logits start the reply).
        stats.cachedTokens = min(zip(session.tokens, prompt).prefix { $0 == $1 }.count, prompt.count - 1)
        let start = DispatchTime.now()
        func seconds(since t: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e9 }
        var logits: [Float]
        do {
            logits = try session.prefill(prompt, progress: { emit(.prefillProgress(done: $0, total: $1)) },
                                         shouldStop: { self.cancelled.load(ordering: .relaxed) })
        } catch EngineError.stopped {
            // Stopped while reading the prompt: what was computed stays cached (and goes into the snapshot); no
            // prompt speed is reported for a prompt not read to the end.
            stats.completionTokens = 0
            emit(.stats(stats))
            emit(.finished(.cancelled))
            return stats
        }
        stats.prefillSeconds = seconds(since: start)

        var parser = request.replyParser(template)
        var sampler = Sampler(params: SamplerParams(request.effectiveSampling))
        var detok = StreamingDetokenizer(tokenizer: tokenizer, renderSpecial: true)
        let stops = tokenizer.stopIDs
        let decodeStart = DispatchTime.now()
        var produced = 0, reasoningTokens = 0
        var thinkingStart: DispatchTime?
        var finish: [ChatEvent] = []
        var guardian = LoopGuard()
        func report(_ events: [ChatEvent]) {
            for e in events {
                if case .finished = e { finish.append(e); continue }
                emit(e)
                if finish.isEmpty, let reason = guardian.observe(e) { emit(.warning(reason)); finish = [.finished(.loop)] }
            }
        }
        while finish.isEmpty {
            if cancelled.load(ordering: .relaxed) { report(parser.chatEvents(parser.finish(nil))); finish = [.finished(.cancelled)]; break }
            let token = sampler.sample(logits, history: session.tokens)
            produced += 1
            if produced == 1 { stats.ttftSeconds = seconds(since: start) }
            // The count so far, for the status bar's live figures.
            if produced % 16 == 0 { var live = stats; live.completionTokens = produced; emit(.stats(live)) }
            if stops.contains(token) {
                report(parser.chatEvents(parser.finish(endKind(token))))
                if finish.isEmpty { finish = [.finished(parser.toolCallCount > 0 ? .toolCalls : .stop)] }
                break
            }
            if parser.isInReasoning { reasoningTokens += 1; if thinkingStart == nil { thinkingStart = DispatchTime.now() } }
            let wasReasoning = parser.isInReasoning
            report(parser.chatEvents(parser.feed(detok.push(token))))
            if wasReasoning, !parser.isInReasoning, let t = thinkingStart { stats.thinkingSeconds = seconds(since: t) }
            if !finish.isEmpty { break }
            if produced >= maxReply || session.tokens.count + 1 >= contextLength {
                report(parser.chatEvents(parser.feed(detok.flush()) + parser.finish(nil)))
                finish = [.finished(.length)]
                break
            }
            logits = try session.decode(token)
        }
        stats.completionTokens = produced
        stats.reasoningTokens = reasoningTokens
        stats.decodeSeconds = seconds(since: decodeStart)
        emit(.stats(stats))
        finish.prefix(1).forEach(emit)
        return stats
    }
}

extension SamplerParams {
    /// The engine's sampler settings for a chat request's sampling parameters.
    init(_ p: SamplingParams) {
        self.init(temperature: Float(p.temperature), topK: p.topK, topP: Float(p.topP), minP: Float(p.minP),
                  repeatPenalty: Float(p.repeatPenalty), presencePenalty: Float(p.presencePenalty),
                  seed: p.seed ?? UInt64.random(in: 0...UInt64.max))
    }
}
