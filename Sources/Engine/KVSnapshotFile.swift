// An open KV snapshot file: owns the file descriptor; positioned reads and writes, sync, atomic replacement.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

final class KVSnapshotFile {
    let path: String
    private let fd: Int32

    private init(path: String, fd: Int32) { self.path = path; self.fd = fd }

    deinit { close(fd) }

    static func openForReading(_ path: String) throws -> KVSnapshotFile {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.failure("open \(path)") }
        return KVSnapshotFile(path: path, fd: fd)
    }

    /// Nil when there is no file at `path` (any other failure throws).
    static func openForUpdate(_ path: String) throws -> KVSnapshotFile? {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Self.failure("open \(path)")
        }
        return KVSnapshotFile(path: path, fd: fd)
    }

    /// A new file next to `path` (".NAME.PID.RANDOM.tmp") that `replace(_:sync:)` later renames over it.
    static func createTemporary(beside path: String) throws -> KVSnapshotFile {
        let url = URL(fileURLWithPath: path)
        let tmp = url.deletingLastPathComponent().path + "/.\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.failure("create \(tmp)") }
        return KVSnapshotFile(path: tmp, fd: fd)
    }

    private static func failure(_ action: String) -> KVSnapshotError {
        .io(action: action, reason: String(cString: strerror(errno)))
    }

    var size: Int {
        get throws {
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw Self.failure("read the size of \(path)") }
            return Int(st.st_size)
        }
    }

    /// Fills `buffer` from `offset`; false when the file ends first.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Bool {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 { if errno == EINTR { continue }; throw Self.failure("read \(path)") }
            if n == 0 { return false }
            done += n
        }
        return true
    }

    /// `count` bytes from `offset`, nil when the file ends first.
    func read(_ count: Int, at offset: Int) throws -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        let whole = try out.withUnsafeMutableBytes { b in b.isEmpty ? true : try read(into: b, at: offset) }
        return whole ? out : nil
    }

    /// XXH64 of `count` bytes from `offset`, read in 1 MB pieces; nil when the file ends first.
    func hash(_ count: Int, at offset: Int) throws -> UInt64? {
        let piece = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(max(count, 1), piece), alignment: 64)
        defer { buffer.deallocate() }
        var h = XXHash64(), done = 0
        while done < count {
            let n = min(piece, count - done)
            let part = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n])
            guard try read(into: part, at: offset + done) else { return nil }
            h.update(UnsafeRawBufferPointer(part))
            done += n
        }
        return h.digest()
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 { if errno == EINTR { continue }; throw Self.failure("write \(path)") }
            done += n
        }
    }

    func write(_ bytes: [UInt8], at offset: Int) throws {
        try bytes.withUnsafeBytes { try write($0, at: offset) }
    }

    func truncate(to size: Int) throws {
        guard ftruncate(fd, off_t(size)) == 0 else { throw Self.failure("truncate \(path)") }
    }

    /// fsync: everything written so far is on disk before anything written after.
    func sync() throws {
        guard fsync(fd) == 0 else { throw Self.failure("flush \(path) to disk") }
    }

    /// Renames this (temporary) file over `target` and, with `sync`, makes the rename durable.
    func replace(_ target: String, sync: Bool) throws {
        guard rename(path, target) == 0 else { throw Self.failure("rename \(path) to \(target)") }
        guard sync else { return }
        let dir = URL(fileURLWithPath: target).deletingLastPathComponent().path
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw Self.failure("open folder \(dir)") }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw Self.failure("flush folder \(dir) to disk") }
    }

    /// Removes this file (a temporary one whose write failed).
    func remove() { unlink(path) }
}
