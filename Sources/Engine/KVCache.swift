// The KV cache of one session: per layer and position, deepseek2's latent+rope key (576 for GLM) or llama's K and V.
#if canImport(Glibc)
import Glibc
#endif
import GGUF
import Kernels

final class KVCache {
    let layers: Int, capacity: Int
    let kWidth: Int, vWidth: Int          // numbers per token per layer (vWidth 0: values live in K, as MLA)
    /// What the keys hold: f32, IEEE f16 (deepseek2's latent cache by default: half the memory and traffic) or q8_0
    /// (half of f16 again; rows padded with zeros to whole blocks of 32); f16 and q8_0 only with vWidth 0 (values live in K).
    let type: EngineOptions.KVCacheType
    /// Bytes of one token's key row in one layer.
    let keyRowBytes: Int
    private let base: UnsafeMutableRawPointer    // keys (layers, capacity, kWidth), then values (layers, capacity, vWidth)
    private let mappedBytes: Int
    /// Whether each layer's keys (and values) past their first 2 MB asked for 2 MB pages (`MADV_HUGEPAGE`), where
    /// transparent huge pages allow: a decoded token reads every key from memory, and the attention kernel's prefetches
    /// of the next keys ran ~5 % faster through them (ENGINE-SPEED-TODO.md, session 18). The first 2 MB keep 4 KB pages,
    /// so a short conversation commits what it holds, not 2 MB a layer.
    private let hugePages: Bool
    /// One key row padded with zeros to whole q8_0 blocks (a q8_0 cache whose rows are not whole blocks).
    private let padded: UnsafeMutablePointer<Float>?

