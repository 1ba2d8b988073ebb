// Versions of a position: replacing keeps the old tail (its own versions nested inside it), switching shows any of
// them without losing one, and a message with versions saves and loads whole.
import XCTest
import Foundation
@testable import Chat

final class MessageVersionsTests: XCTestCase {
    func m(_ id: String, _ role: Role = .assistant) -> Message { Message(id: id, role: role, content: id, created: nil) }

    func testReplaceSwitchAndNest() throws {
        var msgs = [m("u1", .user), m("a1"), m("u2", .user), m("a2")]
        // Regenerate a1: the tail a1 u2 a2 becomes version 1, the new reply b1 version 2.
        var b1 = m("b1")
        b1.versions = msgs.versionsReplacing(at: 1)
        msgs = Array(msgs[..<1]) + [b1]
        XCTAssertEqual(msgs[1].versionCount, 2)
        XCTAssertEqual(msgs[1].versionIndex, 1)
        msgs.showVersion(0, at: 1)
        XCTAssertEqual(msgs.map(\.id), ["u1", "a1", "u2", "a2"])
        XCTAssertEqual(msgs[1].versionIndex, 0)
        // Edit u2 inside version 1: a nested version at position 2.
        var e2 = m("e2", .user)
        e2.versions = msgs.versionsReplacing(at: 2)
        msgs = Array(msgs[..<2]) + [e2]
        XCTAssertEqual(msgs[2].versionCount, 2)
        // Back to b1 and again to version 1: the nested edit is still there.
        msgs.showVersion(1, at: 1)
        XCTAssertEqual(msgs.map(\.id), ["u1", "b1"])
        msgs.showVersion(0, at: 1)
        XCTAssertEqual(msgs.map(\.id), ["u1", "a1", "e2"])
        msgs.showVersion(0, at: 2)
        XCTAssertEqual(msgs.map(\.id), ["u1", "a1", "u2", "a2"])
        XCTAssertEqual(msgs[1].versionCount, 2)
        XCTAssertEqual(msgs[2].versionCount, 2)
        // Saved and loaded whole.
        let data = try JSONEncoder().encode(msgs)
        XCTAssertEqual(try JSONDecoder().decode([Message].self, from: data), msgs)
        // The model sees only the shown path.
        let prompt = ChatTemplate.glm47.render(msgs, tools: [], options: TemplateOptions(addGenerationPrompt: false, thinking: false, keepThinking: false))
        XCTAssertFalse(prompt.contains("b1") || prompt.contains("e2"), prompt)
    }
}
