// Anonymous memory for weights rewritten at load, in 2 MB pages where the kernel allows: the only place that maps
// anonymous memory.
import CKernels
import GGUF
#if canImport(Glibc)
import Glibc
#endif

/// A bump allocator over one anonymous mapping asked for transparent huge pages (MADV_HUGEPAGE). Streaming reads
/// of weights in 4 KB anonymous pages run ~15 % slower on Zen 2 than from 2 MB pages or from the page cache
/// (measured with Tools/bench/kbench.sh: 13.4–13.9 vs 16.4–16.6 GB/s), so repacked weights live here instead of in
/// copy-on-write pages of the file mapping. Pages are only backed once written; freed with the arena.
public final class WeightArena: @unchecked Sendable {
    private static let hugePage = MappedFile.hugePage
    private let base: UnsafeMutableRawPointer
    private let mapped: Int
    /// Bytes it hands out at most (the mapping is rounded up to whole 2 MB pages).
    public let capacity: Int
    public private(set) var used = 0

    /// Reserves `capacity` bytes (mapped in whole 2 MB pages); nil when the mapping fails.
    public init?(capacity: Int) {
        let size = (max(capacity, 1) + Self.hugePage - 1) / Self.hugePage * Self.hugePage
        guard let p = mmap(nil, size + Self.hugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              p != MAP_FAILED else { return nil }
        // keep the 2 MB-aligned part (huge pages need aligned virtual addresses), return the rest
        let start = (Int(bitPattern: p) + Self.hugePage - 1) / Self.hugePage * Self.hugePage
        let head = start - Int(bitPattern: p), tail = Self.hugePage - head
        if head > 0 { munmap(p, head) }
        if tail > 0 { munmap(UnsafeMutableRawPointer(bitPattern: start + size), tail) }
        base = UnsafeMutableRawPointer(bitPattern: start)!
        mapped = size
        self.capacity = max(capacity, 0)
        _ = madvise(base, size, MADV_HUGEPAGE)  // ignored where transparent huge pages are off
    }

    deinit { munmap(base, mapped) }

    /// `count` bytes, 64-byte aligned, valid while the arena lives; nil when the arena is full.
    public func allocate(_ count: Int) -> UnsafeMutableRawPointer? {
        let start = (used + 63) & ~63
        guard count >= 0, start + count <= capacity else { return nil }
        used = start + count
        return base + start
    }
}
