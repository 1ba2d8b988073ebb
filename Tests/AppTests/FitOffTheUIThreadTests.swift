// Fitting a long conversation never blocks the UI: with a token counter that takes 200 ms a call and a
// ~200K-token conversation, keys typed while the backend fits the prompt reach the editor and frames are
// drawn, driving the controller the way TerminalApp's loop does (keys, processQueued, tick, render).
import XCTest
import Foundation
import Chat
@testable import App
@testable import TUI

/// Four bytes a token, after sleeping 200 ms (a very slow tokenizer); counts its calls.
final class SlowCounter: TokenCounter, @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    var calls: Int { lock.lock(); defer { lock.unlock() }; return n }
    func countTokens(_ text: String) -> Int {
        lock.lock(); n += 1; lock.unlock()
        Thread.sleep(forTimeInterval: 0.2)
        return text.utf8.count / 4
    }
}

final class FitOffTheUIThreadTests: XCTestCase {
    func testKeysAndFramesGoOnWhileASlowTokenizerFitsALongPrompt() {
        // 100 turns of 2 × 4,100 bytes: 820 KB, about 205K tokens.
        let words = String(repeating: "the tide comes in and the tide goes out ", count: 100)
        let history = (0..<100).flatMap { i in
            [Message(id: "u\(i)", role: .user, content: words, created: nil),
             Message(id: "a\(i)", role: .assistant, content: words, finishReason: .stop, created: nil)]
        }
        let counter = SlowCounter()
        let script = Script(model: "m", contextLength: 262_144, pace: 0, chunk: 4,
                            turns: [Script.Turn(match: nil, steps: [.content("done")], finish: .stop)])
        var state = AppState(modelName: "", contextLength: 0, theme: .plain, width: 80, height: 24)
        state.messages = history
        let c = ChatController(state: state, backend: ScriptedBackend(script: script, counter: counter), persistence: InMemoryPersistence())
        c.handle(.resize(width: 80, height: 24))
        var buf = Buffer(width: 0, height: 0)
        render(c.state, into: &buf)   // lays out the transcript once, as the first frame does

        for ch in "go on" { c.handle(.key(KeyPress(.char(ch)))) }
        c.handle(.key(KeyPress(.enter)))
        XCTAssertNotNil(c.state.streaming)
        XCTAssertNil(c.state.contextUsed, "update did not fit anything itself")

        // The loop, while the backend fits: one typed key per turn of the loop.
        var framesWhileFitting = 0, typedWhileFitting = "", slowest = 0.0
        let deadline = Date().addingTimeInterval(30)
        while c.state.contextUsed == nil && Date() < deadline {
            let t0 = Date()
            let ch = Character(UnicodeScalar(UInt8(97 + framesWhileFitting % 26)))
            c.handle(.key(KeyPress(.char(ch))))
            c.processQueued()
            c.handle(.tick(monotonicSeconds()))
            var next = Buffer(width: 0, height: 0)
            render(c.state, into: &next)
            slowest = max(slowest, Date().timeIntervalSince(t0))
            if c.state.contextUsed == nil {
                framesWhileFitting += 1
                typedWhileFitting.append(ch)
                XCTAssertTrue(c.state.input.text.hasSuffix(typedWhileFitting), "the key reached the editor at once")
                XCTAssertTrue(next.lines.joined().contains(String(typedWhileFitting.suffix(10))), "and the frame shows it")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        XCTAssertGreaterThan(counter.calls, 0)
        XCTAssertGreaterThan(framesWhileFitting, 10, "frames were drawn while the prompt was being fitted")
        XCTAssertLessThan(slowest, 0.2, "no turn of the loop waited for the tokenizer (one call takes 0.2 s)")
        XCTAssertGreaterThan(c.state.contextUsed ?? 0, 200_000, "the whole conversation was fitted and sent")

        // The reply then comes as usual.
        while c.state.isBusy && Date() < deadline { if !c.processQueued() { _ = c.queue.waitForPost(timeout: 1) } }
        XCTAssertEqual(c.state.messages.last?.content, "done")
    }

    func testOpeningALongConversationMeasuresItOffTheUIThread() throws {
        let words = String(repeating: "the tide comes in and the tide goes out ", count: 100)
        let counter = SlowCounter()
        let p = InMemoryPersistence()
        let id = try p.save(StoredConversation(id: "", title: "long", messages: (0..<100).flatMap { i in
            [Message(id: "u\(i)", role: .user, content: words, created: nil), Message(id: "a\(i)", role: .assistant, content: words, created: nil)]
        }), partial: false)
        let script = Script(model: "m", contextLength: 262_144, pace: 0, chunk: 4, turns: [])
        let c = ChatController(state: AppState(modelName: "", contextLength: 0, theme: .plain), backend: ScriptedBackend(script: script, counter: counter),
                               persistence: p)
        let t0 = Date()
        try c.open(id)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 0.2, "opening did not wait for the tokenizer")
        XCTAssertEqual(c.state.messages.count, 200)
        XCTAssertNil(c.state.contextUsed)
        let deadline = Date().addingTimeInterval(30)
        while c.state.contextUsed == nil && Date() < deadline { if !c.processQueued() { _ = c.queue.waitForPost(timeout: 1) } }
        XCTAssertGreaterThan(c.state.contextUsed ?? 0, 200_000)
    }
}
