// The prompt's progress while the model reads it: the status bar's `prompt N / M · R t/s · T left` (the rate only
// once a second has passed, measured from the first report so cached tokens do not count), the bar in the reply's
// placeholder, and Esc stopping it.
import XCTest
import Chat
@testable import TUI

final class PrefillProgressTests: XCTestCase {
    func testStatusTextRateAndTimeLeft() {
        var p = PrefillProgress(done: 8_120, total: 40_960, startedAt: 100, startDone: 8_120)
        XCTAssertEqual(p.statusText(now: 100.5), "prompt 8,120 / 40,960")
        p.done = 8_120 + 38 * 10
        XCTAssertEqual(p.statusText(now: 110), "prompt 8,500 / 40,960 · 38 t/s · 15 min left")
        p.done = 40_900
        XCTAssertEqual(p.statusText(now: 100 + (40_900 - 8_120) / 38.0), "prompt 40,900 / 40,960 · 38 t/s · 2 s left")
        XCTAssertEqual(timeLeft(7_500), "2 h 5 min left")
        XCTAssertEqual(timeLeft(58.2), "59 s left")
        XCTAssertEqual(grouped(1_234_567), "1,234,567")
        XCTAssertEqual(grouped(999), "999")
    }

    func testBar() {
        let p = PrefillProgress(done: 1, total: 1000, startedAt: 0, startDone: 0)
        XCTAssertEqual(p.bar(width: 10), "▰▱▱▱▱▱▱▱▱▱", "anything read shows")
        XCTAssertEqual(PrefillProgress(done: 500, total: 1000, startedAt: 0, startDone: 0).bar(width: 10), "▰▰▰▰▰▱▱▱▱▱")
        XCTAssertEqual(PrefillProgress(done: 1000, total: 1000, startedAt: 0, startDone: 0).bar(width: 4), "▰▰▰▰")
        XCTAssertEqual(PrefillProgress(done: 0, total: 1000, startedAt: 0, startDone: 0).percent, 0)
    }

    func testTheScreenShowsTheProgressAndEscStopsIt() {
        var s = Fixture.state(width: 100, height: 12)
        Fixture.feed(&s, Fixture.type("summarise the log") + [Fixture.key(.enter),
                      .backend(.prefillProgress(done: 2_000, total: 12_000), at: 10),
                      .backend(.prefillProgress(done: 2_400, total: 12_000), at: 20)])
        let screen = Fixture.screen(s).joined(separator: "\n")
        XCTAssertTrue(screen.contains("prompt 2,400 / 12,000 · 40 t/s · 4 min left"), screen)
        XCTAssertTrue(screen.contains("⋯ reading the prompt ▰▰▰▰▰▰▱"), screen)
        XCTAssertTrue(screen.contains(" 20% · Esc stops"), screen)
        let fx = Fixture.feed(&s, [Fixture.key(.escape)])
        XCTAssertTrue(fx.contains { if case .cancel = $0 { return true }; return false })
    }
}
