// The context use of a conversation just opened: unknown at first, asked of the backend through an effect
// (it counts off the UI thread), shown when the answer for that conversation comes.
import XCTest
import Chat
@testable import TUI

final class ContextMeasureTests: XCTestCase {
    func fit(tokens: Int, exact: Bool) -> PromptFit {
        PromptFit(droppedMessages: 0, sentMessages: 2, promptTokens: tokens, exact: exact, contextLength: 8192, report: TruncationReport(budget: 6144))
    }

    func testOpeningAConversationAsksTheBackendAndShowsItsAnswer() {
        var s = Fixture.state()
        s.contextUsed = 500
        let fx = Fixture.feed(&s, [.sessionLoaded(StoredConversation(id: "s1", title: "t", messages: [Fixture.user("hi"), Fixture.assistant("hello")]))])
        XCTAssertNil(s.contextUsed, "unknown until counted")
        guard case .measure(let req, "s1")? = fx.first else { return XCTFail("\(fx)") }
        XCTAssertEqual(req.messages.map(\.content), ["hi", "hello"])
        // An answer about another conversation is dropped; this one's is shown.
        Fixture.feed(&s, [.contextMeasured(fit(tokens: 42, exact: true), sessionID: "s0")])
        XCTAssertNil(s.contextUsed)
        Fixture.feed(&s, [.contextMeasured(fit(tokens: 42, exact: false), sessionID: "s1")])
        XCTAssertEqual(s.contextUsed, 42)
        XCTAssertTrue(s.contextUsedApproximate)
    }

    func testAReplysOwnFitWinsOverALateMeasurement() {
        var s = Fixture.state()
        Fixture.feed(&s, [.sessionLoaded(StoredConversation(id: "s1", title: "t", messages: [Fixture.user("hi"), Fixture.assistant("hello")]))])
        Fixture.feed(&s, Fixture.type("more") + [Fixture.key(.enter), .backend(.promptFitted(fit(tokens: 60, exact: true)), at: 101)])
        Fixture.feed(&s, [.contextMeasured(fit(tokens: 42, exact: true), sessionID: "s1")])
        XCTAssertEqual(s.contextUsed, 60)
    }

    func testAnEmptyConversationIsNotMeasured() {
        var s = Fixture.state()
        let fx = Fixture.feed(&s, [.sessionLoaded(StoredConversation(id: "s1", title: "t", messages: []))])
        XCTAssertTrue(fx.isEmpty)
    }
}
