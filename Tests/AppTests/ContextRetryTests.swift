// A server answering "the prompt is longer than the context": the controller shrinks what it sends and
// retries once, says so in the transcript, keeps every message, and stops after a second failure.
import XCTest
import Foundation
import Chat
@testable import TUI

/// One token per 4 bytes, marked approximate (as the remote backend's estimate is).
struct QuarterCounter: TokenCounter {
    func countTokens(_ text: String) -> Int { text.utf8.count / 4 }
    var isExact: Bool { false }
}

/// Answers each send with the next scripted event list, at once, and records what was sent.
final class RecordingBackend: ChatBackend, @unchecked Sendable {
    let modelName = "remote-test"
    let contextLength: Int
    let tokenCounter: TokenCounter? = QuarterCounter()
    private let lock = NSLock()
    private var replies: [[ChatEvent]]
    private(set) var requests: [ChatRequest] = []

    init(contextLength: Int, replies: [[ChatEvent]]) { self.contextLength = contextLength; self.replies = replies }

    func send(_ request: ChatRequest, onEvent: @escaping @Sendable (ChatEvent) -> Void) {
        lock.lock()
        requests.append(request)
        let events = replies.isEmpty ? [.failed("no more scripted replies")] : replies.removeFirst()
        lock.unlock()
        for e in events { onEvent(e) }
    }
    func cancel() {}
}

final class ContextRetryTests: XCTestCase {
    /// 4 earlier turns of 400-byte messages: 100 + 4 = 104 estimated tokens each, 832 in all.
    static let history: [Message] = (0..<4).flatMap { i in
        [Fixture.user(String(repeating: "q", count: 400), id: "u\(i)"), Fixture.assistant(String(repeating: "a", count: 400), id: "a\(i)")]
    }
    /// llama-cpp-python's wording (llama_cpp/server/errors.py) as the remote backend reports it.
    static func tooLong(context: Int, prompt: Int) -> ChatEvent {
        .contextTooLong("This model's maximum context length is \(context) tokens. However, you requested \(prompt) tokens (\(prompt) in the messages, None in the completion). Please reduce the length of the messages or completion")
    }

    func run(_ replies: [[ChatEvent]], history: [Message] = ContextRetryTests.history) -> (ChatController, RecordingBackend, InMemoryPersistence) {
        let b = RecordingBackend(contextLength: 8192, replies: replies)
        let p = InMemoryPersistence()
        var st = AppState(modelName: "", contextLength: 0, theme: .plain, width: 100, height: 40)
        st.messages = history
        let c = ChatController(state: st, backend: b, persistence: p)
        for ch in "go on" { c.handle(.key(KeyPress(.char(ch)))) }   // 5 bytes: 1 + 4 tokens
        c.handle(.key(KeyPress(.enter)))
        let deadline = Date().addingTimeInterval(30)
        while c.state.isBusy && Date() < deadline { c.processQueued() }
        XCTAssertFalse(c.state.isBusy)
        return (c, b, p)
    }

    func rows(_ c: ChatController) -> [String] { c.state.layoutTranscript().rows.map(\.plainText) }
    /// Whether the transcript shows `text`, possibly wrapped over several rows.
    func shows(_ c: ChatController, _ text: String) -> Bool {
        rows(c).joined().filter { !$0.isWhitespace }.contains(text.filter { !$0.isWhitespace })
    }

    func testTooLongIsRetriedOnceWithTheOldestTurnsLeftOut() throws {
        // The server counts twice our estimate (1674 for our 837) and has a 1024-token context: 1024 − 256
        // kept for the reply = 768 of its tokens = 384 of ours, so 3 of the 4 old turns go (837 → 213).
        let (c, b, p) = run([[Self.tooLong(context: 1024, prompt: 1674)],
                             [.content("fine"), .finished(.stop)]])
        XCTAssertEqual(b.requests.count, 2)
        XCTAssertEqual(b.requests[0].messages.count, 9)
        XCTAssertEqual(b.requests[1].messages.map(\.id), ["u3", "a3", c.state.messages[8].id])
        XCTAssertEqual(b.requests[1].messages.last?.content, "go on")
        // Nothing is lost: the conversation has every message, the reply, and no trace of the failed attempt.
        XCTAssertEqual(c.state.messages.count, 10)
        XCTAssertEqual(Array(c.state.messages.prefix(8)), Self.history)
        XCTAssertEqual(c.state.messages[8].content, "go on")
        XCTAssertEqual(c.state.messages[9].content, "fine")
        XCTAssertEqual(c.state.messages[9].finishReason, .stop)
        XCTAssertEqual(try p.load(c.state.sessionID!).messages, c.state.messages)
        // Shown: the notice under the message the reply answers, and the usual line above what is still sent.
        let r = rows(c)
        let notice = try XCTUnwrap(r.firstIndex(of: "⚠ The server said the conversation is too long; retrying with 6 older messages left out."))
        XCTAssertEqual(r[notice - 1], "› go on")
        XCTAssertTrue(r.contains { $0.hasPrefix("⋯ 3 earlier turns are not sent to the model") })
        XCTAssertFalse(r.contains { $0.hasPrefix("✗") })
        // The server's context is used from now on, and so is the limit.
        XCTAssertEqual(c.state.contextLength, 1024)
        XCTAssertEqual(c.state.promptLimit, 384)
        XCTAssertEqual(c.state.contextUsed, 213 + 1 + 4)   // the prompt plus the reply ("fine": 1 + 4)
    }