    /// Reserves the whole cache as anonymous memory: pages are only committed when a position is written.
    init(layers: Int, capacity: Int, kWidth: Int, vWidth: Int, type: EngineOptions.KVCacheType = .f32) throws {
        precondition(type == .f32 || vWidth == 0, "an \(type) cache holds keys only")
        self.layers = layers; self.capacity = capacity; self.kWidth = kWidth; self.vWidth = vWidth; self.type = type
        keyRowBytes = type.rowBytes(kWidth)
        let (kn, o1) = layers.multipliedReportingOverflow(by: capacity)
        let (kc, o2) = kn.multipliedReportingOverflow(by: kWidth + vWidth)
        guard !o1, !o2, kc < Int.max / 8 else { throw EngineError.invalidConfig("a KV cache of \(capacity) tokens is too large to address.") }
        mappedBytes = max(kn * (keyRowBytes + vWidth * 4), 4)
        let p = mmap(nil, mappedBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let p, p != MAP_FAILED else {
            throw EngineError.invalidConfig("cannot reserve \(mappedBytes / 1_000_000) MB for a KV cache of \(capacity) tokens.")
        }
        base = p
        var advised = true
        for r in KVCache.regions(layers: layers, capacity: capacity, keyRowBytes: keyRowBytes, valueRowBytes: vWidth * 4) {
            let from = KVCache.hugeFrom(start: Int(bitPattern: p) + r.start), end = Int(bitPattern: p) + r.start + r.bytes
            if from < end { advised = madvise(UnsafeMutableRawPointer(bitPattern: from), end - from, MADV_HUGEPAGE) == 0 && advised }
        }
        hugePages = advised
        let whole = (kWidth + 31) / 32 * 32
        padded = type == .q8_0 && whole != kWidth ? .allocate(capacity: whole) : nil
        padded?.initialize(repeating: 0, count: whole)
    }

    deinit { munmap(base, mappedBytes); padded?.deallocate() }

    /// Bytes the full cache takes once every position is written.
    var bytes: Int { layers * capacity * (keyRowBytes + vWidth * 4) }
    /// Bytes one token takes over all layers.
    var bytesPerToken: Int { layers * (keyRowBytes + vWidth * 4) }

    /// Start of layer `l`'s keys: (capacity, kWidth) f32 (an f32 cache).
    @inline(__always) func keys(_ l: Int) -> UnsafeMutablePointer<Float> {
        precondition(type == .f32, "the keys are \(type)")
        return base.assumingMemoryBound(to: Float.self) + l * capacity * kWidth
    }
    /// Start of layer `l`'s keys as the cache holds them: (capacity) rows of keyRowBytes.
    @inline(__always) func keyBytes(_ l: Int) -> UnsafeMutableRawPointer { base + l * capacity * keyRowBytes }
    /// Start of layer `l`'s values: (capacity, vWidth) f32.
    @inline(__always) func values(_ l: Int) -> UnsafeMutablePointer<Float> {
        (base + layers * capacity * keyRowBytes).assumingMemoryBound(to: Float.self) + l * capacity * vWidth
    }

    /// Memory the first `rows` positions of every layer commit: each layer's span in whole pages, 2 MB ones past its
    /// first 2 MB where the cache asked for them.
    func residentBytes(rows: Int) -> Int {
        guard rows > 0 else { return 0 }
        let b = Int(bitPattern: base)
        return KVCache.regions(layers: layers, capacity: capacity, keyRowBytes: keyRowBytes, valueRowBytes: vWidth * 4)
            .reduce(0) { $0 + KVCache.residentBytes(start: b + $1.start, count: rows * $1.rowBytes, huge: hugePages) }
    }

    /// (start offset, bytes, bytes a row) of each layer's keys, then each layer's values (none when valueRowBytes is 0).
    static func regions(layers: Int, capacity: Int, keyRowBytes: Int,
                        valueRowBytes: Int) -> [(start: Int, bytes: Int, rowBytes: Int)] {
        let keys = (0..<layers).map { (start: $0 * capacity * keyRowBytes, bytes: capacity * keyRowBytes, rowBytes: keyRowBytes) }
        guard valueRowBytes > 0 else { return keys }
        return keys + (0..<layers).map { (start: layers * capacity * keyRowBytes + $0 * capacity * valueRowBytes,
                                          bytes: capacity * valueRowBytes, rowBytes: valueRowBytes) }
    }

    static let smallPage = 4096, hugePage = MappedFile.hugePage

    /// The first 2 MB boundary at least 2 MB past the address `start` of a region: where its huge pages begin.
    static func hugeFrom(start: Int) -> Int { (start + 2 * hugePage - 1) / hugePage * hugePage }

    /// Bytes of the pages that `count` bytes from address `start` of a region touch: 4 KB pages before hugeFrom(start),
    /// 2 MB ones from there on when `huge`.
    static func residentBytes(start: Int, count: Int, huge: Bool) -> Int {
        guard count > 0 else { return 0 }
        func pages(_ lo: Int, _ hi: Int, _ size: Int) -> Int { hi <= lo ? 0 : (hi + size - 1) / size * size - lo / size * size }
        let end = start + count, split = huge ? min(hugeFrom(start: start), end) : end
        return pages(start, split, smallPage) + pages(split, end, hugePage)
    }

    /// An empty cache of the same shape and type (reserved, nothing committed).
    func emptyTwin() throws -> KVCache {
        try KVCache(layers: layers, capacity: capacity, kWidth: kWidth, vWidth: vWidth, type: type)
    }

    /// Copies positions 0 ..< count of every layer's keys and values from `other` (the same shape and type).
    func copyRows(from other: KVCache, count: Int) {
        precondition(other.layers == layers && other.capacity == capacity && other.keyRowBytes == keyRowBytes && other.vWidth == vWidth)
        for l in 0..<layers {
            keyBytes(l).copyMemory(from: other.keyBytes(l), byteCount: count * keyRowBytes)
            if vWidth > 0 { values(l).update(from: other.values(l), count: count * vWidth) }
        }
    }

    /// Rows j0 ..< j0 + n of layer `l`'s keys in f32: numbers 0 ..< split of each into a (n, split), the rest into
    /// b (n, kWidth − split). A q8_0 cache needs `split` on a block boundary.
    func keyRows(_ l: Int, from j0: Int, count n: Int, split: Int, _ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>) {
        let t: GGMLType = switch type { case .f32: .f32; case .f16: .f16; case .q8_0: .q8_0 }
        precondition(type != .q8_0 || split % 32 == 0, "a q8_0 row splits between blocks only")
        let rest = kWidth - split, at = type.rowBytes(split)
        let stored = type == .q8_0 ? (rest + 31) / 32 * 32 : rest   // a q8_0 row's last block padded with zeros
        withUnsafeTemporaryAllocation(of: Float.self, capacity: stored) { tail in
            for j in 0..<n {
                let row = UnsafeRawPointer(keyBytes(l)) + (j0 + j) * keyRowBytes
                Quant.dequantizeRow(t, row, a + j * split, count: split)
                Quant.dequantizeRow(t, row + at, tail.baseAddress!, count: stored)
                (b + j * rest).update(from: tail.baseAddress!, count: rest)
            }
        }
    }

    /// Stores n rows of kWidth f32 numbers from `rows` as layer `l`'s keys at positions pos0 …, converted to the cache's type.
    func storeKeys(_ l: Int, pos0: Int, _ rows: UnsafePointer<Float>, n: Int) {
        let dst = keyBytes(l) + pos0 * keyRowBytes
        switch type {
        case .f32: dst.assumingMemoryBound(to: Float.self).update(from: rows, count: n * kWidth)
        case .f16: Ops.toHalf(rows, dst.assumingMemoryBound(to: UInt16.self), count: n * kWidth)
        case .q8_0:
            guard let padded else { try! Quant.quantizeRow(.q8_0, rows, dst, count: n * kWidth); return }  // whole blocks
            for t in 0..<n {
                padded.update(from: rows + t * kWidth, count: kWidth)
                try! Quant.quantizeRow(.q8_0, padded, dst + t * keyRowBytes, count: (kWidth + 31) / 32 * 32)
            }
        }
    }
}
