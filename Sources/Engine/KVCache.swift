// The KV cache of one session: per layer and position, deepseek2's latent+rope key (576 for GLM) or llama's K and V.
#if canImport(Glibc)
import Glibc
#endif

final class KVCache {
    let layers: Int, capacity: Int
    let kWidth: Int, vWidth: Int          // numbers per token per layer (vWidth 0: values live in K, as MLA)
    /// Keys held as IEEE f16 (deepseek2's latent cache by default: half the memory and traffic; only with vWidth 0).
    let half: Bool
    private let base: UnsafeMutableRawPointer    // keys (layers, capacity, kWidth), then values (layers, capacity, vWidth)
    private let mappedBytes: Int

    /// Reserves the whole cache as anonymous memory: pages are only committed when a position is written.
    init(layers: Int, capacity: Int, kWidth: Int, vWidth: Int, half: Bool = false) throws {
        precondition(!half || vWidth == 0, "an f16 cache holds keys only")
        self.layers = layers; self.capacity = capacity; self.kWidth = kWidth; self.vWidth = vWidth; self.half = half
        let (kn, o1) = layers.multipliedReportingOverflow(by: capacity)
        let (kc, o2) = kn.multipliedReportingOverflow(by: kWidth + vWidth)
        guard !o1, !o2, kc < Int.max / 8 else { throw EngineError.invalidConfig("a KV cache of \(capacity) tokens is too large to address.") }
        mappedBytes = max(kc * (half ? 2 : 4), 4)
        let p = mmap(nil, mappedBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let p, p != MAP_FAILED else {
            throw EngineError.invalidConfig("cannot reserve \(mappedBytes / 1_000_000) MB for a KV cache of \(capacity) tokens.")
        }
        base = p
    }

    deinit { munmap(base, mappedBytes) }

    /// Bytes the full cache takes once every position is written.
    var bytes: Int { layers * capacity * (kWidth + vWidth) * (half ? 2 : 4) }

    /// Start of layer `l`'s keys: (capacity, kWidth) f32 (not for an f16 cache).
    @inline(__always) func keys(_ l: Int) -> UnsafeMutablePointer<Float> {
        precondition(!half, "the keys are f16")
        return base.assumingMemoryBound(to: Float.self) + l * capacity * kWidth
    }
    /// Start of layer `l`'s keys as IEEE f16: (capacity, kWidth) (an f16 cache).
    @inline(__always) func halfKeys(_ l: Int) -> UnsafeMutablePointer<UInt16> {
        precondition(half, "the keys are f32")
        return base.assumingMemoryBound(to: UInt16.self) + l * capacity * kWidth
    }
    /// Start of layer `l`'s values: (capacity, vWidth).
    @inline(__always) func values(_ l: Int) -> UnsafeMutablePointer<Float> {
        base.assumingMemoryBound(to: Float.self) + (vWidth > 0 ? layers * capacity * kWidth : 0) + l * capacity * vWidth
    }
}
