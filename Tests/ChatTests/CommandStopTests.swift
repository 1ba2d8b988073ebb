// Commands under the user's control: output arrives while they run, a stop ends every process they started
// (setsid'd and re-parented ones too) within the 3 s, and they start with a clean environment and
// no descriptors but stdin, stdout and stderr.
import Foundation
import XCTest
@testable import Chat

final class CommandStopTests: XCTestCase {
    var root = ""
    var tools: CodingTools!

    override func setUpWithError() throws { (root, tools) = try tempWorkspace("stop") }

    func command(_ line: String, timeout: Int = 600) throws -> ToolPlan {
        try tools.plan(ToolCall(id: "c", name: "run_command", arguments: .object([("command", .string(line)), ("timeout_seconds", .int(timeout))])))
    }

    /// Processes whose command line matches `pattern` (pgrep -f, as the issue asks).
    func pgrep(_ pattern: String) throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        p.arguments = ["-f", pattern]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Runs `plan` on another thread; the returned wait gives its outcome (a generous failsafe, not a speed check).
    func start(_ plan: ToolPlan, _ run: ToolRun) -> () -> ToolOutcome? {
        let done = DispatchSemaphore(value: 0)
        let box = OutcomeBox()
        Thread { [tools] in box.value = tools!.run(plan, run); done.signal() }.start()
        return { done.wait(timeout: .now() + 60) == .success ? box.value : nil }
    }

    func testStopEndsEveryProcessItStarted() throws {
        let tag = String(UInt32.random(in: 100_000...999_999))
        let pattern = "^sleep [1-4]00\\.\(tag)$"
        // A background child, a daemon that forked away from the shell into its own session (only the
        // marker finds it), and a setsid'd child in the foreground.
        let plan = try command("sleep 100.\(tag) & setsid -f sleep 400.\(tag); setsid sleep 200.\(tag); sleep 300.\(tag)")
        let stop = StopFlag()
        let wait = start(plan, ToolRun(stop: stop))
        var running: [String] = []
        for _ in 0..<500 where running.count < 3 { running = try pgrep(pattern); usleep(20_000) }
        XCTAssertEqual(running.count, 3, "the command's processes did not all start")

        stop.stop()
        let stoppedAt = Date()
        var left = try pgrep(pattern)
        while !left.isEmpty && Date().timeIntervalSince(stoppedAt) < 3 { usleep(50_000); left = try pgrep(pattern) }
        XCTAssertEqual(left, [], "still running 3 s after the stop")

        let o = try XCTUnwrap(wait())
        XCTAssertEqual(o.exitStatus, 130)
        XCTAssertTrue(o.stopped)
        XCTAssertTrue(o.output.hasPrefix("[stopped by you after "), o.output)
        XCTAssertTrue(o.output.hasSuffix(" s]"), o.output)
        let m = o.message(answering: plan.call)
        XCTAssertEqual(m.toolResult?.stopped, true)
        XCTAssertEqual(m.content, o.output)
    }

    func testOutputArrivesWhileTheCommandRuns() throws {
        let tag = String(UInt32.random(in: 100_000...999_999))
        let seen = TextBox()
        let first = DispatchSemaphore(value: 0)
        let stop = StopFlag()
        // "é" is written in two pieces: the stream must not split the character.
        let plan = try command("printf 'caf\\303'; sleep 0.2; printf '\\251\\n'; sleep 100.\(tag)")
        let wait = start(plan, ToolRun(output: { seen.append($0); if seen.text.contains("\n") { first.signal() } }, stop: stop))
        XCTAssertEqual(first.wait(timeout: .now() + 30), .success, "no output while the command ran")
        XCTAssertEqual(seen.text, "café\n")
        stop.stop()
        let o = try XCTUnwrap(wait())
        XCTAssertTrue(o.output.hasPrefix("café\n[stopped by you after "), o.output)
    }

    func testTheEnvironmentHasNoAPIKeyAndNoExtraDescriptors() throws {
        let name = "GLMCHAT_TEST_KEY_\(UInt32.random(in: 0...UInt32.max))", secret = "sk-\(UUID().uuidString)"
        setenv(name, secret, 1); setenv("COPY_OF_THE_KEY", secret, 1); setenv("GLMCHAT_TEST_VISIBLE", "yes", 1)
        defer { unsetenv(name); unsetenv("COPY_OF_THE_KEY"); unsetenv("GLMCHAT_TEST_VISIBLE") }
        tools = CodingTools(workspace: tools.workspace, environment: CommandEnvironment(hiding: [name]))
        let env = tools.run(try command("env")).output
        XCTAssertFalse(env.contains(name), env)
        XCTAssertFalse(env.contains(secret), env)
        XCTAssertFalse(env.contains("COPY_OF_THE_KEY"), env)
        XCTAssertTrue(env.contains("GLMCHAT_TEST_VISIBLE=yes\n"), env)
        XCTAssertTrue(env.contains("\(CommandRunner.markerVariable)="), env)

        // A descriptor this process opened without close-on-exec is not inherited either.
        let leaked = open("/dev/null", O_RDONLY)
        defer { close(leaked) }
        XCTAssertGreaterThan(leaked, 2)
        let fds = tools.run(try command("ls /proc/self/fd")).output
        XCTAssertEqual(fds, "0\n1\n2\n3\n[exit status 0]")   // 3: the folder ls itself opened
    }

    func testTimeoutsStillEndTheCommand() throws {
        let tag = String(UInt32.random(in: 100_000...999_999))
        let o = tools.run(try command("setsid -f sleep 500.\(tag); echo waiting; sleep 100.\(tag)", timeout: 1))
        XCTAssertEqual(o.exitStatus, 124)
        XCTAssertEqual(o.output, "waiting\n[timed out after 1 s; the command was killed]")
        var left = try pgrep("^sleep [15]00\\.\(tag)$")
        for _ in 0..<60 where !left.isEmpty { usleep(50_000); left = try pgrep("^sleep [15]00\\.\(tag)$") }
        XCTAssertEqual(left, [])
    }

    func testEnvironmentFilter() {
        let env = ["KEY": "s3cret", "ALIAS": "s3cret", "EMPTY": "", "OTHER": "", "HOME": "/root"]
        XCTAssertEqual(CommandEnvironment(hiding: ["KEY"]).variables(from: env), ["EMPTY=", "HOME=/root", "OTHER="])
        XCTAssertEqual(CommandEnvironment(hiding: ["EMPTY", "MISSING"]).variables(from: env), ["ALIAS=s3cret", "HOME=/root", "KEY=s3cret", "OTHER="])
    }

    func testUTF8ChunksNeverSplitACharacter() {
        let text = "añ€😀 ok 👨‍👩‍👧\n"
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            var c = UTF8Chunks()
            var got = ""
            for part in [bytes[..<cut], bytes[cut...]] { got += Array(part).withUnsafeBytes { c.take($0) } }
            XCTAssertEqual(got + c.finish(), text, "cut at \(cut)")
        }
    }
}

final class OutcomeBox: @unchecked Sendable { var value: ToolOutcome? }

final class TextBox: @unchecked Sendable {
    private let lock = NSLock()
    private var chunks = ""
    func append(_ s: String) { lock.lock(); chunks += s; lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return chunks }
}
