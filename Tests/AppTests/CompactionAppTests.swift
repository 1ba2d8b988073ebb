// Compaction through the controller, the scripted backend and the real store: /compact makes the summary from a
// scripted turn, the next turn is sent as system + summary + the recent turns (the script echoes what it got), the
// file keeps every message and the summary, and reopening the conversation brings the summary back.
import XCTest
import Foundation
import Chat
import Store
@testable import App
@testable import TUI

final class CompactionAppTests: XCTestCase {
    let script = """
    {"model": "scripted-compact", "pace_ms": 0, "turns": [
      {"match": "Summarise the conversation above", "steps": [{"content": "- The user counted to three (SUMMARY-4471)."}]},
      {"match": "one", "steps": [{"content": "reply one"}]},
      {"match": "two", "steps": [{"content": "reply two"}]},
      {"match": "three", "steps": [{"content": "reply three"}]},
      {"match": "what was sent", "steps": [{"echo": "messages"}]}
    ]}
    """

    func runUntilIdle(_ c: ChatController) {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            c.processQueued()
            if !c.state.isBusy { return }
            _ = c.queue.waitForPost(timeout: 1)
        }
        XCTFail("the conversation did not finish")
    }

    func send(_ c: ChatController, _ text: String) {
        for ch in text { c.handle(.key(KeyPress(.char(ch)))) }
        c.handle(.key(KeyPress(.enter)))
        runUntilIdle(c)
    }

    func testCompactThenTheNextTurnIsSentShortAndTheSummaryIsSaved() throws {
        let dir = try tempDir()
        let store = SessionStore(directory: dir)
        let backend = ScriptedBackend(script: try Script.parse(script))
        let c = ChatController(state: AppState(modelName: "", contextLength: 0, theme: .plain), backend: backend,
                               persistence: StorePersistence(store: store), tools: backend)
        c.handle(.resize(width: 80, height: 40))
        send(c, "/system Count with me.")
        for w in ["one", "two", "three"] { send(c, "count \(w)") }
        send(c, "/compact 1")
        XCTAssertEqual(c.state.compaction?.summary, "- The user counted to three (SUMMARY-4471).")
        XCTAssertEqual(c.state.notice?.hasPrefix("compacted 4 messages into a "), true, c.state.notice ?? "")

        send(c, "what was sent")
        let echo = c.state.messages.last?.content ?? ""
        XCTAssertEqual(echo, """
            sent 4 messages:
            - system: Count with me.
            - user: count three
            - assistant: reply three
            - user: what was sent
            """.replacingOccurrences(of: "\n    ", with: "\n"), "system (with the summary after its first line) + the last turn + the new message")
        XCTAssertEqual(c.state.messages.count, 9, "the conversation keeps every message")

        // The file holds every message and the summary; reopening brings it back.
        let id = try XCTUnwrap(c.state.sessionID)
        c.closePersistence()
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(id).json"))
        let top = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let saved = try XCTUnwrap(top["compaction"] as? [String: Any])
        XCTAssertEqual(saved["summary"] as? String, "- The user counted to three (SUMMARY-4471).")
        XCTAssertEqual(saved["messages"] as? Int, 4)
        XCTAssertEqual((top["messages"] as? [Any])?.count, 9)
        let messages = try XCTUnwrap(top["messages"] as? [[String: Any]])
        XCTAssertEqual(saved["through"] as? String, messages[4]["id"] as? String, "anchored to “reply two”")
        XCTAssertEqual(messages[4]["content"] as? String, "reply two")

        let again = ChatController(state: AppState(modelName: "", contextLength: 0, theme: .plain), backend: backend,
                                   persistence: StorePersistence(store: store), tools: backend)
        try again.open(id)
        XCTAssertEqual(again.state.compaction?.summary, c.state.compaction?.summary)
        XCTAssertEqual(again.state.compaction?.through, c.state.compaction?.through)
        XCTAssertTrue(again.state.compaction.flatMap { $0.end(in: again.state.messages) } == 5)
        again.closePersistence()
    }
}
