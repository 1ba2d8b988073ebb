// The in-process engine behind ChatBackend, on SmolLM2-135M-Instruct (test data): a reply streams and
// finishes, the prompt prefilled is the tokenized full render of the fitted messages, a second turn reuses
// the KV prefix, cancel stops, and a conversation longer than the context is fitted with a report.
import XCTest
import Foundation
import Chat
import GGUF
import Tokenizer
@testable import App

/// The events of one reply, from the backend's thread.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [ChatEvent] = []
    private let ended = DispatchSemaphore(value: 0)
    var events: [ChatEvent] { lock.lock(); defer { lock.unlock() }; return list }
    func add(_ e: ChatEvent) {
        lock.lock(); list.append(e); lock.unlock()
        switch e { case .finished, .failed: ended.signal(); default: break }
    }
    func wait(_ seconds: Double = 120) -> Bool { ended.wait(timeout: .now() + seconds) == .success }
    var fit: PromptFit? { events.lazy.compactMap { if case .promptFitted(let f) = $0 { return f }; return nil }.first }
    var stats: GenerationStats? { events.lazy.compactMap { if case .stats(let s) = $0 { return s }; return nil }.last }
    var content: String { events.map { if case .content(let t) = $0 { return t }; return "" }.joined() }
}

final class EngineChatBackendTests: XCTestCase {
    nonisolated(unsafe) static var shared: EngineChatBackend?

    /// One backend for the file's tests (loading is the slow part), context 512.
    func backend() throws -> EngineChatBackend {
        if let b = Self.shared { return b }
        let env = ProcessInfo.processInfo.environment
        let path = (env["GLMCHAT_TESTDATA"] ?? NSHomeDirectory() + "/.cache/glmchat/testdata") + "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
        guard FileManager.default.fileExists(atPath: path) else {
            if env["GLMCHAT_REQUIRE_TESTDATA"] == "1" { XCTFail("missing test data \(path)") }
            throw XCTSkip("test data \(path) is missing (run scripts/fetch-testdata)")
        }
        let b = try EngineChatBackend(modelPath: path, threads: 2, contextLength: 512)
        Self.shared = b
        return b
    }

    func request(_ messages: [Message], maxTokens: Int = 12) -> ChatRequest {
        var sampling = SamplingParams.glmDefault
        sampling.temperature = 0
        sampling.maxTokens = maxTokens
        sampling.seed = 1
        return ChatRequest(messages: messages, sampling: sampling, thinking: false)
    }

    func run(_ b: EngineChatBackend, _ r: ChatRequest) -> EventLog {
        let log = EventLog()
        b.send(r) { log.add($0) }
        XCTAssertTrue(log.wait(), "the reply ended")
        return log
    }

    func testAReplyStreamsAndFinishes() throws {
        let b = try backend()
        let log = run(b, request([.user("What is the capital of France?")]))
        guard case .promptFitted(let fit)? = log.events.first else { return XCTFail("the fit comes first: \(log.events.prefix(2))") }
        XCTAssertTrue(fit.exact)
        XCTAssertEqual(fit.droppedMessages, 0)
        XCTAssertEqual(fit.sentMessages, 1)
        XCTAssertEqual(log.stats?.promptTokens, fit.promptTokens, "the tokens fitted are the tokens prefilled")
        XCTAssertFalse(log.content.isEmpty)
        XCTAssertTrue([.finished(.stop), .finished(.length)].contains(log.events.last!), "\(log.events.last!)")
    }

    func testThePromptPrefilledIsTheFullRenderOfTheFittedMessages() throws {
        let b = try backend()
        // Long enough that the oldest turns are left out at a 512-token context.
        let conversation = (0..<12).flatMap { i in
            [Message.user("Question \(i): tell me one short fact about the number \(i), please."),
             Message.assistant("Fact \(i): the number \(i) comes after \(i - 1) and before \(i + 1), as every count shows.")]
        } + [.user("And the last one?")]
        let r = request(conversation, maxTokens: 4)
        let log = run(b, r)
        let fit = try XCTUnwrap(log.fit)
        XCTAssertGreaterThan(fit.droppedMessages, 0)
        let tok = try Tokenizer(gguf: try GGUFFile(path: try XCTUnwrap(Self.modelPath)))
        let sent = Array(conversation[fit.droppedMessages...])
        let expected = tok.encode(b.template.render(sent, options: r.templateOptions), parseSpecial: true)
        let prefilled = b.queue.sync { Array(b.session.tokens.prefix(fit.promptTokens)) }
        XCTAssertEqual(prefilled, expected)
    }

    func testASecondTurnReusesTheCachedPrefix() throws {
        let b = try backend()
        var conversation: [Message] = [.system("You are brief."), .user("Name a colour.")]
        let first = run(b, request(conversation))
        conversation.append(.assistant(first.content))
        conversation.append(.user("Name another."))
        let second = run(b, request(conversation))
        XCTAssertGreaterThan(second.stats?.cachedTokens ?? 0, 10, "the first turn's prompt is still in the KV cache")
    }

    func testCancelStops() throws {
        let b = try backend()
        let log = EventLog()
        b.send(request([.user("Count from one to two hundred, in words.")], maxTokens: 400)) { e in
            log.add(e)
            if case .content = e { b.cancel() }
        }
        XCTAssertTrue(log.wait())
        XCTAssertEqual(log.events.last, .finished(.cancelled))
        XCTAssertLessThan(log.stats?.completionTokens ?? 999, 50)
    }

