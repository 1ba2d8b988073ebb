// Owns one private, read-only memory mapping of a file; the only place that maps files.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let size: Int
    /// Start of the mapping; valid for the lifetime of this object. Empty files map to nil.
    let base: UnsafeRawPointer?
    /// True when `base` came from mmap (else from allocate, for in-memory test files).
    private let isMapped: Bool

    public init(path: String) throws {
        self.path = path
        isMapped = true
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

    /// An in-memory copy of `bytes` standing in for a file (used by tests to parse hostile inputs quickly).
    init(copying bytes: [UInt8], name: String) {
        path = name
        size = bytes.count
        isMapped = false
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        bytes.withUnsafeBytes { if let src = $0.baseAddress { p.copyMemory(from: src, byteCount: bytes.count) } }
        base = bytes.isEmpty ? nil : UnsafeRawPointer(p)
        if bytes.isEmpty { p.deallocate() }
    }

    deinit {
        guard let base else { return }
        if isMapped { munmap(UnsafeMutableRawPointer(mutating: base), size) } else { UnsafeMutableRawPointer(mutating: base).deallocate() }
    }

    /// The whole mapping as bytes (empty for an empty file).
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : size) }

    /// Unmaps the whole pages inside bytes [offset, offset + count) from this process (they stay in the page cache;
    /// reading them again faults them back in from the file), e.g. once a copy of them is made elsewhere.
    func release(offset: Int, count: Int) {
        guard let base, isMapped, offset >= 0, count > 0, offset <= size - count else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (offset + page - 1) / page * page, end = (offset + count) / page * page
        guard end > first else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + first), end - first, MADV_DONTNEED)
    }

    /// Asks the kernel to read ahead (sequential) or not (random) for a byte range.
    public func advise(offset: Int, count: Int, willNeed: Bool) {
        guard let base, offset >= 0, count > 0, offset <= size - count else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = offset / page * page
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), count + (offset - start), willNeed ? MADV_WILLNEED : MADV_RANDOM)
    }
}