    func testASecondTooLongIsShownAndEndsTheReply() throws {
        let (c, b, p) = run([[Self.tooLong(context: 1024, prompt: 1674)], [Self.tooLong(context: 1024, prompt: 700)],
                             [.content("never sent"), .finished(.stop)]])
        XCTAssertEqual(b.requests.count, 2)
        XCTAssertEqual(b.requests[1].messages.count, 3)
        XCTAssertEqual(c.state.messages.count, 10)
        XCTAssertEqual(c.state.messages[8].content, "go on")
        XCTAssertEqual(c.state.messages[9].finishReason, .error)
        XCTAssertEqual(c.state.messages[9].content, "")
        XCTAssertEqual(try p.load(c.state.sessionID!).messages, c.state.messages)
        let r = rows(c)
        XCTAssertTrue(r.contains("⚠ The server said the conversation is too long; retrying with 6 older messages left out."))
        let failure = r.filter { $0.hasPrefix("✗") }
        XCTAssertEqual(failure.count, 1)
        XCTAssertTrue(failure.first?.hasPrefix("✗ the reply failed: The conversation is too long for the model's context") == true)
        XCTAssertTrue(shows(c, "(This was the retry with a shorter prompt.)"))
    }

    func testWithoutNumbersThreeQuartersOfThePromptIsTheLimit() {
        // 837 sent → limit 627: two old turns go (837 → 629 → 421).
        let (c, b, _) = run([[.contextTooLong("prompt is too long")], [.content("ok"), .finished(.stop)]])
        XCTAssertEqual(b.requests.count, 2)
        XCTAssertEqual(b.requests[1].messages.map(\.id).prefix(4), ["u2", "a2", "u3", "a3"])
        XCTAssertEqual(b.requests[1].messages.count, 5)
        XCTAssertEqual(c.state.promptLimit, 627)
        XCTAssertEqual(c.state.contextLength, 8192)
        XCTAssertTrue(rows(c).contains("⚠ The server said the conversation is too long; retrying with 4 older messages left out."))
    }

    func testNothingOlderToLeaveOutIsNotRetried() {
        let (c, b, _) = run([[Self.tooLong(context: 1024, prompt: 3000)], [.content("never sent"), .finished(.stop)]], history: [])
        XCTAssertEqual(b.requests.count, 1)
        XCTAssertEqual(c.state.messages.map(\.role), [.user, .assistant])
        XCTAssertEqual(c.state.messages[1].finishReason, .error)
        XCTAssertTrue(shows(c, "Nothing older can be left out: shorten the message or start a new conversation (Ctrl-N)."))
    }

    func testOtherFailuresAreNotRetried() {
        let (c, b, _) = run([[.failed("The server failed (HTTP 500).")], [.content("never sent"), .finished(.stop)]])
        XCTAssertEqual(b.requests.count, 1)
        XCTAssertTrue(rows(c).contains("✗ the reply failed: The server failed (HTTP 500)."))
        XCTAssertNil(c.state.promptLimit)
    }

    func testAReplyThatAlreadyStreamedIsKeptNotRetried() {
        let (c, b, _) = run([[.content("partial"), Self.tooLong(context: 1024, prompt: 1674)], [.content("never sent"), .finished(.stop)]])
        XCTAssertEqual(b.requests.count, 1)
        XCTAssertEqual(c.state.messages.last?.content, "partial")
        XCTAssertEqual(c.state.messages.last?.finishReason, .error)
    }

    func testAPluggedFitterGetsTheLimit() {
        var s = Fixture.state()
        s.messages = Self.history
        let limits = LimitLog()
        s.fitter = { msgs, _, limit in
            limits.append(limit)
            let keep = limit == nil ? msgs : Array(msgs.suffix(1))
            return ContextFitResult(messages: keep, droppedMessages: msgs.count - keep.count, promptTokens: limit == nil ? 1000 : 10)
        }
        Fixture.feed(&s, Fixture.type("go on") + [Fixture.key(.enter)])
        let fx = Fixture.feed(&s, [.backend(.contextTooLong("prompt is too long"), at: 1)])
        let retry = fx.compactMap { if case .send(let r) = $0 { return r }; return nil }
        XCTAssertEqual(retry.first?.messages.map(\.content), ["go on"])
        XCTAssertEqual(limits.values.last, 750)   // 3/4 of the 1000 the fitter reported
    }
}

final class LimitLog: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Int?] = []
    func append(_ v: Int?) { lock.lock(); values.append(v); lock.unlock() }
}