    /// Regenerating prefills only the prompt's last token (its logits start the new sample); an edit of the last user
    /// message reuses the tokens before the edit point and computes the edited message again.
    func checkRegenerateAndEditPrefillOnlyWhatChanged(_ b: EngineChatBackend) throws {
        let q: [Message] = [.user("Name three colours.")]
        let first = run(b, request(q, maxTokens: 6))
        let p0 = try XCTUnwrap(first.stats?.promptTokens)
        let again = run(b, request(q, maxTokens: 6))
        XCTAssertEqual(again.stats?.promptTokens, p0)
        XCTAssertEqual(again.stats?.cachedTokens, p0 - 1, "a regeneration reads no prompt token again but the last")
        let turn: [Message] = q + [.assistant(again.content), .user("And three fruits, please.")]
        let before = run(b, request(turn, maxTokens: 4))
        var edited = turn
        edited[2].content = "And three vegetables, please."
        let after = run(b, request(edited, maxTokens: 4))
        let p1 = try XCTUnwrap(before.stats?.promptTokens), cached = try XCTUnwrap(after.stats?.cachedTokens)
        XCTAssertGreaterThan(cached, p0, "everything up to the edited message is reused")
        XCTAssertLessThan(cached, p1, "the edited message is computed again")
    }

    func testRegenerateAndEditPrefillOnlyWhatChanged() throws { try checkRegenerateAndEditPrefillOnlyWhatChanged(try backend()) }

    /// The same on the GLM test fixture (GLM-4.7 template, MLA cache). Continuing is checked on SmolLM2 only: this
    /// random model writes broken UTF-8, which text cannot carry back.
    func testGLMRegenerateAndEditPrefillOnlyWhatChanged() throws {
        try checkRegenerateAndEditPrefillOnlyWhatChanged(
            try EngineChatBackend(modelPath: KVSnapshotResumeTests.glmFixture("glm-q8_0.gguf"), threads: 2, contextLength: 512))
    }

    func testAContinuedReplyGoesOnAsIfItHadNotStopped() throws {
        let b = try backend()
        let q: [Message] = [.user("Describe the city of Paris in two sentences.")]
        let whole = run(b, request(q, maxTokens: 16))
        let part = run(b, request(q, maxTokens: 8))
        XCTAssertEqual(part.events.last, .finished(.length))
        var r = request(q + [.assistant(part.content)], maxTokens: 8)
        r.continuing = true
        let rest = run(b, r)
        // Greedy, so the two runs make the one reply; the cut reply was still in the cache (all but the token
        // sampled last, which is computed again).
        XCTAssertEqual(part.content + rest.content, whole.content)
        let stats = try XCTUnwrap(rest.stats)
        XCTAssertEqual(stats.cachedTokens, try XCTUnwrap(stats.promptTokens) - 1)
        XCTAssertEqual(stats.promptTokens, try XCTUnwrap(part.stats?.promptTokens) + 8)
    }

    func testCancelStopsWhileThePromptIsRead() throws {
        let b = try backend()
        let log = EventLog()
        let long = String(repeating: "The sea is wide and the boats are small. ", count: 30)
        b.send(request([.user(long + "Summarise.")], maxTokens: 8)) { e in
            log.add(e)
            // Stopped after the first layer's report, long before the 30 layers of the one batch are through.
            if case .prefillProgress(let done, let total) = e, done > 0, done < total { b.cancel() }
        }
        XCTAssertTrue(log.wait())
        XCTAssertEqual(log.events.last, .finished(.cancelled))
        XCTAssertEqual(log.stats?.completionTokens, 0)
        XCTAssertEqual(log.content, "")
        let reports = log.events.compactMap { if case .prefillProgress(let d, _) = $0 { return d }; return nil }
        XCTAssertLessThan(reports.count, 10, "it stopped within a few layers: \(reports)")
        // The next request runs as usual.
        XCTAssertTrue(log.events.contains { if case .promptFitted = $0 { return true }; return false })
        let again = run(b, request([.user("Say hi.")], maxTokens: 2))
        XCTAssertGreaterThan(again.stats?.completionTokens ?? 0, 0)
    }

    func testAConversationLongerThanTheContextIsFittedAndReported() throws {
        let b = try backend()
        let long = String(repeating: "The sea is wide and the boats are small. ", count: 12)
        let conversation = (0..<8).flatMap { i in [Message.user("\(i): " + long), Message.assistant("Noted \(i).")] } + [.user("Summarise.")]
        let log = run(b, request(conversation, maxTokens: 4))
        let fit = try XCTUnwrap(log.fit)
        XCTAssertLessThanOrEqual(fit.promptTokens, fit.report.budget)
        XCTAssertTrue(fit.report.steps.contains { if case .droppedTurns = $0 { return true }; return false }, "\(fit.report)")
        XCTAssertTrue(fit.report.description.contains("left out the"), fit.report.description)
        XCTAssertEqual(fit.droppedMessages + fit.sentMessages, conversation.count)
        XCTAssertTrue(log.events.last.map { if case .finished = $0 { return true }; return false } ?? false)
    }

    static var modelPath: String? {
        let env = ProcessInfo.processInfo.environment
        return (env["GLMCHAT_TESTDATA"] ?? NSHomeDirectory() + "/.cache/glmchat/testdata") + "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    }
}
