// create/open/append/partial saves/list/resolve/rename/delete/restore/search, and where the folder is.
import Chat
import Foundation
import XCTest
@testable import Store

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var t: Date
    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { t = start }
    var now: Date { lock.withLock { t } }
    func advance(_ s: TimeInterval) { lock.withLock { t += s } }
}

final class OperationsTests: XCTestCase {
    func fileMessages(_ store: SessionStore, _ id: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: store.path(for: id)))
        return try XCTUnwrap((JSONSerialization.jsonObject(with: data) as? [String: Any])?["messages"] as? [[String: Any]])
    }

    func testPartialRepliesAreThrottledAndMarkedIncomplete() throws {
        let clock = TestClock()
        let store = SessionStore(directory: try makeTempDir(), partialInterval: 2, clock: { clock.now })
        let s = try store.create()
        try s.append(.user("explain"))
        var reply = Message(id: "r", role: .assistant, content: "", reasoning: "hmm", created: nil)

        reply.content = "A"
        XCTAssertTrue(try s.savePartial(reply), "the first partial is written at once")
        clock.advance(1)
        reply.content = "AB"
        XCTAssertFalse(try s.savePartial(reply), "1 s later: held back")
        var disk = try fileMessages(store, s.id)
        XCTAssertEqual(disk.last?["content"] as? String, "A")
        XCTAssertEqual(disk.last?["incomplete"] as? Bool, true)
        XCTAssertEqual(s.messages.last?.content, "AB", "the handle shows the newest partial")
        clock.advance(1.5)
        reply.content = "ABC"
        XCTAssertTrue(try s.savePartial(reply), "2.5 s after the last write: written")
        XCTAssertEqual(try fileMessages(store, s.id).last?["content"] as? String, "ABC")
        clock.advance(0.5)
        reply.content = "ABCD"
        XCTAssertFalse(try s.savePartial(reply))
        try s.flush()
        XCTAssertEqual(try fileMessages(store, s.id).last?["content"] as? String, "ABCD")

        // A crash now leaves the partial reply; resuming shows it as an incomplete last message.
        let resumed = try SessionStore(directory: store.directory).load(s.id)
        XCTAssertEqual(resumed.messages.map(\.content), ["explain", "ABCD"])
        XCTAssertTrue(resumed.endsIncomplete)

        reply.content = "ABCDE"
        reply.finishReason = .stop
        try s.save([s.messages[0], reply])
        disk = try fileMessages(store, s.id)
        XCTAssertEqual(disk.count, 2)
        XCTAssertNil(disk.last?["incomplete"], "the finished reply is complete")
        XCTAssertEqual(disk.last?["finish_reason"] as? String, "stop")

        // A partial held back by the throttle is written by close().
        reply = Message(id: "r2", role: .assistant, content: "x", created: nil)
        try s.savePartial(reply)
        reply.content = "xy"
        XCTAssertFalse(try s.savePartial(reply))
        try s.close()
        XCTAssertEqual(try fileMessages(store, s.id).last?["content"] as? String, "xy")
    }

    func testListIsNewestFirstWithSummaries() throws {
        let clock = TestClock()
        let store = SessionStore(directory: try makeTempDir(), clock: { clock.now })
        let a = try store.create(model: SessionModel(name: "GLM-4.7-Flash Q4_K_M"), messages: [.system("sys"), .user("\n  first   one\nmore")])
        clock.advance(10)
        let b = try store.create(model: SessionModel(path: "/models/SmolLM2.gguf"))
        clock.advance(10)
        try a.append(.assistant("ok"))          // a is now the most recently updated
        clock.advance(10)
        try b.savePartial(.assistant("cut"))
        try a.close(); try b.close()

        let rows = store.list()
        XCTAssertEqual(rows.map(\.id), [b.id, a.id])
        let ra = rows[1], rb = rows[0]
        XCTAssertEqual(ra.title, "first one")
        XCTAssertEqual(ra.firstUserLine, "first one")
        XCTAssertEqual(ra.messageCount, 3)
        XCTAssertEqual(ra.model, "GLM-4.7-Flash Q4_K_M")
        XCTAssertEqual(ra.updated, Date(timeIntervalSince1970: 1_800_000_020))
        XCTAssertEqual(ra.created, Date(timeIntervalSince1970: 1_800_000_000))
        XCTAssertFalse(ra.incomplete)
        XCTAssertEqual(rb.title, "(empty conversation)")
        XCTAssertEqual(rb.model, "SmolLM2.gguf")
        XCTAssertTrue(rb.incomplete)
        XCTAssertNil(rb.firstUserLine)
    }

    func testIDsResolveByUniquePrefixAndRejectPaths() throws {
        let dir = try makeTempDir()
        for id in ["abc111", "abc222", "def333"] {
            try Data(SessionCodec.current.encode(Session(id: id))).write(to: URL(fileURLWithPath: "\(dir)/\(id).json"))
        }
        let store = SessionStore(directory: dir)
        XCTAssertEqual(try store.resolve("d"), "def333")
        XCTAssertEqual(try store.resolve("abc1"), "abc111")
        XCTAssertEqual(try store.resolve("abc222"), "abc222")
        XCTAssertEqual(try store.resolve("abc222.json"), "abc222")
        XCTAssertThrowsError(try store.resolve("abc")) {
            XCTAssertEqual($0 as? StoreError, .ambiguous("abc", ["abc111", "abc222"]))
            XCTAssertEqual("\($0)", "\"abc\" matches 2 sessions (abc111, abc222); type more of the id")
        }
        XCTAssertThrowsError(try store.resolve("zzz")) { XCTAssertEqual($0 as? StoreError, .notFound("zzz")) }
        for bad in ["../etc/passwd", "a/b", ".hidden", "", "x y"] {
            XCTAssertThrowsError(try store.resolve(bad)) { XCTAssertEqual($0 as? StoreError, .invalidID(bad)) }
        }
    }

    func testRenameDeleteRestore() throws {
        let dir = try makeTempDir()
        let store = SessionStore(directory: dir)
        let s = try store.create(messages: [.user("How do tabs work?")])
        try s.close()
        XCTAssertEqual(try store.load(s.id).title, "How do tabs work?")
        try store.rename(String(s.id.prefix(6)), to: "  Tabs  ")
        XCTAssertEqual(try store.load(s.id).title, "Tabs")
        try store.rename(s.id, to: "")
        XCTAssertEqual(try store.load(s.id).title, "How do tabs work?", "an empty title goes back to the default")

        let bytes = try Data(contentsOf: URL(fileURLWithPath: store.path(for: s.id)))
        XCTAssertEqual(try store.delete(s.id), s.id)
        XCTAssertEqual(store.list().map(\.id), [])
        XCTAssertEqual(store.listTrash().map(\.id), [s.id])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(store.trashDirectory)/\(s.id).json")), bytes, "moved, not rewritten")
        XCTAssertThrowsError(try store.open(s.id)) { XCTAssertEqual($0 as? StoreError, .notFound(s.id)) }

        XCTAssertEqual(try store.restore(String(s.id.prefix(4))), s.id)
        XCTAssertEqual(store.list().map(\.id), [s.id])
        XCTAssertEqual(store.listTrash().map(\.id), [])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: store.path(for: s.id))), bytes)

        // Restoring over a live session with the same id is refused, and both files stay.
        try store.delete(s.id)
        try bytes.write(to: URL(fileURLWithPath: store.path(for: s.id)))
        XCTAssertThrowsError(try store.restore(s.id)) { XCTAssertEqual($0 as? StoreError, .exists(id: s.id)) }
        XCTAssertEqual(store.listTrash().map(\.id), [s.id])
    }

    func testOpenRemovesTempFilesAKilledWriterLeft() throws {
        let dir = try makeTempDir()
        let store = SessionStore(directory: dir)
        let s = try store.create()
        try s.close()
        let stale = "\(dir)/.\(s.id).json.999.123.tmp"
        try Data("{\"half".utf8).write(to: URL(fileURLWithPath: stale))
        XCTAssertEqual(store.list().map(\.id), [s.id], "temp files are not sessions")
        let again = try store.open(s.id)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
        try again.close()
    }

    func testSearchFindsTextInTitlesMessagesReasoningAndToolCalls() throws {
        let store = SessionStore(directory: try makeTempDir())
        let a = try store.create(messages: [
            .user("Where is the Makefile?"),
            .assistant("It is in the root.", reasoning: "User asks about the build system"),
            Message(role: .assistant, content: "", toolCalls: [ToolCall(id: "c", name: "grep", arguments: .object([("pattern", .string("Résumé"))]))]),
        ])
        try a.close()
        let b = try store.create(messages: [.user("unrelated")])
        try b.close()
        let hits = store.search("makefile")
        XCTAssertEqual(hits.map(\.summary.id), [a.id])
        XCTAssertEqual(hits[0].matches.map(\.field), ["title", "content"])
        XCTAssertEqual(hits[0].matches[1].messageIndex, 0)
        XCTAssertEqual(store.search("BUILD SYSTEM").first?.matches.map(\.field), ["reasoning"])
        XCTAssertEqual(store.search("resume").first?.matches.map(\.field), ["tool call"])
        XCTAssertEqual(store.search("nothing like this"), [])
        XCTAssertEqual(store.search("  "), [])
        XCTAssertEqual(SessionStore.snippet(String(repeating: "a ", count: 50) + "NEEDLE" + String(repeating: " b", count: 50), "needle"),
                       "…" + String(repeating: "a ", count: 20) + "NEEDLE" + String(repeating: " b", count: 20) + "…")
    }

    func testListReadsOnlyChangedFilesThroughItsIndex() throws {
        let dir = try makeTempDir()
        let store = SessionStore(directory: dir)
        let a = try store.create(messages: [.user("alpha")])
        let b = try store.create(messages: [.user("beta")])
        try b.close()
        XCTAssertEqual(Set(store.list().map(\.title)), ["alpha", "beta"])
        let indexPath = "\(dir)/\(SessionIndex.name)"
        XCTAssertTrue(FileManager.default.fileExists(atPath: indexPath))

        // Rows of unchanged files come from the index (shown by planting a title there)…
        let planted = try String(contentsOfFile: indexPath, encoding: .utf8).replacingOccurrences(of: "\"beta\"", with: "\"from the index\"")
        try planted.write(toFile: indexPath, atomically: false, encoding: .utf8)
        XCTAssertEqual(Set(store.list().map(\.title)), ["alpha", "from the index"])
        // …and a changed file is read again.
        try store.rename(b.id, to: "beta 2")
        try a.append(.assistant("reply"))
        XCTAssertEqual(Set(store.list().map { "\($0.title) \($0.messageCount)" }), ["alpha 2", "beta 2 1"])
        // A file damaged behind our back is listed as damaged, never from the cache.
        try a.close()
        try Data("{\"format\": \"glmchat.session\"".utf8).write(to: URL(fileURLWithPath: store.path(for: a.id)))
        guard case .invalidJSON? = store.list().first(where: { $0.id == a.id })?.damage else { return XCTFail("should be damaged") }
        // A deleted file drops out; a garbage index is ignored and rebuilt.
        try store.delete(b.id)
        XCTAssertEqual(store.list().map(\.id), [a.id])
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: indexPath))
        XCTAssertEqual(store.list().map(\.id), [a.id])
        XCTAssertNoThrow(try JSONValue.parse(Array(Data(contentsOf: URL(fileURLWithPath: indexPath)))))
    }

    func testFolderComesFromEnvironment() {
        XCTAssertEqual(SessionStore.defaultDirectory(environment: ["GLMCHAT_SESSIONS_DIR": "/s", "XDG_DATA_HOME": "/x", "HOME": "/h"]), "/s")
        XCTAssertEqual(SessionStore.defaultDirectory(environment: ["XDG_DATA_HOME": "/x", "HOME": "/h"]), "/x/glmchat/sessions")
        XCTAssertEqual(SessionStore.defaultDirectory(environment: ["XDG_DATA_HOME": "relative", "HOME": "/h"]), "/h/.local/share/glmchat/sessions")
        XCTAssertEqual(SessionStore.defaultDirectory(environment: ["HOME": "/h"]), "/h/.local/share/glmchat/sessions")
    }

    func testFolderIsCreatedPrivate() throws {
        let dir = try makeTempDir() + "/a/b/sessions"
        let s = try SessionStore(directory: dir).create()
        try s.close()
        let attrs = try FileManager.default.attributesOfItem(atPath: dir)
        XCTAssertEqual((attrs[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        let fattrs = try FileManager.default.attributesOfItem(atPath: "\(dir)/\(s.id).json")
        XCTAssertEqual((fattrs[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }
}

/// A fork's origin is saved with it and listed, from the file and from the list's index alike.
final class ForkOriginStoreTests: XCTestCase {
    func testTheOriginIsSavedAndListed() throws {
        let dir = NSTemporaryDirectory() + "glmchat-fork-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = SessionStore(directory: dir)
        let o = try store.create(title: "copy", settings: SessionSettings(forkedFrom: ForkOrigin(id: "abc", title: "The original")))
        try o.append(.user("hi"))
        try o.close()
        XCTAssertEqual(try store.load(o.id).settings.forkedFrom, ForkOrigin(id: "abc", title: "The original"))
        XCTAssertEqual(store.list().first?.forkedFrom, "The original")
        XCTAssertEqual(store.list().first?.forkedFrom, "The original", "read again from the index")
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: store.path(for: o.id))), as: UTF8.self)
        XCTAssertTrue(text.contains("\"forked_from\""), text)
    }
}
