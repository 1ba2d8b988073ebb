// Crash-safe file replacement: temp file in the same folder, fsync, rename (or link), fsync the folder.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A failed system call, in words: "could not rename /a to /b (No space left on device)".
public struct FileSystemError: Error, CustomStringConvertible, Equatable, Sendable {
    public let action: String
    public let code: Int32
    /// The reason in words when errno has none that fits ("not a regular file").
    public let reason: String?
    public var description: String { "could not \(action) (\(reason ?? String(cString: strerror(code))))" }
    init(_ action: String, code: Int32 = errno, reason: String? = nil) { self.action = action; self.code = code; self.reason = reason }
}

public enum AtomicFile {
    /// Replaces (or creates) `path` with `bytes` so that a crash at any moment leaves either the old file or
    /// the new one, never a mix. With `replace: false` the call fails with EEXIST if `path` exists.
    /// `sync: false` skips both fsyncs: still atomic against a killed process, not against power loss.
    /// A symbolic link at `path` is written through: its target is replaced and the link stays.
    public static func write(_ bytes: [UInt8], to path: String, replace: Bool = true, sync: Bool = true) throws(FileSystemError) {
        let path = replace ? linkTarget(path) ?? path : path
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let tmp = "\(dir)/.\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileSystemError("create \(tmp)") }
        var ok = false
        defer { if !ok { unlink(tmp) } }
        do {
            defer { close(fd) }
            try writeAll(fd, bytes, path: tmp)
            guard !sync || fsync(fd) == 0 else { throw FileSystemError("flush \(tmp) to disk") }
        }
        if replace {
            guard rename(tmp, path) == 0 else { throw FileSystemError("rename \(tmp) to \(path)") }
        } else {
            guard link(tmp, path) == 0 else { throw FileSystemError("create \(path)") }
            unlink(tmp)
        }
        ok = true
        if sync { try syncDirectory(dir) }
    }

    /// The real path a symbolic link at `path` leads to (nil: not a link, or a link to nothing).
    static func linkTarget(_ path: String) -> String? {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK, let real = realpath(path, nil) else { return nil }
        defer { free(real) }
        return String(cString: real)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(FileSystemError) {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { p in p.baseAddress.map { sysWrite(fd, $0 + off, p.count - off) } ?? 0 }
            if n < 0 { if errno == EINTR { continue }; throw FileSystemError("write \(path)") }
            off += n
        }
    }

    /// Makes a rename or unlink in `dir` durable.
    static func syncDirectory(_ dir: String) throws(FileSystemError) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError("open folder \(dir)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileSystemError("flush folder \(dir) to disk") }
    }

    /// Moves `from` to `to` only if `to` does not exist (link + unlink), durably in both folders.
    static func move(_ from: String, to: String) throws(FileSystemError) {
        guard link(from, to) == 0 else { throw FileSystemError("move \(from) to \(to)") }
        guard unlink(from) == 0 else { throw FileSystemError("remove \(from)") }
        let a = URL(fileURLWithPath: from).deletingLastPathComponent().path, b = URL(fileURLWithPath: to).deletingLastPathComponent().path
        try syncDirectory(b)
        if a != b { try syncDirectory(a) }
    }

    /// Reads a whole regular file (refusing more than `limit` bytes); the error names the reason (permission, a
    /// folder…). A FIFO, device or socket is refused, never read: opening is non-blocking so a FIFO cannot hang it.
    public static func read(_ path: String, limit: Int = 1 << 30) throws(FileSystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw FileSystemError("open \(path)") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileSystemError("inspect \(path)") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw FileSystemError("read \(path)", code: EISDIR) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw FileSystemError("read \(path)", code: EINVAL, reason: notRegular) }
        if Int(st.st_size) > limit { throw FileSystemError("read \(path), which is larger than \(limit >> 20) MiB", code: EFBIG) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { p in p.baseAddress.map { sysRead(fd, $0, p.count) } ?? 0 }
            if n < 0 { if errno == EINTR { continue }; throw FileSystemError("read \(path)") }
            if n == 0 { return out }
            out.append(contentsOf: buf[0..<n])
            if out.count > limit { throw FileSystemError("read \(path), which is larger than \(limit >> 20) MiB", code: EFBIG) }
        }
    }

    /// Why a FIFO, device or socket is not read as a file.
    public static let notRegular = "not a regular file"

    /// Creates `dir` and its parents with mode 0700 (conversations are private).
    public static func makeDirectory(_ dir: String) throws(FileSystemError) {
        var st = stat()
        if stat(dir, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR { return }
            throw FileSystemError("use \(dir) as a folder", code: ENOTDIR)
        }
        let parent = URL(fileURLWithPath: dir).deletingLastPathComponent().path
        if parent != dir && !parent.isEmpty { try makeDirectory(parent) }
        guard mkdir(dir, 0o700) == 0 || errno == EEXIST else { throw FileSystemError("create folder \(dir)") }
    }
}

#if canImport(Glibc)
private func sysRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { Glibc.read(fd, p, n) }
private func sysWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Glibc.write(fd, p, n) }
#else
private func sysRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { Darwin.read(fd, p, n) }
private func sysWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Darwin.write(fd, p, n) }
#endif
