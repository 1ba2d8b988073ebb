// KVCache.keyRows: cache rows read back in f32 and split in two (the expanded prompt attention's latent and rope
// parts), for each cache type and for a row whose second part does not fill a q8_0 block.
@testable import Engine
import Kernels
import XCTest

final class KVCacheRowsTests: XCTestCase {
    func testKeyRowsSplitWhatWasStored() throws {
        for (split, width) in [(512, 576), (32, 48)] {
            for type in EngineOptions.KVCacheType.allCases {
                let c = try KVCache(layers: 2, capacity: 8, kWidth: width, vWidth: 0, type: type)
                var seeded = SeededNumbers(seed: 3)
                let rows = seeded.floats(8 * width, over: 250)
                c.storeKeys(1, pos0: 0, rows, n: 8)
                var a = [Float](repeating: .nan, count: 3 * split), b = [Float](repeating: .nan, count: 3 * (width - split))
                c.keyRows(1, from: 2, count: 3, split: split, &a, &b)
                for j in 0..<3 {
                    let stored = Array(rows[(2 + j) * width ..< (3 + j) * width])
                    let got = Array(a[j * split ..< (j + 1) * split]) + Array(b[j * (width - split) ..< (j + 1) * (width - split)])
                    for i in 0..<width {
                        let want = stored[i], tolerance: Float
                        switch type {
                        case .f32: tolerance = 0
                        case .f16: tolerance = abs(want - Float(Float16(want)))
                        case .q8_0:   // half a step of the block's scale (amax / 127), plus the f16 scale's rounding
                            let b0 = i / 32 * 32, amax = stored[b0 ..< min(width, b0 + 32)].map(abs).max()!
                            tolerance = amax / 127 * 0.5 + amax * 1e-3
                        }
                        XCTAssertLessThanOrEqual(abs(got[i] - want), tolerance, "\(type), width \(width), row \(2 + j), number \(i)")
                    }
                }
            }
        }
    }
}
