// Every process a tool command started, found in /proc so that stopping it leaves nothing behind: the shell,
// its descendants by parent links (while the shell is alive or a zombie, its children still point at it), and
// any process of ours whose environment holds the command's marker (what escapes a parent link and the
// process group: a daemon that forked and called setsid). Linux only; elsewhere the process group is all.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ProcessTree {
    /// The shell's pid, also its process group id.
    let leader: pid_t
    /// "NAME=VALUE" put in the command's environment, unique to this run.
    let marker: String

    /// The pids of the tree (zombies included), never glmchat itself.
    func members() -> [(pid: pid_t, zombie: Bool)] {
        #if os(Linux)
        let me = getpid(), uid = getuid()
        var parent: [pid_t: pid_t] = [:], zombie: [pid_t: Bool] = [:]
        var found: Set<pid_t> = [leader]
        let markerBytes = Array(marker.utf8)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(name), pid != me else { continue }
            var st = stat()
            guard stat("/proc/\(name)", &st) == 0, st.st_uid == uid else { continue }
            guard let info = Self.status(of: pid) else { continue }
            parent[pid] = info.ppid
            zombie[pid] = info.state == .zombie
            if let env = Self.contents("/proc/\(name)/environ"),
               env.split(separator: 0).contains(where: { $0.elementsEqual(markerBytes) }) { found.insert(pid) }
        }
        // Children of anything found, until nothing new turns up.
        var grew = true
        while grew {
            grew = false
            for (pid, ppid) in parent where !found.contains(pid) && found.contains(ppid) { found.insert(pid); grew = true }
        }
        return found.filter { parent[$0] != nil }.map { ($0, zombie[$0] ?? false) }
        #else
        return [(leader, false)]
        #endif
    }

    /// Whether any process of the tree is still running (zombies are finished).
    var anyAlive: Bool { members().contains { !$0.zombie } }

    /// Sends `signal` to the process group and to every member, again for members that appear meanwhile
    /// (a fork racing the walk), a few rounds at most. A stopped process is continued so that SIGTERM lands.
    func signalAll(_ signal: Int32) {
        kill(-leader, signal)
        var sent: Set<pid_t> = []
        for _ in 0..<5 {
            let fresh = members().filter { !$0.zombie && !sent.contains($0.pid) }
            if fresh.isEmpty { return }
            for m in fresh {
                kill(m.pid, signal)
                if signal != SIGKILL { kill(m.pid, SIGCONT) }
                sent.insert(m.pid)
            }
        }
    }

    enum State { case running, zombie }

    /// A process's state and parent from /proc/PID/stat ("pid (comm) state ppid ..."; comm may hold spaces and
    /// parentheses), nil when /proc does not have it. A zombie has ended but was not reaped yet.
    static func status(of pid: pid_t) -> (state: State, ppid: pid_t)? {
        guard let s = contents("/proc/\(pid)/stat"), let close = s.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = s[(close + 1)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let ppid = pid_t(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        let ended = fields[0].first == UInt8(ascii: "Z") || fields[0].first == UInt8(ascii: "X")
        return (ended ? .zombie : .running, ppid)
    }

    /// A /proc file's bytes (its size is not known ahead: read to the end).
    static func contents(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = [], buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { sysRead(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return n < 0 && out.isEmpty ? nil : out }
            out += buf[..<n]
        }
    }
}
