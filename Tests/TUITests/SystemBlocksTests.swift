// The top of the transcript: the conversation's system prompt and the workspace's instructions as folded blocks
// with their source and size, opened from the transcript with Enter, the start hint below them.
import XCTest
import Chat
@testable import TUI

final class SystemBlocksTests: XCTestCase {
    func testFoldedBlocksWithTheirSourceOpenWithEnter() {
        var s = Fixture.state(width: 60, height: 16)
        s.instructions = ProjectInstructions(source: "AGENTS.md", text: "# Conventions\nUse tabs.\n", fileBytes: 50_000)
        var screen = Fixture.screen(s)
        XCTAssertEqual(screen[0].trimming(" "), "▸ Instructions · AGENTS.md · 48.8 KB (32 KB sent)")
        XCTAssertTrue(screen.contains { $0.contains("Type a message and press Enter") })
        s.messages = [.system("You are terse."), Fixture.user("hi")]
        screen = Fixture.screen(s)
        XCTAssertEqual(screen[0].trimming(" "), "▸ System prompt · 14 characters")
        XCTAssertEqual(screen[2].trimming(" "), "▸ Instructions · AGENTS.md · 48.8 KB (32 KB sent)")
        XCTAssertFalse(screen.contains { $0.contains("Type a message") })
        // Tab to the transcript, up to the instructions, Enter opens them.
        Fixture.feed(&s, [Fixture.key(.tab), Fixture.key(.up), Fixture.key(.enter)])
        screen = Fixture.screen(s)
        XCTAssertEqual(screen[2].trimming(" ").replacingOccurrences(of: "▌", with: "").trimming(" "), "▾ Instructions · AGENTS.md · 48.8 KB (32 KB sent)")
        XCTAssertEqual(screen[3].trimming(" ").replacingOccurrences(of: "▌", with: "").trimming(" "), "│ # Conventions")
        XCTAssertEqual(screen[4].trimming(" ").replacingOccurrences(of: "▌", with: "").trimming(" "), "│ Use tabs.")
        XCTAssertEqual(sizeText(512), "512 bytes")
        XCTAssertEqual(sizeText(32 * 1024), "32 KB")
        XCTAssertEqual(sizeText(3 * 1048576 / 2), "1.5 MB")
    }
}
