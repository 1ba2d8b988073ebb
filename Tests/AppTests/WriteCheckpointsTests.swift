// Undo of the tools' writes through the executor: byte for byte with the old mode, newest first, refused over
// a file changed since, the last 50 per conversation kept in 0600 files under the sessions folder (or memory),
// deleted with the conversation; prepared plans are what runs, and commands stop through the executor.
import XCTest
import Foundation
import Chat
@testable import App

final class WriteCheckpointsTests: XCTestCase {
    var root = "", sessions = ""
    var executor: CodingToolsExecutor!

    override func setUpWithError() throws {
        root = try tempDir()
        sessions = try tempDir()
        executor = CodingToolsExecutor(CodingTools(workspace: try Workspace(root: root)),
                                       checkpoints: WriteCheckpoints(directory: sessions + "/checkpoints"))
    }

    func file(_ p: String) -> [UInt8]? { FileManager.default.contents(atPath: root + "/" + p).map { Array($0) } }
    func put(_ s: String, _ p: String, mode: mode_t = 0o644) throws {
        try Data(s.utf8).write(to: URL(fileURLWithPath: root + "/" + p))
        chmod(root + "/" + p, mode)
    }
    func mode(_ path: String) -> mode_t { var st = stat(); stat(path, &st); return st.st_mode & 0o7777 }

    var n = 0
    /// Prepares and runs a call through the executor, as the controller does after the user's yes.
    @discardableResult
    func run(_ name: String, _ args: [(String, JSONValue)], conversation: String? = "conv1",
             between: () -> Void = {}) -> Message {
        n += 1
        let call = ToolCall(id: "call_\(n)", name: name, arguments: .object(args))
        let prepared = Outcome<ToolPreparation>(), done = Outcome<Message>()
        executor.prepare(call) { prepared.set($0) }
        _ = prepared.wait()
        between()
        executor.run(call, conversationID: conversation, output: { _ in }) { done.set($0) }
        return done.wait()!
    }
    @discardableResult func edit(_ p: String, _ old: String, _ new: String, conversation: String? = "conv1") -> Message {
        run("edit_file", [("path", .string(p)), ("old_text", .string(old)), ("new_text", .string(new))], conversation: conversation)
    }
    func write(_ p: String, _ content: String, conversation: String? = "conv1") -> Message {
        run("write_file", [("path", .string(p)), ("content", .string(content))], conversation: conversation)
    }
    func undo(_ conversation: String = "conv1") -> UndoResult? {
        let r = Outcome<UndoResult>()
        executor.undoLastWrite(conversationID: conversation) { r.set($0) }
        return r.wait()
    }

    func testUndoRestoresEachWriteNewestFirst() throws {
        try put("one\ntwo\n", "a.txt", mode: 0o640)
        XCTAssertEqual(edit("a.txt", "two", "2").toolResult?.exitStatus, 0)
        chmod(root + "/a.txt", 0o600)   // the next write keeps this mode, and its undo brings it back
        XCTAssertEqual(edit("a.txt", "one", "1").toolResult?.exitStatus, 0)
        XCTAssertEqual(write("new.txt", "fresh\n").toolResult?.exitStatus, 0)
        XCTAssertEqual(file("a.txt"), Array("1\n2\n".utf8))

        XCTAssertEqual(undo(), .undone(callID: "call_3", summary: "removed new.txt"))
        XCTAssertNil(file("new.txt"))
        XCTAssertEqual(undo(), .undone(callID: "call_2", summary: "restored a.txt"))
        XCTAssertEqual(file("a.txt"), Array("one\n2\n".utf8))
        XCTAssertEqual(mode(root + "/a.txt"), 0o600)
        XCTAssertEqual(undo(), .undone(callID: "call_1", summary: "restored a.txt"))
        XCTAssertEqual(file("a.txt"), Array("one\ntwo\n".utf8))
        XCTAssertEqual(mode(root + "/a.txt"), 0o640)
        XCTAssertEqual(undo(), .failed("no write left to undo in this conversation"))
        XCTAssertEqual(undo("another"), .failed("no write left to undo in this conversation"))
    }

    func testUndoRefusesAFileChangedAfterTheWrite() throws {
        try put("v1\n", "a.txt")
        edit("a.txt", "v1", "v2")
        try put("v2 and the user's line\n", "a.txt")
        XCTAssertEqual(undo(), .failed("a.txt changed after the write; undo would lose those changes"))
        XCTAssertEqual(file("a.txt"), Array("v2 and the user's line\n".utf8))
        // Put back as glmchat left it, the undo goes through.
        try put("v2\n", "a.txt")
        XCTAssertEqual(undo(), .undone(callID: "call_1", summary: "restored a.txt"))
        XCTAssertEqual(file("a.txt"), Array("v1\n".utf8))
    }

