// Writes keep the file what it was (mode, the link pointing at it), refuse what is not theirs to rewrite
// (not UTF-8, FIFOs, devices, over 4 MiB, version-control folders) leaving it byte for byte, write exactly
// what the diff showed, and reads never hang on a FIFO.
import Foundation
import XCTest
@testable import Chat

final class SafeWriteTests: XCTestCase {
    var root = ""
    var tools: CodingTools!

    override func setUpWithError() throws { (root, tools) = try tempWorkspace("writes") }

    func call(_ name: String, _ args: [(String, JSONValue)]) -> ToolCall { ToolCall(id: "w", name: name, arguments: .object(args)) }
    func edit(_ path: String, _ old: String, _ new: String) -> ToolCall {
        call("edit_file", [("path", .string(path)), ("old_text", .string(old)), ("new_text", .string(new))])
    }
    func write(_ path: String, _ content: String) -> ToolCall { call("write_file", [("path", .string(path)), ("content", .string(content))]) }

    func execute(_ c: ToolCall) async -> ToolOutcome { await tools.execute(c) { _ in .approve } }

    func bytes(_ path: String) -> [UInt8]? { FileManager.default.contents(atPath: root + "/" + path).map { Array($0) } }
    func put(_ bytes: [UInt8], _ path: String, mode: mode_t = 0o644) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: root + "/" + path))
        XCTAssertEqual(chmod(root + "/" + path, mode), 0)
    }
    func mode(_ path: String) -> mode_t { var st = stat(); lstat(root + "/" + path, &st); return st.st_mode }

    func testEditsKeepTheModeOfTheFile() async throws {
        try put(Array("secret = 1\n".utf8), "src/private.conf", mode: 0o600)
        try put(Array("#!/bin/sh\necho helo\n".utf8), "run.sh", mode: 0o755)
        for (path, old, new) in [("src/private.conf", "1", "2"), ("run.sh", "helo", "hello")] {
            let o = await execute(edit(path, old, new))
            XCTAssertEqual(o.exitStatus, 0, o.output)
        }
        XCTAssertEqual(mode("src/private.conf") & 0o7777, 0o600)
        XCTAssertEqual(mode("run.sh") & 0o7777, 0o755)
        XCTAssertEqual(bytes("run.sh"), Array("#!/bin/sh\necho hello\n".utf8))
        // The temporary files are gone.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root).sorted(), ["run.sh", "src"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/src"), ["private.conf"])
    }

    func testALinkIsWrittenThroughAndStaysALink() async throws {
        try put(Array("one\n".utf8), "src/real.txt")
        try FileManager.default.createSymbolicLink(atPath: root + "/link.txt", withDestinationPath: "src/real.txt")
        let e = await execute(edit("link.txt", "one", "two"))
        XCTAssertEqual(e.exitStatus, 0, e.output)
        let w = await execute(write("link.txt", "three\n"))
        XCTAssertEqual(w.exitStatus, 0, w.output)
        XCTAssertEqual(mode("link.txt") & S_IFMT, S_IFLNK)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/link.txt"), "src/real.txt")
        XCTAssertEqual(bytes("src/real.txt"), Array("three\n".utf8))
    }

    func testNewFilesGetTheUsualMode() async throws {
        let o = await execute(write("deep/new.txt", "hi\n"))
        XCTAssertEqual(o.exitStatus, 0, o.output)
        let mask = umask(0o022); umask(mask)
        XCTAssertEqual(mode("deep/new.txt") & 0o777, 0o666 & ~mask)
    }

    func testFilesThatAreNotTheirsToRewriteAreRefusedAndUntouched() async throws {
        let latin1: [UInt8] = [0x63, 0x61, 0x66, 0xE9, 0x0A]      // "café\n" in Latin-1
        try put(latin1, "latin1.txt")
        try FileManager.default.createDirectory(atPath: root + "/.git", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/sub/.svn", withIntermediateDirectories: true)
        let config = Array("[core]\n\tbare = false\n".utf8)
        try put(config, ".git/config")
        try put(config, "sub/.svn/entries")
        XCTAssertEqual(mkfifo(root + "/pipe", 0o644), 0)
        let big = [UInt8](repeating: 0x61, count: (4 << 20) + 1)
        try put(big, "big.txt")

        let cases: [(ToolCall, String)] = [
            (edit("latin1.txt", "caf", "cafe"), "not valid UTF-8"),
            (write("latin1.txt", "café\n"), "not valid UTF-8"),
            (edit(".git/config", "false", "true"), "inside .git/"),
            (write(".git/config", "x"), "inside .git/"),
            (write(".git/hooks/pre-commit", "x"), "inside .git/"),
            (write("sub/.svn/entries", "x"), "inside .svn/"),
            (write("a/.hg/new", "x"), "inside .hg/"),
            (edit("pipe", "a", "b"), "is a FIFO"),
            (write("pipe", "x"), "is a FIFO"),
            (edit("big.txt", "a", "b"), "4 MiB"),
            (write("new-big.txt", String(repeating: "b", count: (4 << 20) + 1)), "4 MiB"),
        ]
        for (c, reason) in cases {
            let o = await execute(c)
            XCTAssertEqual(o.exitStatus, 1, "\(c.arguments)")
            XCTAssertTrue(o.output.contains(reason), "\(c.arguments): \(o.output)")
            if case .refused = tools.prepare(c) {} else { XCTFail("prepare did not refuse \(c.arguments)") }
        }
        XCTAssertEqual(bytes("latin1.txt"), latin1)
        XCTAssertEqual(bytes(".git/config"), config)
        XCTAssertEqual(bytes("sub/.svn/entries"), config)
        XCTAssertEqual(bytes("big.txt"), big)
        XCTAssertEqual(mode("pipe") & S_IFMT, S_IFIFO)
        for p in [".git/hooks/pre-commit", "a/.hg/new", "new-big.txt"] { XCTAssertNil(bytes(p), p) }
    }

    func testADeviceIsRefused() async throws {
        // mknod needs privileges a test run may not have.
        guard mknod(root + "/null", S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0 else { throw XCTSkip("cannot create a device node here") }
        for c in [edit("null", "a", "b"), write("null", "x"), call("read_file", [("path", .string("null"))])] {
            let o = await execute(c)
            XCTAssertTrue(o.output.contains("is a device, not a regular file"), o.output)
        }
    }

    func testReadsDoNotHangOnAFIFO() throws {
        try put(Array("needle\n".utf8), "src/a.txt")
        XCTAssertEqual(mkfifo(root + "/src/pipe", 0o644), 0)
        try FileManager.default.createSymbolicLink(atPath: root + "/to-pipe", withDestinationPath: "src/pipe")
        // Each on a thread of its own: a hang fails the test instead of blocking the run (a failsafe, not a speed check).
        func outcome(_ c: ToolCall) -> ToolOutcome? {
            let done = DispatchSemaphore(value: 0), box = OutcomeBox()
            Thread { [tools] in box.value = tools!.run(try! tools!.plan(c)); done.signal() }.start()
            return done.wait(timeout: .now() + 30) == .success ? box.value : nil
        }
        XCTAssertTrue(outcome(call("read_file", [("path", .string("src/pipe"))]))?.output.contains("is a FIFO") == true)
        XCTAssertTrue(outcome(call("read_file", [("path", .string("to-pipe"))]))?.output.contains("is a FIFO") == true)
        XCTAssertEqual(outcome(call("search", [("pattern", .string("needle"))]))?.output, "src/a.txt:1: needle")
        XCTAssertEqual(outcome(call("search", [("pattern", .string("needle")), ("path", .string("src/pipe"))]))?.output, "No matches.")
    }

    func testTheWriteIsExactlyWhatTheDiffShowed() throws {
        try put(Array("alpha\nbeta\n".utf8), "src/a.txt")
        let editPlan = try tools.plan(edit("src/a.txt", "beta", "gamma"))
        let writePlan = try tools.plan(write("src/a.txt", "whole new\n"))
        let createPlan = try tools.plan(write("src/b.txt", "fresh\n"))
        guard case .diff(_, _, let unified, 1, 1) = editPlan.request.preview else { return XCTFail("\(editPlan.request.preview)") }
        XCTAssertTrue(unified.contains("-beta\n+gamma\n"))
        // Someone else edits the file, and creates b.txt, while the user reads the diffs.
        try put(Array("alpha\nbeta\nmore\n".utf8), "src/a.txt")
        try put(Array("theirs\n".utf8), "src/b.txt")
        for plan in [editPlan, writePlan, createPlan] {
            let o = tools.run(plan)
            XCTAssertEqual(o.exitStatus, 1)
            XCTAssertTrue(o.output.hasSuffix("changed since the diff was shown; nothing was written."), o.output)
        }
        XCTAssertEqual(bytes("src/a.txt"), Array("alpha\nbeta\nmore\n".utf8))
        XCTAssertEqual(bytes("src/b.txt"), Array("theirs\n".utf8))
        // Planned on the file as it is now, the edit goes through.
        let again = try tools.plan(edit("src/a.txt", "more", "less"))
        XCTAssertEqual(tools.run(again).exitStatus, 0)
        XCTAssertEqual(bytes("src/a.txt"), Array("alpha\nbeta\nless\n".utf8))
    }

    func testWritesHandTheOldBytesToTheKeeperFirst() throws {
        try put(Array("old\n".utf8), "src/a.txt", mode: 0o640)
        let keeper = RecordingKeeper()
        XCTAssertEqual(tools.run(try tools.plan(edit("src/a.txt", "old", "new")), ToolRun(checkpoints: keeper)).exitStatus, 0)
        XCTAssertEqual(tools.run(try tools.plan(write("src/c.txt", "c\n")), ToolRun(checkpoints: keeper)).exitStatus, 0)
        let kept = keeper.kept
        XCTAssertEqual(kept.count, 2)
        XCTAssertEqual(kept.first?.before?.bytes, Array("old\n".utf8))
        XCTAssertEqual(kept.first?.before?.mode, 0o640)
        XCTAssertEqual(kept.first?.shown, "src/a.txt")
        XCTAssertEqual(kept.first?.writtenSHA256, SHA256.hex(Array("new\n".utf8)))
        XCTAssertNil(kept.last?.before)
        // A keeper that cannot keep stops the write.
        keeper.fail = true
        let o = tools.run(try tools.plan(edit("src/a.txt", "new", "newer")), ToolRun(checkpoints: keeper))
        XCTAssertTrue(o.output.contains("nothing was written"), o.output)
        XCTAssertEqual(bytes("src/a.txt"), Array("new\n".utf8))
    }

    func testSHA256MatchesTheStandardAndSha256sum() throws {
        XCTAssertEqual(SHA256.hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var rng = SystemRandomNumberGenerator()
        let data = (0..<100_003).map { _ in UInt8.random(in: 0...255, using: &rng) }
        try put(data, "random.bin")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [root + "/random.bin"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let line = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(SHA256.hex(data), String(line.prefix(64)))
    }
}

final class RecordingKeeper: CheckpointKeeper, @unchecked Sendable {
    private let lock = NSLock()
    private var list: [WriteCheckpoint] = []
    var fail = false
    func keep(_ c: WriteCheckpoint) throws {
        lock.lock(); defer { lock.unlock() }
        if fail { throw ToolError("disk full") }
        list.append(c)
    }
    func discard(_ c: WriteCheckpoint) { lock.lock(); list.removeAll { $0 == c }; lock.unlock() }
    var kept: [WriteCheckpoint] { lock.lock(); defer { lock.unlock() }; return list }
}
