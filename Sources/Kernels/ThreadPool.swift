// Persistent worker pool (C threads that spin, then park): no thread creation per op.
import CKernels

public final class ThreadPool: @unchecked Sendable {
    let raw: OpaquePointer?  // ck_pool*; nil only if creation failed (then everything runs on the caller)

    public init(threads: Int) { raw = ck_pool_create(Int32(max(1, min(threads, 512)))) }
    deinit { ck_pool_destroy(raw) }

    public var threadCount: Int { Int(ck_pool_threads(raw)) }

    /// Calls `fn(&context, begin, end)` with disjoint chunks covering 0..<n, on all threads, and returns when all
    /// are done; nothing is allocated. `fn` is a C function pointer (a closure that captures nothing): what it
    /// needs travels in `context`. Nested calls from inside fn run serially on the calling thread.
    public func run<Context>(_ n: Int, _ context: inout Context, _ fn: @convention(c) (UnsafeMutableRawPointer?, Int64, Int64) -> Void) {
        guard n > 0 else { return }
        withUnsafeMutablePointer(to: &context) { ck_pool_run(raw, Int64(n), fn, UnsafeMutableRawPointer($0)) }
    }

    /// As `run`, with a closure: simpler to call, but carrying the closure through C allocates a little, so the
    /// token loop uses `run`.
    public func parallelFor(_ n: Int, _ body: (Range<Int>) -> Void) {
        withoutActuallyEscaping(body) { escaping in
            var task = Task(body: escaping)
            run(n, &task) { ctx, b, e in ctx!.assumingMemoryBound(to: Task.self).pointee.body(Int(b)..<Int(e)) }
        }
    }

    private struct Task { let body: (Range<Int>) -> Void }
}