    func testCheckpointsLiveUnderTheSessionsFolderPrivatelyAndGoWithTheConversation() throws {
        try put("secret\n", "a.txt")
        edit("a.txt", "secret", "public")
        let folder = sessions + "/checkpoints/conv1"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        XCTAssertEqual(names, ["1.old", "index.json"])
        XCTAssertEqual(mode(folder), 0o700)
        for n in names { XCTAssertEqual(mode(folder + "/" + n), 0o600, n) }
        XCTAssertEqual(FileManager.default.contents(atPath: folder + "/1.old"), Data("secret\n".utf8))
        let index = try JSONValue.parse(String(decoding: try Data(contentsOf: URL(fileURLWithPath: folder + "/index.json")), as: UTF8.self))
        let w = try XCTUnwrap(index["writes"]?.arrayValue?.first)
        XCTAssertEqual(w["call_id"]?.stringValue, "call_1")
        XCTAssertEqual(w["path"]?.stringValue, root + "/a.txt")
        XCTAssertEqual(w["existed"]?.boolValue, true)
        XCTAssertEqual(w["undone"]?.boolValue, false)
        XCTAssertEqual(w["sha256"]?.stringValue, SHA256.hex(Array("public\n".utf8)))

        // A new store on the same folder (the next run of glmchat) undoes it.
        let later = CodingToolsExecutor(CodingTools(workspace: try Workspace(root: root)),
                                        checkpoints: WriteCheckpoints(directory: sessions + "/checkpoints"))
        let r = Outcome<UndoResult>()
        later.undoLastWrite(conversationID: "conv1") { r.set($0) }
        XCTAssertEqual(r.wait(), .undone(callID: "call_1", summary: "restored a.txt"))

        edit("a.txt", "secret", "again")
        executor.deleteCheckpoints(conversationID: "conv1")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder))
        XCTAssertEqual(undo(), .failed("no write left to undo in this conversation"))
    }

    func testOnlyTheLastFiftyWritesAreKept() throws {
        try put("0\n", "count.txt")
        for i in 0..<52 { XCTAssertEqual(write("count.txt", "\(i + 1)\n").toolResult?.exitStatus, 0) }
        for i in (2..<52).reversed() {
            guard case .undone = undo() else { return XCTFail("undo back to \(i) failed") }
            XCTAssertEqual(file("count.txt"), Array("\(i)\n".utf8))
        }
        XCTAssertEqual(undo(), .failed("no write left to undo in this conversation"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: sessions + "/checkpoints/conv1"), ["index.json"])
    }

    func testWithoutAFolderCheckpointsStayInMemory() throws {
        executor = CodingToolsExecutor(CodingTools(workspace: try Workspace(root: root)))
        try put("a\n", "a.txt")
        edit("a.txt", "a", "b")
        XCTAssertEqual(undo(), .undone(callID: "call_1", summary: "restored a.txt"))
        XCTAssertEqual(file("a.txt"), Array("a\n".utf8))
        XCTAssertFalse(FileManager.default.fileExists(atPath: sessions + "/checkpoints"))
    }

    func testTheRunIsThePreparedPlan() throws {
        try put("shown\n", "a.txt")
        let m = run("write_file", [("path", .string("a.txt")), ("content", .string("model's\n"))]) {
            do { try put("changed meanwhile\n", "a.txt") } catch { XCTFail("\(error)") }
        }
        XCTAssertEqual(m.content, "Error: a.txt changed since the diff was shown; nothing was written.")
        XCTAssertEqual(file("a.txt"), Array("changed meanwhile\n".utf8))
        XCTAssertEqual(undo(), .failed("no write left to undo in this conversation"))
    }

    func testCommandsStopThroughTheExecutor() throws {
        let tag = String(UInt32.random(in: 100_000...999_999))
        let call = ToolCall(id: "run1", name: "run_command", arguments: .object([("command", .string("echo started; sleep 100.\(tag)"))]))
        let started = DispatchSemaphore(value: 0), done = Outcome<Message>()
        executor.run(call, conversationID: "conv1", output: { if $0.contains("started") { started.signal() } }) { done.set($0) }
        XCTAssertEqual(started.wait(timeout: .now() + 30), .success)
        executor.cancel("run1")
        let m = try XCTUnwrap(done.wait())
        XCTAssertEqual(m.toolResult?.stopped, true)
        XCTAssertEqual(m.toolResult?.exitStatus, 130)
        XCTAssertTrue(m.content.hasPrefix("started\n[stopped by you after "), m.content)

        // cancelAll returns once what it stopped is gone.
        let other = ToolCall(id: "run2", name: "run_command", arguments: .object([("command", .string("echo started; sleep 200.\(tag)"))]))
        let started2 = DispatchSemaphore(value: 0)
        executor.run(other, conversationID: "conv1", output: { if $0.contains("started") { started2.signal() } }) { _ in }
        XCTAssertEqual(started2.wait(timeout: .now() + 30), .success)
        executor.cancelAll()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        p.arguments = ["-f", "^sleep 200\\.\(tag)$"]
        p.standardOutput = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 1, "a stopped command is still running")
    }
}
