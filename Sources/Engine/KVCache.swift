// The KV cache of one session: per layer and position, deepseek2's latent+rope key (576 for GLM) or llama's K and V.
#if canImport(Glibc)
import Glibc
#endif

final class KVCache {
    let layers: Int, capacity: Int
    let kWidth: Int, vWidth: Int          // numbers per token per layer (vWidth 0: values live in K, as MLA)
    private let k: UnsafeMutablePointer<Float>    // (layers, capacity, kWidth)
    private let v: UnsafeMutablePointer<Float>?   // (layers, capacity, vWidth)
    private let mappedBytes: Int

    /// Reserves the whole cache as anonymous memory: pages are only committed when a position is written.
    init(layers: Int, capacity: Int, kWidth: Int, vWidth: Int) throws {
        self.layers = layers; self.capacity = capacity; self.kWidth = kWidth; self.vWidth = vWidth
        let (kn, o1) = layers.multipliedReportingOverflow(by: capacity)
        let (kc, o2) = kn.multipliedReportingOverflow(by: kWidth + vWidth)
        guard !o1, !o2, kc < Int.max / 8 else { throw EngineError.invalidConfig("a KV cache of \(capacity) tokens is too large to address.") }
        mappedBytes = max(kc * 4, 4)
        let p = mmap(nil, mappedBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let p, p != MAP_FAILED else {
            throw EngineError.invalidConfig("cannot reserve \(mappedBytes / 1_000_000) MB for a KV cache of \(capacity) tokens.")
        }
        let f = p.bindMemory(to: Float.self, capacity: kc)
        k = f
        v = vWidth > 0 ? f + layers * capacity * kWidth : nil
    }

    deinit { munmap(UnsafeMutableRawPointer(k), mappedBytes) }

    /// Bytes the full cache takes once every position is written.
    var bytes: Int { layers * capacity * (kWidth + vWidth) * 4 }

    /// Start of layer `l`'s keys: (capacity, kWidth).
    @inline(__always) func keys(_ l: Int) -> UnsafeMutablePointer<Float> { k + l * capacity * kWidth }
    /// Start of layer `l`'s values: (capacity, vWidth).
    @inline(__always) func values(_ l: Int) -> UnsafeMutablePointer<Float> { (v ?? k) + l * capacity * vWidth }
}
