// c in the transcript (and /continue): a stopped or cut-off last reply goes on in the same message, the request says
// it continues, the figures of both runs add up; a complete, earlier or tool-calling reply is refused with a reason.
import XCTest
import Chat
@testable import TUI

final class ContinueTests: XCTestCase {
    func sends(_ fx: [Effect]) -> [ChatRequest] { fx.compactMap { if case .send(let r) = $0 { return r }; return nil } }

    /// A conversation whose reply was stopped by the user after "The capital".
    func stopped() -> AppState {
        var s = Fixture.state(width: 80, height: 20)
        Fixture.feed(&s, Fixture.type("capital of France?") + [Fixture.key(.enter)])
        var st = GenerationStats()
        st.promptTokens = 30; st.completionTokens = 3; st.decodeSeconds = 0.3; st.ttftSeconds = 0.2
        Fixture.feed(&s, [.backend(.content("The capital"), at: 1), .backend(.stats(st), at: 1.1), .backend(.finished(.cancelled), at: 1.2)])
        return s
    }

    func testCGoesOnWithTheStoppedReplyInTheSameMessage() {
        var s = stopped()
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("⏹ stopped by you · c continues it") }, Fixture.screen(s).joined(separator: "\n"))
        Fixture.feed(&s, [Fixture.key(.tab)])
        let fx = Fixture.feed(&s, [Fixture.key(.char("c"))])
        let req = try! XCTUnwrap(sends(fx).first)
        XCTAssertTrue(req.continuing)
        XCTAssertEqual(req.messages.map(\.content), ["capital of France?", "The capital"], "the reply so far is the end of the prompt")
        XCTAssertEqual(s.messages.count, 2, "no new message")
        XCTAssertEqual(s.streaming?.messageIndex, 1)
        var st = GenerationStats()
        st.promptTokens = 33; st.cachedTokens = 32; st.completionTokens = 4; st.decodeSeconds = 0.4; st.ttftSeconds = 0.05
        Fixture.feed(&s, [.backend(.content(" of France is Paris."), at: 2), .backend(.stats(st), at: 2.1), .backend(.finished(.stop), at: 2.2)])
        XCTAssertEqual(s.messages.map(\.content), ["capital of France?", "The capital of France is Paris."])
        XCTAssertEqual(s.messages[1].finishReason, .stop)
        XCTAssertFalse(s.messages[1].incomplete)
        XCTAssertEqual(s.messages[1].stats?.completionTokens, 7, "both runs' tokens")
        XCTAssertEqual(s.messages[1].stats?.decodeSeconds ?? 0, 0.7, accuracy: 1e-9)
        XCTAssertEqual(s.messages[1].stats?.ttftSeconds, 0.2, "the first run's time to first token")
        XCTAssertEqual(s.messages[1].stats?.cachedTokens, 32)
        XCTAssertFalse(Fixture.screen(s).contains { $0.contains("stopped by you") })
    }

    func testSlashContinueWorksFromTheEditor() {
        var s = stopped()
        let fx = Fixture.feed(&s, Fixture.type("/continue") + [Fixture.key(.enter)])
        XCTAssertEqual(sends(fx).first?.continuing, true)
        XCTAssertEqual(s.input.text, "")
    }

    func testACutOffReplyCanBeContinuedAndACompleteOneCannot() {
        var s = Fixture.state()
        Fixture.feed(&s, Fixture.type("q") + [Fixture.key(.enter)])
        Fixture.feed(&s, [.backend(.content("a long"), at: 1), .backend(.finished(.length), at: 1.1)])
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("stopped at the token limit · c continues it") })
        XCTAssertEqual(sends(Fixture.feed(&s, Fixture.type("/continue") + [Fixture.key(.enter)])).count, 1)

        var done = Fixture.state()
        Fixture.feed(&done, Fixture.type("q") + [Fixture.key(.enter)])
        Fixture.feed(&done, [.backend(.content("all of it"), at: 1), .backend(.finished(.stop), at: 1.1)])
        XCTAssertTrue(sends(Fixture.feed(&done, Fixture.type("/continue") + [Fixture.key(.enter)])).isEmpty)
        XCTAssertEqual(done.notice, "this reply is complete; r asks again for a new one")
    }

    func testTheHintWrapsOnANarrowScreen() {
        var s = Fixture.state(width: 40, height: 14)
        Fixture.feed(&s, Fixture.type("q") + [Fixture.key(.enter)])
        Fixture.feed(&s, [.backend(.content("a long"), at: 1), .backend(.finished(.length), at: 1.1)])
        let text = Fixture.screen(s).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        XCTAssertTrue(text.contains("⏹ stopped at the token limit · c continues it (in the transcript)"), text)
    }

    func testOnlyTheLastReplyWithoutToolCallsCanBeContinued() {
        var s = stopped()
        Fixture.feed(&s, Fixture.type("next") + [Fixture.key(.enter)])
        Fixture.feed(&s, [.backend(.content("ok"), at: 3), .backend(.finished(.stop), at: 3.1)])
        Fixture.feed(&s, [Fixture.key(.tab), Fixture.key(.up), Fixture.key(.up)])
        XCTAssertEqual(s.selectedBlock, s.messages[1].id + ":end", "the stopped reply's end line")
        XCTAssertTrue(sends(Fixture.feed(&s, [Fixture.key(.char("c"))])).isEmpty)
        XCTAssertEqual(s.notice, "only the last reply can be continued (r asks again for any reply)")
        XCTAssertFalse(Fixture.screen(s).contains { $0.contains("c continues it") }, "no hint on an earlier reply")
    }

    func testTheStatusBarShowsLiveFiguresWhileAReplyStreams() {
        var s = Fixture.state(width: 120)
        Fixture.feed(&s, Fixture.type("q") + [Fixture.key(.enter)])
        let start = try! XCTUnwrap(s.streaming).startedAt
        Fixture.feed(&s, [.backend(.content("one"), at: start + 1), .backend(.content(" two"), at: start + 1.5)])
        var st = GenerationStats()
        st.completionTokens = 48
        Fixture.feed(&s, [.backend(.stats(st), at: start + 3)])
        s.now = start + 3
        let bar = Fixture.screen(s)[s.height - 1]
        // 48 tokens in the 2 s since the first one; 3 s since sending.
        XCTAssertTrue(bar.contains("generating · 48 tok · 24.0 t/s · 3.0s"), bar)
    }
}
