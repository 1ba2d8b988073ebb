// Persistent worker pool (C threads that spin, then park): no thread creation per op.
import CKernels

public final class ThreadPool: @unchecked Sendable {
    let raw: OpaquePointer?  // ck_pool*; nil only if creation failed (then everything runs on the caller)

    public init(threads: Int) { raw = ck_pool_create(Int32(max(1, min(threads, 512)))) }
    deinit { ck_pool_destroy(raw) }

    public var threadCount: Int { Int(ck_pool_threads(raw)) }

    /// Calls body with disjoint chunks covering 0..<n, on all threads, and returns when all are done.
    /// Nested calls from inside body run serially on the calling thread.
    public func parallelFor(_ n: Int, _ body: (Range<Int>) -> Void) {
        guard n > 0 else { return }
        withoutActuallyEscaping(body) { escaping in
            var box = escaping
            withUnsafeMutablePointer(to: &box) { ptr in
                ck_pool_run(raw, Int64(n), { ctx, b, e in
                    let f = ctx!.assumingMemoryBound(to: ((Range<Int>) -> Void).self).pointee
                    f(Int(b)..<Int(e))
                }, UnsafeMutableRawPointer(ptr))
            }
        }
    }
}
