// A file the tools read: its bytes with the mode and owner it had, taken only from a regular file (a FIFO,
// device or socket is refused before it is opened, so no read can hang on one) and never beyond a size limit.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct FileSnapshot: Sendable, Equatable {
    public var bytes: [UInt8]
    /// Permission bits (with setuid, setgid and sticky), as `chmod` takes them.
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32

    public init(bytes: [UInt8], mode: UInt32, uid: UInt32 = getuid(), gid: UInt32 = getgid()) {
        self.bytes = bytes; self.mode = mode; self.uid = uid; self.gid = gid
    }

    /// The file at `path` (followed if it is a link), nil when nothing is there. `shown` names it in errors;
    /// more than `limit` bytes is refused with `tooLarge(size)` as the sentence.
    public static func read(_ path: String, shown: String, limit: Int,
                            tooLarge: (Int) -> String = { "is too large (\($0) bytes) to read as text" }) throws -> FileSnapshot? {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT { return nil }
            throw ToolError("\(shown) cannot be read (\(String(cString: strerror(errno)))).")
        }
        try requireRegular(st, shown: shown)
        guard Int(st.st_size) <= limit else { throw ToolError("\(shown) \(tooLarge(Int(st.st_size))).") }
        // Non-blocking open: if a FIFO was put there after the stat, opening it cannot wait for a writer.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw ToolError("\(shown) cannot be read (\(String(cString: strerror(errno)))).") }
        defer { close(fd) }
        guard fstat(fd, &st) == 0 else { throw ToolError("\(shown) cannot be read (\(String(cString: strerror(errno)))).") }
        try requireRegular(st, shown: shown)
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size) + 1)
        var count = 0
        while true {
            // One byte more than expected tells a file that grew since the stat.
            if count == bytes.count { bytes += [UInt8](repeating: 0, count: max(4096, bytes.count)) }
            let n = bytes.withUnsafeMutableBytes { sysRead(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 { if errno == EINTR { continue }; throw ToolError("\(shown) cannot be read (\(String(cString: strerror(errno)))).") }
            if n == 0 { break }
            count += n
            guard count <= limit else { throw ToolError("\(shown) \(tooLarge(count)).") }
        }
        bytes.removeSubrange(count...)
        return FileSnapshot(bytes: bytes, mode: UInt32(st.st_mode) & 0o7777, uid: UInt32(st.st_uid), gid: UInt32(st.st_gid))
    }

    /// Only regular files are read or written: a FIFO could block forever, a device or socket is not text.
    static func requireRegular(_ st: stat, shown: String) throws {
        let kind: String
        switch st.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw ToolError("\(shown) is a folder, not a file.")
        case S_IFIFO: kind = "a FIFO (named pipe)"
        case S_IFCHR, S_IFBLK: kind = "a device"
        case S_IFSOCK: kind = "a socket"
        default: kind = "not a regular file"
        }
        throw ToolError("\(shown) is \(kind), not a regular file; the tools do not read or write it.")
    }

    /// The bytes as text when they are valid UTF-8 (checked strictly: nothing would be replaced by U+FFFD).
    public var strictText: String? {
        let s = String(decoding: bytes, as: UTF8.self)
        return s.utf8.elementsEqual(bytes) ? s : nil
    }
}
