// A server answering "the prompt is longer than the context": the backend (ContextRetry, next to its fitter)
// shrinks what it sends and retries once, the transcript says so, every message is kept, and a second
// failure ends the reply. Driven through the controller as the chat runs it.
import XCTest
import Foundation
import Chat
@testable import App
@testable import TUI

/// One token per 4 bytes, marked approximate (as the remote backend's estimate is).
struct QuarterCounter: TokenCounter {
    func countTokens(_ text: String) -> Int { text.utf8.count / 4 }
    var isExact: Bool { false }
}

/// Fits like the remote backend (GLM's template, an approximate counter, ContextRetry) and answers each
/// attempt with the next scripted event list, recording what was sent.
final class RecordingBackend: ChatBackend, @unchecked Sendable {
    let modelName = "remote-test"
    let contextLength: Int
    let fitter: PromptFitter
    private let lock = NSLock()
    private var replies: [[ChatEvent]]
    private var sent: [ChatRequest] = []
    var requests: [ChatRequest] { lock.lock(); defer { lock.unlock() }; return sent }

    init(contextLength: Int, replies: [[ChatEvent]]) {
        self.contextLength = contextLength; self.replies = replies
        fitter = PromptFitter(template: .glm47, counter: QuarterCounter(), contextLength: contextLength)
    }

    func send(_ request: ChatRequest, onEvent: @escaping @Sendable (ChatEvent) -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task.detached { [self] in
            await ContextRetry.run(request, fitter: fitter, onEvent: onEvent) { fitted, emit in
                var r = request
                r.messages = fitted.messages
                for e in record(r) { emit(e) }
            }
            done.signal()
        }
        done.wait()
    }
    /// Records what is sent and returns the scripted answer.
    private func record(_ r: ChatRequest) -> [ChatEvent] {
        lock.lock(); defer { lock.unlock() }
        sent.append(r)
        return replies.isEmpty ? [.failed("no more scripted replies")] : replies.removeFirst()
    }
    func cancel() {}
    func measure(_ request: ChatRequest, completion: @escaping @Sendable (PromptFit) -> Void) { completion(fitter.fit(request).fit) }
}

final class ContextRetryTests: XCTestCase {
    /// 4 earlier turns of 400-byte messages. GLM's template: "[gMASK]<sop>" (12 bytes), "<|user|>" + 400 (408)
    /// and "<|assistant|></think>" + 400 (421) per turn; "go on" adds 13 and the generation prompt 20: 3,361
    /// bytes, 840 tokens at 4 bytes each.
    static let history: [Message] = (0..<4).flatMap { i in
        [Message(id: "u\(i)", role: .user, content: String(repeating: "q", count: 400), created: nil),
         Message(id: "a\(i)", role: .assistant, content: String(repeating: "a", count: 400), finishReason: .stop, created: nil)]
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
        // The server counts twice our estimate (1680 for our 840) and has a 1024-token context: 1024 − 256
        // kept for the reply = 768 of its tokens = 384 of ours, so 3 of the 4 old turns go (840 → 218).
        let (c, b, p) = run([[Self.tooLong(context: 1024, prompt: 1680)],
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
        XCTAssertEqual(c.state.contextUsed, 218 + 2 + 4)   // the prompt plus the reply ("fine": 2 + 4, estimated)
    }

    func testASecondTooLongIsShownAndEndsTheReply() throws {
        let (c, b, p) = run([[Self.tooLong(context: 1024, prompt: 1680)], [Self.tooLong(context: 1024, prompt: 700)],
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
        // 840 sent → limit 630: two old turns go (840 → 633 → 425).
        let (c, b, _) = run([[.contextTooLong("prompt is too long")], [.content("ok"), .finished(.stop)]])
        XCTAssertEqual(b.requests.count, 2)
        XCTAssertEqual(b.requests[1].messages.map(\.id).prefix(4), ["u2", "a2", "u3", "a3"])
        XCTAssertEqual(b.requests[1].messages.count, 5)
        XCTAssertEqual(c.state.promptLimit, 630)
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
        let (c, b, _) = run([[.content("partial"), Self.tooLong(context: 1024, prompt: 1680)], [.content("never sent"), .finished(.stop)]])
        XCTAssertEqual(b.requests.count, 1)
        XCTAssertEqual(c.state.messages.last?.content, "partial")
        XCTAssertEqual(c.state.messages.last?.finishReason, .error)
    }

    func testTheRetrysFitGetsTheLimit() async {
        // What the first attempt sent, and three quarters of it as the retry's limit (no numbers from the server).
        let fitter = PromptFitter(template: .glm47, counter: QuarterCounter(), contextLength: 8192)
        let log = FitLog()
        let request = ChatRequest(messages: Self.history + [.user("go on")])
        await ContextRetry.run(request, fitter: fitter, onEvent: { if case .promptFitted(let f) = $0 { log.append(f) } }) { fitted, emit in
            emit(log.fits.count == 1 ? .contextTooLong("prompt is too long") : .finished(.stop))
        }
        XCTAssertEqual(log.fits.map(\.promptLimit), [nil, 630])   // 3/4 of the 840 the first fit sent
        XCTAssertEqual(log.fits.last?.sentMessages, 5)
    }
}

final class FitLog: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [PromptFit] = []
    var fits: [PromptFit] { lock.lock(); defer { lock.unlock() }; return values }
    func append(_ v: PromptFit) { lock.lock(); values.append(v); lock.unlock() }
}
