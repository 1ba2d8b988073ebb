// Replaces a file's content the way a careful editor saves: a temp file in the same folder given the old
// file's mode (and owner, where allowed), flushed, renamed over the old one, the folder flushed. A crash
// leaves the old file or the new one, and the file stays what it was (its mode, owner, the link pointing at it).
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum FileReplacement {
    /// Writes `bytes` to `path` (a real path: links already resolved, so a link keeps pointing at the new file).
    /// `like` is the file being replaced: its mode and owner carry over; nil makes a new file with the usual
    /// mode (0666 less the umask). `shown` names the file in errors.
    public static func write(_ bytes: [UInt8], to path: String, like old: FileSnapshot?, shown: String) throws {
        let dir = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        func failure(_ what: String) -> ToolError { ToolError("Could not write \(shown) (\(what): \(String(cString: strerror(errno)))).") }
        let tmp = "\(dir)/.\(name).glmchat-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        // An existing file's content never sits in a file more open than 0600 before its own mode is set.
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, old == nil ? 0o666 : 0o600)
        guard fd >= 0 else { throw failure("creating a temporary file") }
        var renamed = false
        defer { if !renamed { unlink(tmp) } }
        do {
            defer { close(fd) }
            if let old {
                // Owner first: chown clears setuid and setgid bits, which the chmod then puts back.
                if old.uid != geteuid() || old.gid != getegid() { _ = fchown(fd, old.uid, old.gid) }
                guard fchmod(fd, mode_t(old.mode)) == 0 else { throw failure("setting its mode") }
            }
            var off = 0
            while off < bytes.count {
                let n = bytes.withUnsafeBytes { p in sysWrite(fd, p.baseAddress! + off, p.count - off) }
                if n < 0 { if errno == EINTR { continue }; throw failure("writing") }
                off += n
            }
            guard fsync(fd) == 0 else { throw failure("flushing to disk") }
        }
        guard rename(tmp, path) == 0 else { throw failure("renaming the temporary file over it") }
        renamed = true
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }
}
