// The per-session writer lock: flock on a hidden ".ID.lock" file next to the session, holding the owner's pid.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

final class SessionLock: @unchecked Sendable {
    enum Failure: Error { case held(pid: Int?), fileSystem(FileSystemError) }

    private var fd: Int32
    let path: String

    private init(fd: Int32, path: String) { self.fd = fd; self.path = path }

    /// Takes the lock without waiting. The lock goes away with the process (also on kill -9).
    static func acquire(_ path: String) throws(Failure) -> SessionLock {
        for _ in 0..<16 {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw .fileSystem(FileSystemError("open the lock file \(path)")) }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let e = errno
                let pid = holderPID(fd)
                close(fd)
                if e == EWOULDBLOCK || e == EAGAIN { throw .held(pid: pid) }
                throw .fileSystem(FileSystemError("lock \(path)", code: e))
            }
            // The previous holder may have removed the file between our open and flock: then we hold a lock
            // on a file nobody else will find, so start again on the file now at `path`.
            var a = stat(), b = stat()
            if fstat(fd, &a) == 0, stat(path, &b) == 0, a.st_ino == b.st_ino, a.st_dev == b.st_dev {
                let text = Array("\(getpid())\n".utf8)
                if ftruncate(fd, 0) == 0 { _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } }
                return SessionLock(fd: fd, path: path)
            }
            close(fd)
        }
        throw .fileSystem(FileSystemError("lock \(path)", code: EAGAIN))
    }

    /// The pid in the lock file at `path` when that is another process that is alive (a listing's hint; it never
    /// touches the lock itself, so it cannot get in the way of a glmchat taking it). Nil when there is none.
    static func otherHolder(_ path: String) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)      // a FIFO in its place must not hang a listing
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard let pid = holderPID(fd), pid > 0, pid <= Int(Int32.max), pid != Int(getpid()) else { return nil }
        return kill(pid_t(pid), 0) == 0 || errno == EPERM ? pid : nil
    }

    private static func holderPID(_ fd: Int32) -> Int? {
        var buf = [UInt8](repeating: 0, count: 32)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return Int(String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Removes the lock file (while still holding it) and releases the lock.
    func release() {
        guard fd >= 0 else { return }
        unlink(path)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
