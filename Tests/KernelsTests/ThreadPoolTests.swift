// The pool under contention: more threads than cores, so workers are descheduled at every moment of a job.
import XCTest
@testable import Kernels

final class ThreadPoolTests: XCTestCase {
    /// Jobs of 2 and 200 items alternate (few chunks, then many): a worker still claiming in the last job when the
    /// next one is published must not run a chunk of the new job twice, nor let `run` return before every chunk
    /// is done. Each job's items are counted the moment `run` returns.
    func testEveryItemRunsOnceBeforeRunReturnsUnderContention() {
        struct Job { let hits: UnsafeMutablePointer<Int32> }
        let hits = UnsafeMutablePointer<Int32>.allocate(capacity: 200)
        defer { hits.deallocate() }
        for threads in [4, 8] {
            let pool = ThreadPool(threads: threads)
            var job = Job(hits: hits), wrong = 0
            for iter in 0..<100_000 {
                let n = iter % 2 == 0 ? 200 : 2
                hits.initialize(repeating: 0, count: 200)
                pool.run(n, &job) { ctx, b, e in
                    let h = ctx!.assumingMemoryBound(to: Job.self).pointee.hits
                    for i in Int(b)..<Int(e) { h[i] += 1 }
                }
                // a chunk still running or run twice shows up here or in the next job's count
                if (0..<n).contains(where: { hits[$0] != 1 }) { wrong += 1 }
            }
            XCTAssertEqual(wrong, 0, "\(threads) threads: jobs with an item run twice or unfinished when run returned")
        }
    }
}
