// Owns one read-only memory mapping of a file; the only place that calls mmap/munmap.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let size: Int
    /// Start of the mapping; valid for the lifetime of this object. Empty files map to nil.
    let base: UnsafeRawPointer?

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw GGUFError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw GGUFError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw GGUFError.cannotOpen(path: path, reason: "it is not a regular file") }
        size = Int(st.st_size)
        if size == 0 { base = nil; return }
        let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else { throw GGUFError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        base = UnsafeRawPointer(p)
    }

    deinit { if let base { munmap(UnsafeMutableRawPointer(mutating: base), size) } }

    /// The whole mapping as bytes (empty for an empty file).
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : size) }

    /// Asks the kernel to read ahead (sequential) or not (random) for a byte range.
    public func advise(offset: Int, count: Int, willNeed: Bool) {
        guard let base, offset >= 0, count > 0, offset <= size - count else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = offset / page * page
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), count + (offset - start), willNeed ? MADV_WILLNEED : MADV_RANDOM)
    }
}
