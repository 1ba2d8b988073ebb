// Re-runs this test binary as a child process (one chosen test, with a report pipe on fd 3) for crash and lock tests.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A child running one test of this binary (`Module.Class/testName`) with extra environment variables; it writes
/// one line per event to fd 3 (`reportToParent`), which the parent reads here.
public final class ChildProcess {
    public let pid: pid_t
    private var readFD: Int32
    private var buffer: [UInt8] = []
    public private(set) var lines: [String] = []
    private var reaped = false

    public init(test: String, environment extra: [String: String]) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw NSError(domain: "pipe", code: Int(errno)) }
        // Close-on-exec, so other children never hold this pipe open; dup2 onto fd 3 clears the flag there.
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&fa, fds[1], 3)
        posix_spawn_file_actions_addclose(&fa, fds[0])

        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let args = [exe, test]
        var env = ProcessInfo.processInfo.environment
        for (k, v) in extra { env[k] = v }
        let cArgs = args.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, exe, &fa, nil, cArgs, cEnv)
        close(fds[1])
        guard rc == 0 else { close(fds[0]); throw NSError(domain: "posix_spawn", code: Int(rc)) }
        self.pid = pid
        self.readFD = fds[0]
    }

    /// Blocks until the child writes a whole line; nil at end of file (the child is gone).
    public func readLine() -> String? {
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                lines.append(line)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(readFD, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// Every line the child wrote before dying (call after `kill`).
    public func readRest() -> [String] {
        while readLine() != nil {}
        return lines
    }

    /// SIGKILL and reap; returns the wait status.
    @discardableResult
    public func kill() -> Int32 {
        guard !reaped else { return 0 }
        Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        reaped = true
        return status
    }

    deinit {
        kill()
        close(readFD)
    }
}

/// Writes one line to fd 3 in one write(2) (atomic for a pipe), so a kill never splits a report.
public func reportToParent(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { Glibc.write(3, $0.baseAddress, $0.count) }
}
