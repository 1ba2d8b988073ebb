// Coding tools inside a temporary workspace: confinement (../, absolute paths, symbolic links out),
// approvals, exact edits with diffs, .gitignore'd search, capped output and commands that hang.
import Foundation
import XCTest
@testable import Chat

final class ToolSandboxTests: XCTestCase {
    var base: String = ""      // holds the workspace and an "outside" folder
    var ws: Workspace!
    var tools: CodingTools!

    override func setUpWithError() throws {
        base = NSTemporaryDirectory() + "glmchat-tools-" + UUID().uuidString
        let fm = FileManager.default
        try fm.createDirectory(atPath: base + "/ws/src", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: base + "/outside", withIntermediateDirectories: true)
        try "secret\n".write(toFile: base + "/outside/secret.txt", atomically: true, encoding: .utf8)
        try "one\ntwo\nthree\nfour\n".write(toFile: base + "/ws/src/a.txt", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: base + "/ws/out", withDestinationPath: base + "/outside")
        try fm.createSymbolicLink(atPath: base + "/ws/secret", withDestinationPath: base + "/outside/secret.txt")
        try fm.createSymbolicLink(atPath: base + "/ws/dangling", withDestinationPath: base + "/outside/missing.txt")
        try fm.createSymbolicLink(atPath: base + "/ws/inside", withDestinationPath: "src/a.txt")
        ws = try Workspace(root: base + "/ws")
        var limits = ToolLimits()
        limits.outputBytes = 4000
        tools = CodingTools(workspace: ws, limits: limits)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: base) }

    func call(_ name: String, _ args: [(String, JSONValue)]) -> ToolCall { ToolCall(id: "t", name: name, arguments: .object(args)) }

    func run(_ name: String, _ args: [(String, JSONValue)], decision: ApprovalDecision = .approve) async -> (ToolOutcome, [ApprovalRequest]) {
        let asked = Box()
        let o = await tools.execute(call(name, args)) { r in asked.add(r); return decision }
        return (o, asked.items)
    }

    func testPathsOutsideTheWorkspaceAreRefused() throws {
        for p in ["../outside/secret.txt", "src/../../outside/secret.txt", base + "/outside/secret.txt", "/etc/passwd",
                  "out/secret.txt", "secret", "out", "/", ".."] {
            XCTAssertThrowsError(try ws.resolve(p), p) { XCTAssertTrue("\($0)".contains("outside the workspace"), "\(p): \($0)") }
        }
        XCTAssertThrowsError(try ws.resolve("dangling", forWriting: true)) { XCTAssertTrue("\($0)".contains("symbolic link")) }
        XCTAssertThrowsError(try ws.resolve("new/../../x", forWriting: true))
        XCTAssertThrowsError(try ws.resolve("out/new.txt", forWriting: true))
        XCTAssertThrowsError(try ws.resolve("missing.txt"))
        XCTAssertEqual(try ws.resolve("inside"), ws.root + "/src/a.txt")
        XCTAssertEqual(try ws.resolve(ws.root + "/src/./a.txt"), ws.root + "/src/a.txt")
        XCTAssertEqual(try ws.resolve("src/../src/a.txt"), ws.root + "/src/a.txt")
        XCTAssertEqual(try ws.resolve("new/dir/f.txt", forWriting: true), ws.root + "/new/dir/f.txt")
        XCTAssertEqual(try ws.resolve(""), ws.root)
    }

    func testReadsThroughToolsAreConfined() async throws {
        for p in ["../outside/secret.txt", "secret", "out/secret.txt", "/etc/passwd"] {
            let (o, asked) = await run("read_file", [("path", .string(p))])
            XCTAssertEqual(o.exitStatus, 1, p)
            XCTAssertFalse(o.output.contains("secret\n"), p)
            XCTAssertTrue(asked.isEmpty)
        }
        let (l, _) = await run("list_dir", [("path", .string("out"))])
        XCTAssertEqual(l.exitStatus, 1)
        let (s, _) = await run("search", [("pattern", .string("secret"))])
        XCTAssertEqual(s.output, "No matches.")   // the links out of the workspace are not followed
    }

    func testReadFileLineRanges() async throws {
        let (all, _) = await run("read_file", [("path", .string("src/a.txt"))])
        XCTAssertEqual(all.output, "     1\tone\n     2\ttwo\n     3\tthree\n     4\tfour\n")
        let (part, _) = await run("read_file", [("path", .string("src/a.txt")), ("start_line", .int(2)), ("end_line", .string("3"))])
        XCTAssertEqual(part.output, "     2\ttwo\n     3\tthree\n[lines 2–3 of 4]")
        let (tail, _) = await run("read_file", [("path", .string("inside")), ("start_line", .int(4)), ("end_line", .int(99))])
        XCTAssertEqual(tail.output, "     4\tfour\n[lines 4–4 of 4]")
        let (bad, _) = await run("read_file", [("path", .string("src/a.txt")), ("start_line", .int(9))])
        XCTAssertEqual(bad.exitStatus, 1)
        XCTAssertEqual(bad.output, "Error: src/a.txt has only 4 lines.")
        let (missingArg, _) = await run("read_file", [])
        XCTAssertEqual(missingArg.output, "Error: read_file needs the argument path.")
        let (unknown, _) = await run("delete_everything", [])
        XCTAssertTrue(unknown.output.hasPrefix("Error: There is no tool named delete_everything"))
    }

    func testWritesNeedApprovalAndShowADiff() async throws {
        let (denied, asked) = await run("write_file", [("path", .string("src/new.txt")), ("content", .string("hello\n"))], decision: .deny("not now"))
        XCTAssertTrue(denied.denied)
        XCTAssertEqual(denied.output, "The user declined this change: not now.")
        XCTAssertEqual(asked.count, 1)
        XCTAssertEqual(asked.first?.kind, .write)
        XCTAssertEqual(asked.first?.summary, "Create src/new.txt (1 lines)")
        XCTAssertEqual(asked.first?.detail, "--- a/src/new.txt\n+++ b/src/new.txt\n@@ -0,0 +1,1 @@\n+hello\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: ws.root + "/src/new.txt"))

        let (ok, _) = await run("write_file", [("path", .string("deep/er/new.txt")), ("content", .string("hello\n"))])
        XCTAssertEqual(ok.exitStatus, 0, ok.output)
        XCTAssertEqual(try String(contentsOfFile: ws.root + "/deep/er/new.txt", encoding: .utf8), "hello\n")

        let (edit, req) = await run("edit_file", [("path", .string("src/a.txt")), ("old_text", .string("two\nthree")), ("new_text", .string("2\n3\n3.5"))])
        XCTAssertEqual(edit.exitStatus, 0, edit.output)
        XCTAssertEqual(req.first?.detail, "--- a/src/a.txt\n+++ b/src/a.txt\n@@ -1,4 +1,5 @@\n one\n-two\n-three\n+2\n+3\n+3.5\n four\n")
        XCTAssertEqual(try String(contentsOfFile: ws.root + "/src/a.txt", encoding: .utf8), "one\n2\n3\n3.5\nfour\n")

        let (missing, _) = await run("edit_file", [("path", .string("src/a.txt")), ("old_text", .string("zzz")), ("new_text", .string("y"))])
        XCTAssertTrue(missing.output.contains("was not found"))
        let (twice, _) = await run("edit_file", [("path", .string("src/a.txt")), ("old_text", .string("3")), ("new_text", .string("x"))])
        XCTAssertTrue(twice.output.contains("occurs 2 times"), twice.output)
        let (all, _) = await run("edit_file", [("path", .string("src/a.txt")), ("old_text", .string("3")), ("new_text", .string("x")), ("replace_all", .bool(true))])
        XCTAssertEqual(all.exitStatus, 0)
        XCTAssertEqual(try String(contentsOfFile: ws.root + "/src/a.txt", encoding: .utf8), "one\n2\nx\nx.5\nfour\n")

        // Writing through links out of the workspace is refused before anything is asked.
        for p in ["out/x.txt", "secret", "dangling", "../outside/x.txt"] {
            let (o, asked) = await run("write_file", [("path", .string(p)), ("content", .string("pwned"))])
            XCTAssertEqual(o.exitStatus, 1, p); XCTAssertTrue(asked.isEmpty, p)
        }
        XCTAssertEqual(try String(contentsOfFile: base + "/outside/secret.txt", encoding: .utf8), "secret\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: base + "/outside/x.txt"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: base + "/outside/missing.txt"))
    }

    func testCommandsAreCappedAndTimedOut() async throws {
        let (echo, asked) = await run("run_command", [("command", .string("echo \"$PWD\"; echo err >&2; exit 3"))])
        XCTAssertEqual(asked.first?.kind, .run)
        XCTAssertEqual(echo.exitStatus, 3)
        XCTAssertEqual(echo.output, "\(ws.root)\nerr\n[exit status 3]")

        let (huge, _) = await run("run_command", [("command", .string("seq 1 1000000"))])
        XCTAssertTrue(huge.truncated)
        XCTAssertLessThan(huge.output.utf8.count, 4200)
        XCTAssertTrue(huge.output.hasPrefix("1\n2\n3\n"))
        XCTAssertTrue(huge.output.contains("bytes omitted"))
        XCTAssertTrue(huge.output.hasSuffix("999999\n1000000\n[exit status 0]"), String(huge.output.suffix(60)))

        let (hang, _) = await run("run_command", [("command", .string("echo started; sleep 600")), ("timeout_seconds", .int(3))])
        XCTAssertEqual(hang.exitStatus, 124)
        XCTAssertEqual(hang.output, "started\n[timed out after 3 s; the command was killed]")

        // A background child holding the output open does not keep the tool waiting (the timeout is 600 s), and is killed.
        let pidFile = base + "/bg.pid"
        let (bg, _) = await run("run_command", [("command", .string("sleep 600 & echo spawned")), ("timeout_seconds", .int(600))])
        XCTAssertEqual(bg.output, "spawned\n[exit status 0]")
        // One that does not hold the output open is killed all the same.
        let (detached, _) = await run("run_command", [("command", .string("sleep 600 >/dev/null 2>&1 & echo $! > '\(pidFile)'")), ("timeout_seconds", .int(600))])
        XCTAssertEqual(detached.output, "[exit status 0]")
        let pid = try XCTUnwrap(Int(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // Gone, or a zombie waiting for init to reap it: either way no longer running.
        // SIGKILL was sent when the shell exited; the kernel may take a moment to finish it.
        var state = ""
        for _ in 0..<500 {
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            state = stat.split(separator: ")").last?.split(separator: " ").first.map(String.init) ?? "gone"
            if state == "gone" || state == "Z" { break }
            usleep(10_000)
        }
        XCTAssertTrue(state == "gone" || state == "Z", "background process \(pid) is still \(state)")

        let (denied, _) = await run("run_command", [("command", .string("touch '\(base)/ran'"))], decision: .deny(nil))
        XCTAssertEqual(denied.output, "The user declined this command.")
        XCTAssertFalse(FileManager.default.fileExists(atPath: base + "/ran"))
    }

    func testSearchRespectsGitignore() async throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: ws.root + "/build", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: ws.root + "/sub/deep", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: ws.root + "/.git", withIntermediateDirectories: true)
        try "*.log\n/build/\n# comment\nsub/deep/*.tmp\n".write(toFile: ws.root + "/.gitignore", atomically: true, encoding: .utf8)
        try "!keep.log\n".write(toFile: ws.root + "/sub/.gitignore", atomically: true, encoding: .utf8)
        for (p, t) in [("build/x.txt", "needle"), ("a.log", "needle"), ("sub/keep.log", "needle here"), ("sub/deep/x.tmp", "needle"),
                       ("sub/deep/y.txt", "a\nNeedle\nneedle"), (".git/config", "needle"), ("src/b.swift", "let needle = 1")] {
            try t.write(toFile: ws.root + "/" + p, atomically: true, encoding: .utf8)
        }
        try Data([0x6e, 0x65, 0x65, 0x64, 0x6c, 0x65, 0x00]).write(to: URL(fileURLWithPath: ws.root + "/bin.dat"))
        let (s, _) = await run("search", [("pattern", .string("needle"))])
        XCTAssertEqual(s.output, "src/b.swift:1: let needle = 1\nsub/deep/y.txt:3: needle\nsub/keep.log:1: needle here")
        let (ci, _) = await run("search", [("pattern", .string("NEEDLE")), ("ignore_case", .bool(true)), ("path", .string("sub")), ("include", .string("*.txt"))])
        XCTAssertEqual(ci.output, "sub/deep/y.txt:2: Needle\nsub/deep/y.txt:3: needle")
        let (re, _) = await run("search", [("pattern", .string("^let \\w+ = \\d$")), ("regex", .bool(true))])
        XCTAssertEqual(re.output, "src/b.swift:1: let needle = 1")
        let (badRe, _) = await run("search", [("pattern", .string("(")), ("regex", .bool(true))])
        XCTAssertEqual(badRe.exitStatus, 1)
        let (list, _) = await run("list_dir", [])
        XCTAssertEqual(list.output.split(separator: "\n").first, ".gitignore  (39 bytes)")
        XCTAssertFalse(list.output.contains(".git/"))
        XCTAssertTrue(list.output.contains("out -> \(base)/outside"))
    }

    func testGlobAndRules() {
        func m(_ p: String, _ s: String) -> Bool { Glob.match(Array(p.unicodeScalars)[...], Array(s.unicodeScalars)[...]) }
        XCTAssertTrue(m("*.swift", "a.swift")); XCTAssertFalse(m("*.swift", "a/b.swift")); XCTAssertFalse(m("*.swift", "a.swifty"))
        XCTAssertTrue(m("**/x", "x")); XCTAssertTrue(m("**/x", "a/b/x")); XCTAssertTrue(m("a/**", "a/b/c")); XCTAssertFalse(m("a/**", "a"))
        XCTAssertTrue(m("a/**/b", "a/b")); XCTAssertTrue(m("a/**/b", "a/x/y/b")); XCTAssertFalse(m("a/**/b", "a/xb"))
        XCTAssertTrue(m("f?o", "foo")); XCTAssertFalse(m("f?o", "f/o")); XCTAssertTrue(m("[a-c]x", "bx")); XCTAssertFalse(m("[!a-c]x", "bx"))
        XCTAssertTrue(m("[", "[")); XCTAssertTrue(m("\\*", "*")); XCTAssertFalse(m("\\*", "a"))
        XCTAssertNil(GitIgnoreRule(line: "# c")); XCTAssertNil(GitIgnoreRule(line: "   "))
        let r = GitIgnoreRule(line: "/build/")!
        XCTAssertTrue(r.anchored && r.directoryOnly)
        XCTAssertTrue(r.matches(relative: "build", name: "build", isDirectory: true))
        XCTAssertFalse(r.matches(relative: "build", name: "build", isDirectory: false))
        XCTAssertFalse(r.matches(relative: "x/build", name: "build", isDirectory: true))
    }

    func testOutputCap() {
        let s = String(repeating: "é", count: 1000)   // 2000 bytes
        let (t, cut) = OutputCap.apply(s, limit: 103)
        XCTAssertTrue(cut)
        XCTAssertEqual(t, String(repeating: "é", count: 25) + "\n[… 1900 bytes omitted …]\n" + String(repeating: "é", count: 25))
        XCTAssertEqual(OutputCap.apply("short", limit: 10).text, "short")
        var c = HeadTailCollector(limit: 10)
        let bytes = Array("0123456789abcdefghij".utf8)
        bytes.withUnsafeBytes { c.append($0) }
        XCTAssertEqual(c.text, "01234\n[… 10 bytes omitted …]\nfghij")
    }
}

final class Box: @unchecked Sendable {
    private var list: [ApprovalRequest] = []
    private let lock = NSLock()
    func add(_ r: ApprovalRequest) { lock.lock(); list.append(r); lock.unlock() }
    var items: [ApprovalRequest] { lock.lock(); defer { lock.unlock() }; return list }
}
