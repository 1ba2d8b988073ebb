// A session another glmchat holds, opened through the real Store behind StorePersistence: read-only, and
// its file is never written.
#if canImport(Glibc)
import Glibc
#endif
import XCTest
import Foundation
import Chat
import Store
@testable import App
@testable import TUI

final class ReadOnlyStoreTests: XCTestCase {
    func snapshot(_ path: String) throws -> (Data, Date) {
        let a = try FileManager.default.attributesOfItem(atPath: path)
        return (try Data(contentsOf: URL(fileURLWithPath: path)), a[.modificationDate] as! Date)
    }

    func testAHeldSessionOpensReadOnlyAndItsFileIsNeverWritten() throws {
        let dir = try tempDir()
        let store = SessionStore(directory: dir)
        // The "other glmchat": a writer holding the lock (flock is per open file, so this process counts).
        let other = try store.create(title: "theirs", messages: [.user("hello"), .assistant("hi there")])
        let path = store.path(for: other.id)
        let before = try snapshot(path)

        let persistence = StorePersistence(store: store)
        let script = Script(model: "m", contextLength: 4096, pace: 0, chunk: 4, turns: [])
        let c = ChatController(state: AppState(modelName: "", contextLength: 0, theme: .plain), backend: ScriptedBackend(script: script),
                               persistence: persistence)
        c.handle(.resize(width: 100, height: 24))
        try c.open(other.id)
        XCTAssertEqual(c.state.readOnly, ReadOnlyReason(pid: Int(getpid())))
        XCTAssertEqual(c.state.messages.map(\.content), ["hello", "hi there"])
        for ch in "more" { c.handle(.key(KeyPress(.char(ch)))) }
        c.handle(.key(KeyPress(.enter)))
        c.handle(.key(KeyPress(.ctrl("t"))))     // settings only (no settings path here), not the session
        c.quit()
        try persistence.close()
        XCTAssertEqual(c.state.messages.count, 2)
        let after = try snapshot(path)
        XCTAssertEqual(after.0, before.0, "the bytes of the held session changed")
        XCTAssertEqual(after.1, before.1, "the held session's mtime changed")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)), ["\(other.id).json", ".\(other.id).lock"])

        // The other writer still owns it; once it is gone the session opens for writing again.
        try other.append(.user("from the owner"))
        try other.close()
        let again = StorePersistence(store: store)
        let conv = try again.load(other.id)
        XCTAssertNil(conv.readOnly)
        XCTAssertEqual(conv.messages.count, 3)
        XCTAssertEqual(try again.save(conv, partial: false), other.id)
        try again.close()
    }
}

/// The picker's content search through the session store: message text, a snippet of the first match.
final class StoreContentSearchTests: XCTestCase {
    func testTheStoreFindsMessageText() throws {
        let dir = try tempDir()
        let p = StorePersistence(store: SessionStore(directory: dir))
        let id = try p.save(StoredConversation(id: "", title: "Build", messages: [.user("why does the linker fail"), .assistant("a missing -lm flag")]), partial: false)
        _ = try p.save(StoredConversation(id: "", title: "Other", messages: [.user("hello")]), partial: false)
        let done = expectation(description: "search")
        nonisolated(unsafe) var got: [String: String] = [:]
        p.search("LINKER") { got = $0; done.fulfill() }
        wait(for: [done], timeout: 30)
        XCTAssertEqual(Array(got.keys), [id])
        XCTAssertTrue(got[id]?.contains("linker") == true, "\(got)")
        try p.close()
    }
}
