// What a KV cache's rows commit: 4 KB pages for each layer's first 2 MB, 2 MB pages past them.
@testable import Engine
import XCTest

final class KVCacheMemoryTests: XCTestCase {
    let mb = 1 << 20

    func testPagesBeforeAndPastTheFirstTwoMegabytes() {
        let at = 10 * 2 * mb  // a 2 MB boundary
        XCTAssertEqual(KVCache.residentBytes(start: at, count: 0, huge: true), 0)
        XCTAssertEqual(KVCache.residentBytes(start: at, count: 1, huge: true), 4096)
        XCTAssertEqual(KVCache.residentBytes(start: at + 4000, count: 200, huge: true), 8192)   // across a 4 KB page end
        XCTAssertEqual(KVCache.residentBytes(start: at, count: 2 * mb, huge: true), 2 * mb)     // all in 4 KB pages
        XCTAssertEqual(KVCache.residentBytes(start: at, count: 2 * mb + 1, huge: true), 4 * mb) // one 2 MB page more
        // A region not on a 2 MB boundary: 4 KB pages up to the first boundary 2 MB past its start, then 2 MB pages.
        XCTAssertEqual(KVCache.hugeFrom(start: at + 4096), at + 4 * mb)
        XCTAssertEqual(KVCache.residentBytes(start: at + 4096, count: 3 * mb, huge: true), 3 * mb)
        XCTAssertEqual(KVCache.residentBytes(start: at + 4096, count: 5 * mb, huge: true), 6 * mb - 4096)
        XCTAssertEqual(KVCache.residentBytes(start: at + 4096, count: 5 * mb, huge: false), 5 * mb)
    }

    func testRegionsAreEachLayersKeysThenValues() {
        let r = KVCache.regions(layers: 2, capacity: 10, keyRowBytes: 8, valueRowBytes: 4)
        XCTAssertEqual(r.map(\.start), [0, 80, 160, 200])
        XCTAssertEqual(r.map(\.bytes), [80, 80, 40, 40])
        XCTAssertEqual(r.map(\.rowBytes), [8, 8, 4, 4])
        XCTAssertEqual(KVCache.regions(layers: 2, capacity: 10, keyRowBytes: 8, valueRowBytes: 0).count, 2)
    }

    func testACacheCountsWholePagesPerLayer() throws {
        // GLM's latent rows (576 f16 numbers, 1,152 bytes), 2 layers of 4,096 positions (4.5 MB each).
        let c = try KVCache(layers: 2, capacity: 4096, kWidth: 576, vWidth: 0, type: .f16)
        XCTAssertEqual(c.residentBytes(rows: 0), 0)
        XCTAssertEqual(c.residentBytes(rows: 1), 2 * 4096)
        XCTAssertEqual(c.residentBytes(rows: 1000), 2 * ((1000 * 1152 + 4095) / 4096 * 4096))  // under 2 MB a layer
        let full = c.residentBytes(rows: 4096), rows = 2 * 4096 * 1152
        XCTAssertGreaterThanOrEqual(full, rows)
        XCTAssertLessThanOrEqual(full, rows + 2 * (2 * mb + 8192))  // at most one partly used 2 MB page a layer
    }
}
