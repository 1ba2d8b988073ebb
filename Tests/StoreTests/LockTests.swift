// Two writers: a second process (or a second open in this one) is refused with a clear message; read-only works.
#if canImport(Glibc)
import Glibc
#endif
import Chat
import Foundation
import TestSupport
import XCTest
@testable import Store

final class LockTests: XCTestCase {
    func testSecondProcessIsRefusedAndMayReadOnly() throws {
        let dir = try makeTempDir()
        let store = SessionStore(directory: dir)
        let s = try store.create(messages: [.user("hello")])
        let id = s.id
        try s.close()

        let child = try ChildProcess(mode: "hold", environment: ["GLMCHAT_STORE_DIR": dir, "GLMCHAT_STORE_ID": id])
        XCTAssertEqual(child.readLine(), "R")
        let before = try Data(contentsOf: URL(fileURLWithPath: store.path(for: id)))
        XCTAssertEqual(store.holder(of: id), Int(child.pid), "the listing can mark it as open elsewhere")

        XCTAssertThrowsError(try store.open(id)) { e in
            XCTAssertEqual(e as? StoreError, .locked(id: id, pid: Int(child.pid)))
            XCTAssertEqual("\(e)", "Session \(id) is open in another glmchat process (pid \(child.pid)); close it there, or open this one read-only")
        }
        XCTAssertThrowsError(try store.rename(id, to: "x")) { XCTAssertEqual($0 as? StoreError, .locked(id: id, pid: Int(child.pid))) }
        XCTAssertThrowsError(try store.delete(id)) { XCTAssertEqual($0 as? StoreError, .locked(id: id, pid: Int(child.pid))) }

        let ro = try store.open(id, readOnly: true)
        XCTAssertTrue(ro.isReadOnly)
        XCTAssertEqual(ro.messages.map(\.content), ["hello"])
        XCTAssertThrowsError(try ro.append(.user("more"))) { XCTAssertEqual($0 as? StoreError, .readOnly(id: id)) }
        XCTAssertThrowsError(try ro.savePartial(.assistant("x"))) { XCTAssertEqual($0 as? StoreError, .readOnly(id: id)) }
        try ro.close()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: store.path(for: id))), before, "nothing may write while refused")

        child.kill()   // the lock dies with the process
        XCTAssertNil(store.holder(of: id))
        let again = try store.open(id)
        XCTAssertNil(store.holder(of: id), "this process's own lock is not another holder")
        try again.append(.assistant("hi"))
        try again.close()
        XCTAssertEqual(try store.load(id).messages.map(\.content), ["hello", "hi"])
    }

    func testSecondOpenInTheSameProcessIsRefusedUntilClose() throws {
        let dir = try makeTempDir()
        let store = SessionStore(directory: dir)
        let a = try store.create()
        XCTAssertThrowsError(try store.open(a.id)) { XCTAssertEqual($0 as? StoreError, .locked(id: a.id, pid: Int(getpid()))) }
        try a.close()
        XCTAssertThrowsError(try a.append(.user("late"))) { XCTAssertEqual($0 as? StoreError, .closed(id: a.id)) }
        let b = try store.open(a.id)
        try b.close()
        try b.close()   // harmless
        // Closing removes the lock file; no stray files are left.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["\(a.id).json"])
    }

    func testReadOnlyOpenNeverTouchesTheFile() throws {
        let dir = try makeTempDir()
        let store = SessionStore(directory: dir)
        let writer = try store.create(title: "held", messages: [.user("hello"), .assistant("hi")])
        let id = writer.id
        let path = store.path(for: id)
        func snapshot() throws -> (Data, Date, [String]) {
            let mtime = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
            return (try Data(contentsOf: URL(fileURLWithPath: path)), mtime, try FileManager.default.contentsOfDirectory(atPath: dir).sorted())
        }
        let before = try snapshot()
        usleep(20_000)   // a write now would give a visibly later mtime

        let ro = try store.open(id, readOnly: true)
        XCTAssertTrue(ro.isReadOnly)
        let refused = StoreError.readOnly(id: id)
        XCTAssertThrowsError(try ro.save([.user("other")])) { XCTAssertEqual($0 as? StoreError, refused) }
        XCTAssertThrowsError(try ro.append(.user("more"))) { XCTAssertEqual($0 as? StoreError, refused) }
        XCTAssertThrowsError(try ro.savePartial(.assistant("x"))) { XCTAssertEqual($0 as? StoreError, refused) }
        XCTAssertThrowsError(try ro.update { $0.title = "changed" }) { XCTAssertEqual($0 as? StoreError, refused) }
        XCTAssertThrowsError(try ro.setTitle("changed")) { XCTAssertEqual($0 as? StoreError, refused) }
        try ro.flush()
        try ro.close()
        let after = try snapshot()
        XCTAssertEqual(after.0, before.0, "bytes changed")
        XCTAssertEqual(after.1, before.1, "mtime changed")
        XCTAssertEqual(after.2, before.2, "files appeared or went")
        // Closing the read-only view did not release the writer's lock.
        XCTAssertThrowsError(try store.open(id)) { XCTAssertEqual($0 as? StoreError, .locked(id: id, pid: Int(getpid()))) }
        try writer.close()
    }
}
