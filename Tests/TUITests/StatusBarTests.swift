// The status bar's context figure: estimated counts (an approximate token counter) carry a leading "~",
// exact ones (a local tokenizer, or the server's usage figures after a reply) do not.
import XCTest
import Chat
@testable import TUI

final class StatusBarTests: XCTestCase {
    struct ExactCounter: TokenCounter { func countTokens(_ text: String) -> Int { text.utf8.count / 4 } }

    /// The bottom row of the rendered screen.
    func statusRow(_ s: AppState) -> String {
        var buf = Buffer(width: 0, height: 0)
        render(s, into: &buf)
        return buf.lines[s.height - 1]
    }

    /// A sent message of 5,980 bytes: 6,030 as ChatML renders it, 1,507 tokens with a 4-bytes-per-token counter.
    func sent(counter: TokenCounter) -> AppState {
        var s = Fixture.state(width: 80)
        s.input.insert(String(repeating: "w", count: 5980))
        Fixture.fit(&s, Fixture.feed(&s, [Fixture.key(.enter)]), counter: counter)
        return s
    }

    func testAnEstimatedCountIsMarkedApproximate() {
        let s = sent(counter: QuarterCounter())
        XCTAssertTrue(statusRow(s).contains(" ctx ~1.5k/8.2k 18% "), statusRow(s))
    }

    func testAnExactCountIsNotMarked() {
        let s = sent(counter: ExactCounter())
        XCTAssertTrue(statusRow(s).contains(" ctx 1.5k/8.2k 18% "), statusRow(s))
        XCTAssertFalse(statusRow(s).contains("~"))
    }

    func testTheServersUsageFiguresAreExact() {
        var s = sent(counter: QuarterCounter())
        var st = GenerationStats()
        st.promptTokens = 2950; st.completionTokens = 50
        Fixture.feed(&s, [.backend(.content("ok"), at: 101), .backend(.stats(st), at: 102), .backend(.finished(.stop), at: 102)])
        XCTAssertTrue(statusRow(s).contains(" ctx 3k/8.2k 37% "), statusRow(s))
        // The next message is estimated again.
        s.input.insert("more")
        Fixture.fit(&s, Fixture.feed(&s, [Fixture.key(.enter)]), counter: QuarterCounter())
        XCTAssertTrue(statusRow(s).contains(" ctx ~"), statusRow(s))
        // A new conversation starts from an exact zero.
        Fixture.feed(&s, [.backend(.finished(.stop), at: 103), Fixture.key(.ctrl("n"))])
        XCTAssertTrue(statusRow(s).hasSuffix(" ctx 0/8.2k 0%"), statusRow(s))
    }
}
