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
    /// Bytes of an x86-64 transparent huge page: what the weights' and the KV cache's mappings align to and advise.
    public static let hugePage = 2 << 20
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    public init(path: String) throws {
        self.path = path
        isMapped = true
        // Non-blocking: a FIFO named by mistake is refused below instead of waiting for a writer.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw GGUFError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw GGUFError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw GGUFError.cannotOpen(path: path, reason: "it is not a regular file") }
        size = Int(st.st_size)
        if size == 0 { base = nil; return }
        base = UnsafeRawPointer(try Self.mapHuge(fd: fd, size: size, path: path))
    }

    /// Maps the file at a 2 MB-aligned address and asks for transparent huge pages: where the file system keeps the
    /// file's page cache in 2 MB folios (xfs, and ext4 on recent kernels, when the file is read in through such a
    /// mapping) each 2 MB of weights then costs one TLB entry instead of 512, which streams ~5 % faster in decode.
    private static func mapHuge(fd: Int32, size: Int, path: String) throws -> UnsafeMutableRawPointer {
        let huge = hugePage
        // reserve room for an aligned start, map the file over it, give back the unused ends
        guard let r = mmap(nil, size + huge, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), r != MAP_FAILED else {
            throw GGUFError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        let start = (Int(bitPattern: r) + huge - 1) & ~(huge - 1), head = start - Int(bitPattern: r)
        guard let p = mmap(UnsafeMutableRawPointer(bitPattern: start), size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0), p != MAP_FAILED else {
            let reason = String(cString: strerror(errno))
            munmap(r, size + huge)
            throw GGUFError.cannotOpen(path: path, reason: reason)
        }
        if head > 0 { munmap(r, head) }
        let tail = (size + pageSize - 1) / pageSize * pageSize  // the mapping's own pages end here
        if huge - head > tail - size { munmap(p + tail, huge - head - (tail - size)) }
        _ = madvise(p, size, MADV_HUGEPAGE)  // ignored where transparent huge pages are off
        return p
    }

    /// An in-memory copy of `bytes` standing in for a file (tests and the fuzz targets parse hostile inputs this way).
    public init(copying bytes: [UInt8], name: String) {
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
        let page = Self.pageSize
        let first = (offset + page - 1) / page * page, end = (offset + count) / page * page
        guard end > first else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + first), end - first, MADV_DONTNEED)
    }

    /// Where the page cache holds this file in 4 KB pages (it was just written, e.g. downloaded or quantized) while the
    /// file system can hold it in 2 MB folios, drops the file's cached pages so that reading them through this mapping
    /// brings them back in 2 MB folios, mapped one TLB entry per 2 MB (decode streams the weights ~5 % faster). Costs one
    /// re-read of the file from disk, once: later loads find it cached in 2 MB folios. Tried on one 2 MB sample first,
    /// so a file system without large folios is left alone; so are pages other processes map, and a file written
    /// moments ago (its dirty pages cannot be dropped before they reach the disk: a later load does it).
    /// Returns true if the cached pages were dropped.
    @discardableResult
    public func preferHugePages() -> Bool {
        let huge = Self.hugePage
        guard let base, isMapped, size >= 8 * huge else { return false }
        let m = UnsafeMutableRawPointer(mutating: base)
        var residency = [UInt8](repeating: 0, count: huge / Self.pageSize)
        // up to 16 aligned 2 MB samples spread over the file, those wholly in the page cache mapped afresh: the
        // growth of FilePmdMapped is the part of them cached in 2 MB folios
        var resident: [Int] = []
        for i in 1...16 {
            let offset = size / 17 * i / huge * huge
            guard offset + huge <= size, resident.last != offset, mincore(m + offset, huge, &residency) == 0,
                  residency.allSatisfy({ $0 & 1 == 1 }) else { continue }
            _ = madvise(m + offset, huge, MADV_DONTNEED)
            resident.append(offset)
        }
        guard let sample = resident.first, let before = pmdMappedBytes() else { return false }
        for offset in resident where !populate(offset) { return false }
        guard let mapped = pmdMappedBytes(), mapped - before < resident.count * huge / 2 else { return false }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        // the trial: one sample dropped and read back
        _ = madvise(m + sample, huge, MADV_DONTNEED)
        _ = posix_fadvise(fd, off_t(sample), off_t(huge), POSIX_FADV_DONTNEED)
        guard populate(sample), let after = pmdMappedBytes(), after >= mapped + huge else { return false }
        _ = madvise(m, size, MADV_DONTNEED)
        _ = posix_fadvise(fd, 0, off_t(size), POSIX_FADV_DONTNEED)
        return true
    }

    /// Faults in the 2 MB at `offset` as a read would (MADV_POPULATE_READ, Linux 5.14+).
    private func populate(_ offset: Int) -> Bool {
        guard let base else { return false }
        return madvise(UnsafeMutableRawPointer(mutating: base + offset), Self.hugePage, 22) == 0
    }

    /// Bytes of this mapping the kernel maps in 2 MB page-cache folios (FilePmdMapped in /proc/self/smaps), or nil
    /// if that is not known here.
    private func pmdMappedBytes() -> Int? {
        guard let base, let smaps = Self.readProcFile("/proc/self/smaps") else { return nil }
        let start = String(UInt(bitPattern: base), radix: 16) + "-"
        var inside = false
        for line in smaps.split(separator: "\n") {
            let range = line.prefix { $0 != " " }
            if range.contains("-"), range.allSatisfy({ $0 == "-" || $0.isHexDigit }) {  // a mapping's header: "start-end perms …"
                if inside { return nil }
                inside = line.hasPrefix(start)
            } else if inside, line.hasPrefix("FilePmdMapped:") {
                return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
            }
        }
        return nil
    }

    /// The whole text of a /proc file (their size reads as 0, so read to the end).
    private static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { return nil }
            if n == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes += chunk[..<n]
        }
    }
}
