// A failed save is never forgotten: the conversation stays marked unsaved until a save succeeds, a failed closing
// write counts too, and the emergency copy holds the whole conversation in a private file.
#if canImport(Glibc)
import Glibc
#endif
import XCTest
import Foundation
import Chat
import Store
@testable import App
@testable import TUI

/// In-memory persistence whose writes fail while `failing` is set (a full disk).
final class FailingPersistence: ConversationPersistence {
    let inner = InMemoryPersistence()
    var failing = true
    var failClose = false
    struct Full: Error, CustomStringConvertible { var description: String { "No space left on device" } }
    func list() throws -> [SessionEntry] { try inner.list() }
    func load(_ id: String) throws -> StoredConversation { try inner.load(id) }
    func save(_ c: StoredConversation, partial: Bool) throws -> String {
        if failing { throw Full() }
        return try inner.save(c, partial: partial)
    }
    func rename(_ id: String, to title: String) throws { try inner.rename(id, to: title) }
    func delete(_ id: String) throws { try inner.delete(id) }
    func close() throws { if failClose { throw Full() } }
    func loadDraft(for id: String?) -> String? { nil }
    func saveDraft(_ text: String, for id: String?) throws {}
    func search(_ query: String, completion: @escaping @Sendable ([String: String]) -> Void) { completion([:]) }
}

final class UnsavedTests: XCTestCase {
    func controller(_ p: ConversationPersistence) -> ChatController {
        let script = Script(model: "m", contextLength: 4096, pace: 0, chunk: 4,
                            turns: [Script.Turn(match: nil, steps: [.content("ok")], finish: .stop)])
        let c = ChatController(state: AppState(modelName: "", contextLength: 0, theme: .plain), backend: ScriptedBackend(script: script),
                               persistence: p)
        c.handle(.resize(width: 80, height: 24))
        return c
    }

    /// Sends `text` and lets the scripted reply finish.
    func send(_ c: ChatController, _ text: String) {
        for ch in text { c.handle(.key(KeyPress(.char(ch)))) }
        c.handle(.key(KeyPress(.enter)))
        let end = Date().addingTimeInterval(10)
        while c.state.isBusy && Date() < end { c.processQueued(); usleep(1000) }
        XCTAssertFalse(c.state.isBusy)
    }

    func testAFailedSaveLeavesTheConversationUnsavedUntilASaveSucceeds() {
        let p = FailingPersistence()
        let c = controller(p)
        send(c, "hello")
        XCTAssertNotNil(c.unsavedReason, "a failed save must leave the conversation marked unsaved")
        XCTAssertTrue(c.unsavedReason?.contains("No space left") ?? false)
        c.closePersistence()
        XCTAssertNotNil(c.unsavedReason, "closing does not make a failed save saved")
        p.failing = false
        send(c, "again")
        XCTAssertNil(c.unsavedReason, "a save of the whole conversation that succeeds clears it")
    }

    func testAFailedClosingWriteLeavesTheConversationUnsaved() {
        let p = FailingPersistence()
        p.failing = false
        p.failClose = true
        let c = controller(p)
        send(c, "hello")
        XCTAssertNil(c.unsavedReason)
        c.closePersistence()
        XCTAssertNotNil(c.unsavedReason)
    }

    func testTheEmergencyCopyHoldsTheWholeConversationInAPrivateFile() throws {
        let dir = try tempDir()
        let conv = StoredConversation(id: "", title: "t", messages: [.user("one"), .assistant("two"), .user("three"), .assistant("four")])
        let path = try EmergencyCopy.write(conv, environment: ["XDG_RUNTIME_DIR": dir])
        XCTAssertTrue(path.hasPrefix(dir + "/"))
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attrs[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let back = try SessionCodec.current.decode(bytes, id: "new").get()
        XCTAssertEqual(back.messages.map(\.content), ["one", "two", "three", "four"])
        XCTAssertEqual(EmergencyCopy.directory(environment: [:]), "/tmp")
        XCTAssertEqual(EmergencyCopy.directory(environment: ["XDG_RUNTIME_DIR": dir + "/missing"]), "/tmp")
    }

    /// The real store on a tmpfs that is full: the save fails and the conversation stays unsaved.
    func testASaveOnAFullFileSystemLeavesTheConversationUnsaved() throws {
        let mnt = try tempDir()
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt]) else { throw XCTSkip("cannot mount a tmpfs here") }
        defer { _ = run("/bin/umount", [mnt]) }
        let store = SessionStore(directory: mnt + "/sessions")
        let p = StorePersistence(store: store)
        let c = controller(p)
        send(c, "hello")
        XCTAssertNil(c.unsavedReason)
        fill(mnt + "/filler")
        send(c, String(repeating: "a long message ", count: 2000))
        XCTAssertNotNil(c.unsavedReason, "a save on a full disk must leave the conversation unsaved")
        c.closePersistence()
        XCTAssertNotNil(c.unsavedReason)
    }

    /// Writes zeros to `path` until the file system is full.
    func fill(_ path: String) {
        let fd = open(path, O_CREAT | O_WRONLY, 0o600)
        defer { close(fd) }
        let block = [UInt8](repeating: 0, count: 4096)
        while block.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) > 0 {}
    }

    func run(_ tool: String, _ args: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}
