// The token loop does not allocate: decoding on a warm session makes no heap allocation on any thread
// (counted by the test process's interposed allocator, Tests/CAllocCounter).
import CAllocCounter
import XCTest
@testable import Engine

final class AllocationTests: XCTestCase {
    func testDecodeMakesNoHeapAllocation() throws {
        guard alloc_counter_available() == 1 else { throw XCTSkip("the allocator cannot be counted on this platform") }
        var ran = 0
        for file in ["glm256-q4_k_m.gguf", "glm-v2lite-f32.gguf", "llama-q8_0.gguf"] {
            let path = TestData.fixture(file)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let session = try Session(model: try Model(path: path, threads: 2), contextLength: 96)
            let argmax: (UnsafeBufferPointer<Float>) -> Int = { l in
                var best = 0
                for i in 1..<l.count where l[i] > l[best] { best = i }
                return best
            }
            var next = try session.prefill([1, 2, 3, 4, 5, 6, 7], argmax)
            for _ in 0..<4 { next = try session.decode(next, argmax) }          // warm: grow-only buffers at size
            alloc_counter_start()
            for _ in 0..<16 { next = try session.decode(next, argmax) }
            let allocations = alloc_counter_stop()
            XCTAssertEqual(allocations, 0, "\(file): heap allocations while decoding 16 tokens")
            ran += 1
        }
        if ran == 0 { throw XCTSkip("no fixture model found") }
    }

    /// The counter sees allocations at all (else the test above could not fail).
    func testCounterCountsAllocations() throws {
        guard alloc_counter_available() == 1 else { throw XCTSkip("the allocator cannot be counted on this platform") }
        alloc_counter_start()
        let a = [Int](repeating: 7, count: 1000 + Int.random(in: 0..<10))
        let n = alloc_counter_stop()
        XCTAssertGreaterThan(n, 0)
        XCTAssertEqual(a.count >= 1000, true)
    }
}
