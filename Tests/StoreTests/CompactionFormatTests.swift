// A conversation's compaction in the file: written as a "compaction" object after the settings, read back equal;
// a file without one (every older file) has none; one this build cannot read does not make the file unreadable and
// is kept as it was on rewrite.
import Chat
import Foundation
import XCTest
@testable import Store

final class CompactionFormatTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_767_323_045.5)   // 2026-01-02T03:04:05.500Z

    func testWrittenAfterTheSettingsAndReadBack() throws {
        var s = Session(id: "c", title: "t", created: t0, messages: [Message(id: "u1", role: .user, content: "hi", created: nil),
                                                                       Message(id: "a1", role: .assistant, content: "hello", created: nil)])
        s.compaction = Compaction(summary: "- said hi", through: "a1", messages: 2, created: t0, edited: true)
        let bytes = try SessionCodec.current.encode(s)
        // Checked with Foundation's parser, independent of the store's.
        let top = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let c = try XCTUnwrap(top["compaction"] as? [String: Any])
        XCTAssertEqual(c["summary"] as? String, "- said hi")
        XCTAssertEqual(c["through"] as? String, "a1")
        XCTAssertEqual(c["messages"] as? Int, 2)
        XCTAssertEqual(c["created"] as? String, "2026-01-02T03:04:05.500Z")
        XCTAssertEqual(c["edited"] as? Bool, true)
        let keys = try JSONValue.parse(bytes).objectValue?.map(\.0)
        XCTAssertEqual(keys, ["format", "version", "id", "title", "created", "updated", "settings", "compaction", "messages"])
        let back = try SessionCodec.current.decode(bytes, id: "c").get()
        XCTAssertEqual(back.compaction, s.compaction)
        XCTAssertEqual(back.messages, s.messages)
    }

    func testOlderFilesHaveNoneAndAnUnreadableOneIsKeptAsItWas() throws {
        let old = #"{"format": "glmchat.session", "version": 1, "id": "o", "title": "", "messages": [{"id": "u1", "role": "user", "content": "hi"}]}"#
        XCTAssertNil(try SessionCodec.current.decode(Array(old.utf8), id: "o").get().compaction)

        let dir = try makeTempDir()
        let odd = #"{"format": "glmchat.session", "version": 1, "id": "odd", "title": "", "compaction": {"summary": 7, "through": "u1"},"#
            + #" "messages": [{"id": "u1", "role": "user", "content": "hi"}]}"#
        try Data(odd.utf8).write(to: URL(fileURLWithPath: "\(dir)/odd.json"))
        let store = SessionStore(directory: dir)
        let o = try store.open("odd")
        XCTAssertNil(o.session.compaction)
        try o.save(o.messages + [.user("more")])
        try o.close()
        let top = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/odd.json"))) as? [String: Any])
        XCTAssertEqual((top["compaction"] as? [String: Any])?["summary"] as? Int, 7, "kept as the file had it")

        // Set through the open session, it is what the next load reads.
        let again = try store.open("odd")
        try again.update { $0.compaction = Compaction(summary: "S", through: "u1", messages: 1, created: nil) }
        try again.close()
        XCTAssertEqual(try store.open("odd").session.compaction?.summary, "S")
    }
}
