// Only regular files are read as sessions, drafts or the index: a FIFO, a device or a socket in their place is
// refused with a reason, never waited on.
#if canImport(Glibc)
import Glibc
#endif
import Chat
import Foundation
import XCTest
@testable import Store

final class SpecialFileTests: XCTestCase {
    /// Runs `body` on another thread and fails (instead of hanging the suite) when it takes more than 10 s.
    func returns<T>(_ what: String, _ body: @escaping () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<T, Error>?
        nonisolated(unsafe) let work = body
        Thread.detachNewThread { result = Result { try work() }; done.signal() }
        guard done.wait(timeout: .now() + 10) == .success, let r = result else {
            XCTFail("\(what) hung on a FIFO")
            throw XCTSkip("hung")
        }
        return try r.get()
    }

    func testAFIFOInTheSessionsFolderIsListedAsDamagedAndListAndSearchReturn() throws {
        let dir = try makeTempDir()
        let store = SessionStore(directory: dir)
        let good = try store.create(title: "good", messages: [.user("find the needle"), .assistant("ok")])
        try good.close()
        XCTAssertEqual(mkfifo(dir + "/x.json", 0o600), 0)
        XCTAssertEqual(mkfifo(dir + "/.index.json", 0o600), 0)

        let rows = try returns("list") { store.list() }
        XCTAssertEqual(Set(rows.map(\.id)), [good.id, "x"])
        let fifo = try XCTUnwrap(rows.first { $0.id == "x" })
        XCTAssertEqual(fifo.damage, .unreadable(AtomicFile.notRegular))
        XCTAssertTrue("\(fifo.damage!)".contains("not a regular file"))

        let hits = try returns("search") { store.search("needle") }
        XCTAssertEqual(hits.map(\.summary.id), [good.id])

        XCTAssertThrowsError(try returns("open") { try store.open("x") }) { e in
            XCTAssertTrue("\(e)".contains("not a regular file"), "\(e)")
        }
    }

    func testAFIFODraftOrLockFileIsNotWaitedOn() throws {
        let dir = try makeTempDir()
        let store = SessionStore(directory: dir)
        let s = try store.create(title: "t", messages: [.user("hi")])
        try AtomicFile.makeDirectory(store.draftsDirectory)
        XCTAssertEqual(mkfifo(store.draftPath(for: nil), 0o600), 0)
        XCTAssertNil(try returns("readDraft") { store.readDraft(for: nil) })
        try s.close()
        unlink("\(dir)/.\(s.id).lock")
        XCTAssertEqual(mkfifo("\(dir)/.\(s.id).lock", 0o600), 0)
        XCTAssertNil(try returns("holder") { store.holder(of: s.id) })
    }

    func testReadRefusesAFIFOAndADeviceButReadsAFile() throws {
        let dir = try makeTempDir()
        XCTAssertEqual(mkfifo(dir + "/f", 0o600), 0)
        XCTAssertThrowsError(try returns("read") { try AtomicFile.read(dir + "/f") }) { e in
            XCTAssertEqual((e as? FileSystemError)?.reason, AtomicFile.notRegular)
        }
        XCTAssertThrowsError(try AtomicFile.read("/dev/zero")) { e in
            XCTAssertEqual((e as? FileSystemError)?.reason, AtomicFile.notRegular)
        }
        try AtomicFile.write(Array("abc".utf8), to: dir + "/r")
        XCTAssertEqual(try AtomicFile.read(dir + "/r"), Array("abc".utf8))
    }
}

/// A session file that is a symbolic link (kept in a synced folder, say) is written through: the link stays.
final class SymlinkedSessionTests: XCTestCase {
    func testSavingWritesThroughTheLink() throws {
        let base = NSTemporaryDirectory() + "glmchat-link-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: base + "/sessions", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/elsewhere", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let store = SessionStore(directory: base + "/sessions")
        let s = try store.create()
        try s.append(.user("first"))
        let id = s.session.id
        try s.close()
        let real = base + "/elsewhere/\(id).json"
        try FileManager.default.moveItem(atPath: store.path(for: id), toPath: real)
        try FileManager.default.createSymbolicLink(atPath: store.path(for: id), withDestinationPath: real)
        try store.rename(id, to: "through the link")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: store.path(for: id)), real, "the link is still a link")
        XCTAssertEqual(try store.load(id).title, "through the link")
        XCTAssertTrue(String(decoding: try Data(contentsOf: URL(fileURLWithPath: real)), as: UTF8.self).contains("through the link"))
    }
}
