// Per-thread grow-only scratch for work split over the pool (e.g. one attention block's scores).
import CKernels

/// Grow-only scratch of at least `count` floats owned by the calling thread (shared with this thread's activation
/// quantization in `matmul`: valid until the thread calls either again).
public func threadScratchFloats(_ count: Int) -> UnsafeMutablePointer<Float> {
    guard let p = ck_thread_scratch(max(count, 1) * MemoryLayout<Float>.stride) else {
        preconditionFailure("could not allocate \(count) floats of thread scratch")
    }
    return p.assumingMemoryBound(to: Float.self)
}
