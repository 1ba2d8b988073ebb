// Runs a shell command in its own process group with stdin from /dev/null, the environment it is given,
// a timeout, its output passed on live and kept capped in memory (head + tail). It can be stopped: SIGTERM,
// then SIGKILL after a grace period. However it ends (exit, timeout, stop), whatever it left running is
// killed, including processes that left its group (ProcessTree finds them by the marker in their environment).
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
    /// The command was stopped through its StopFlag.
    public var stopped: Bool
    public var truncated: Bool
    public var totalBytes: Int
    public var seconds: Double
}

public enum CommandRunner {
    /// The variable that marks every process of one run, with a value unique to the run.
    public static let markerVariable = "GLMCHAT_TOOL_RUN"
    /// Seconds between SIGTERM and SIGKILL when a command is stopped.
    public static let stopGraceSeconds = 2.0

    /// Runs `/bin/sh -c command` in `directory` with `environment` (NAME=VALUE, the marker added). Blocks the
    /// calling thread until the command ends, `timeout` seconds pass or `stop` is set; `output` gets the text
    /// as it arrives (whole characters, on this thread).
    public static func run(_ command: String, in directory: String, timeout: Double, outputLimit: Int,
                           environment: [String] = CommandEnvironment().variables(), stop: StopFlag = StopFlag(),
                           output: (String) -> Void = { _ in }) throws -> CommandResult {
        let start = monotonic()
        guard let (readFD, writeFD) = closeOnExecPipe() else { throw ToolError("Could not create a pipe for the command (errno \(errno)).") }
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
        addCloseFrom(&actions, 3)
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
        let marker = "\(markerVariable)=\(UInt64.random(in: 1...UInt64.max))"
        let env = environment.filter { !$0.hasPrefix(markerVariable + "=") } + [marker]
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        var cenv: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { for p in cargs + cenv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attrs, &cargs, &cenv)
        close(writeFD)
        guard rc == 0 else { throw ToolError("Could not start /bin/sh (error \(rc)).") }

        let tree = ProcessTree(leader: pid, marker: marker)
        var collector = HeadTailCollector(limit: outputLimit)
        var text = UTF8Chunks()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var exited = false, eof = false, idle = 0
        var reaped: Int32? = nil         // the status, when /proc could not say the shell ended and waitpid did
        var ending: Ending? = nil
        var killAt = Double.infinity     // when a stopped command gets SIGKILL
        var drainUntil = Double.infinity // how long output is still read once everything was killed
        while true {
            let now = monotonic()
            if !exited {
                // Read from /proc without reaping: until the shell is reaped its children still name it as
                // their parent, which is how ProcessTree finds them. Without /proc, waitpid says it.
                if let st = ProcessTree.status(of: pid) { exited = st.state == .zombie } else {
                    var st: Int32 = 0
                    if waitpid(pid, &st, WNOHANG) == pid { exited = true; reaped = st }
                }
            }
            if ending == nil {
                if stop.isStopped {
                    ending = .stopped
                    tree.signalAll(SIGTERM)
                    killAt = now + stopGraceSeconds
                } else if exited || now - start >= timeout {
                    // Leftover background processes would hold the pipe open and linger: end them all.
                    ending = exited ? .exited : .timedOut
                    tree.signalAll(SIGKILL)
                    drainUntil = now + 1
                }
            } else if ending == .stopped, drainUntil == .infinity, now >= killAt || (exited && !tree.anyAlive) {
                tree.signalAll(SIGKILL)
                drainUntil = now + 1
            }
            if exited && drainUntil < .infinity && (eof || now >= drainUntil) { break }

            if eof {
                // The exit usually follows the end of output at once: look again soon, then less often.
                idle += 1
                usleep(idle < 25 ? 2_000 : 50_000)
                continue
            }
            var p = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            let r = poll(&p, 1, 50)
            if r < 0 { if errno == EINTR { continue }; eof = true; continue }
            if r == 0 { continue }
            let n = buffer.withUnsafeMutableBytes { sysRead(readFD, $0.baseAddress!, $0.count) }
            if n > 0 {
                buffer.withUnsafeBytes { chunk in
                    let bytes = UnsafeRawBufferPointer(rebasing: chunk[..<n])
                    collector.append(bytes)
                    let t = text.take(bytes)
                    if !t.isEmpty { output(t) }
                }
            } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                // Everyone closed the pipe (or it failed); the exit, timeout or stop is still watched.
                eof = true
            }
        }
        let rest = text.finish()
        if !rest.isEmpty { output(rest) }
        var status: Int32 = reaped ?? 0
        if reaped == nil { while waitpid(pid, &status, 0) < 0 && errno == EINTR {} }
        let code: Int
        if (status & 0x7f) == 0 { code = Int((status >> 8) & 0xff) } else { code = 128 + Int(status & 0x7f) }
        return CommandResult(output: collector.text, exitStatus: code, timedOut: ending == .timedOut, stopped: ending == .stopped,
                             truncated: collector.truncated, totalBytes: collector.total, seconds: monotonic() - start)
    }

    private enum Ending { case exited, timedOut, stopped }

    static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
