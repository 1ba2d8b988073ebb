// What the KV cache did, where the user sees it: the backend's notes join the notice line, and the status bar
// says how many prompt tokens the last reply took from the cache.
import XCTest
import Chat
@testable import TUI

final class CacheNoteTests: XCTestCase {
    func testABackendNoteJoinsTheNoticeLine() {
        var s = Fixture.state(width: 120)
        Fixture.feed(&s, [.notice("opened “Paris”"), .backendNote("KV cache: restored 8,120 tokens from disk")])
        XCTAssertEqual(s.notice, "opened “Paris”; KV cache: restored 8,120 tokens from disk")
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains(" opened “Paris”; KV cache: restored 8,120 tokens from disk ") }, Fixture.screen(s).joined(separator: "\n"))
    }

    func testTheStatusBarShowsTheCachedPromptTokens() {
        var s = Fixture.state(width: 120)
        var st = GenerationStats()
        st.promptTokens = 8190; st.cachedTokens = 8120; st.completionTokens = 20; st.prefillSeconds = 0.5; st.decodeSeconds = 1
        s.lastStats = st
        XCTAssertTrue(Fixture.screen(s)[s.height - 1].contains(" │ pp 140 t/s │ reused 8,120 of 8,190 │ tg 20.0 t/s"), Fixture.screen(s)[s.height - 1])
        s.lastStats?.cachedTokens = 0
        XCTAssertFalse(Fixture.screen(s)[s.height - 1].contains("reused"))
        // A regeneration computes one prompt token: its count, not a rate.
        s.lastStats?.cachedTokens = 8189
        XCTAssertTrue(Fixture.screen(s)[s.height - 1].contains(" │ pp 1 tok │ reused 8,189 of 8,190 │ "), Fixture.screen(s)[s.height - 1])
    }
}
