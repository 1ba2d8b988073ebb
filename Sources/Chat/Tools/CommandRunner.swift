// Runs a shell command in its own process group with stdin from /dev/null, a timeout, and output capped in
// memory (head + tail); when the command ends or times out, whatever it left running in its group is killed.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct CommandResult: Sendable, Equatable {
    /// stdout and stderr interleaved, capped.
    public var output: String
    /// The exit code, or 128 + signal when a signal ended it (as shells report).
    public var exitStatus: Int
    public var timedOut: Bool
    public var truncated: Bool
    public var totalBytes: Int
    public var seconds: Double
}

public enum CommandRunner {
    /// Runs `/bin/sh -c command` in `directory`. Blocks the calling thread until the command ends or
    /// `timeout` seconds pass (then its whole process group is killed).
    public static func run(_ command: String, in directory: String, timeout: Double, outputLimit: Int) throws -> CommandResult {
        let start = monotonic()
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ToolError("Could not create a pipe for the command (errno \(errno)).") }
        let (readFD, writeFD) = (fds[0], fds[1])
        defer { close(readFD) }

        #if canImport(Glibc)
        var actions = posix_spawn_file_actions_t()
        var attrs = posix_spawnattr_t()
        #else
        var actions: posix_spawn_file_actions_t? = nil
        var attrs: posix_spawnattr_t? = nil
        #endif
        posix_spawn_file_actions_init(&actions); defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawnattr_init(&attrs); defer { posix_spawnattr_destroy(&attrs) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeFD, 1)
        posix_spawn_file_actions_adddup2(&actions, writeFD, 2)
        posix_spawn_file_actions_addclose(&actions, readFD)
        posix_spawn_file_actions_addclose(&actions, writeFD)
        var defaults = sigset_t()
        sigemptyset(&defaults); sigaddset(&defaults, SIGPIPE); sigaddset(&defaults, SIGINT); sigaddset(&defaults, SIGTERM)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attrs, &defaults)
        posix_spawnattr_setsigmask(&attrs, &mask)
        posix_spawnattr_setpgroup(&attrs, 0)
        posix_spawnattr_setflags(&attrs, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        // The command and folder go in as positional parameters, so nothing needs quoting.
        let args = ["/bin/sh", "-c", "cd -- \"$1\" || exit 126; eval \"$2\"", "sh", directory, command]
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attrs, &cargs, environ)
        close(writeFD)
        guard rc == 0 else { throw ToolError("Could not start /bin/sh (error \(rc)).") }

        var collector = HeadTailCollector(limit: outputLimit)
        var buffer = [UInt8](repeating: 0, count: 65536)
        var status: Int32 = 0
        var exited = false, timedOut = false, killed = false
        var drainDeadline = Double.infinity
        while true {
            let now = monotonic()
            if !exited, waitpid(pid, &status, WNOHANG) == pid { exited = true }
            if !timedOut, !exited, now - start >= timeout {
                timedOut = true
                kill(-pid, SIGKILL)
            }
            if (exited || timedOut) && !killed {
                // Leftover background processes would hold the pipe open: end the whole group.
                killed = true
                kill(-pid, SIGKILL)
                drainDeadline = now + 1.0
            }
            if now > drainDeadline { break }
            var p = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            let remaining = killed ? drainDeadline - now : timeout - (now - start)
            let waitMS = Int32(max(1, min(50, remaining * 1000)))
            let r = poll(&p, 1, waitMS)
            if r < 0 { if errno == EINTR { continue }; break }
            if r == 0 { continue }
            let n = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.withUnsafeBytes { collector.append(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
            } else if n == 0 {
                if exited || killed { break }
                // EOF before exit: everyone closed the pipe; wait for the exit below.
                break
            } else if errno != EINTR && errno != EAGAIN { break }
        }
        if !exited {
            if killed { while waitpid(pid, &status, 0) < 0 && errno == EINTR {} } else {
                // Output closed but the shell is still running: give it the rest of the timeout.
                while waitpid(pid, &status, WNOHANG) == 0 {
                    if monotonic() - start >= timeout { timedOut = true; kill(-pid, SIGKILL); waitpid(pid, &status, 0); break }
                    usleep(10_000)
                }
                kill(-pid, SIGKILL)
            }
        }
        let code: Int
        if (status & 0x7f) == 0 { code = Int((status >> 8) & 0xff) } else { code = 128 + Int(status & 0x7f) }
        return CommandResult(output: collector.text, exitStatus: code, timedOut: timedOut, truncated: collector.truncated,
                             totalBytes: collector.total, seconds: monotonic() - start)
    }

    static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
