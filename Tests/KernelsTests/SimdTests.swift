// Every SIMD kernel against its scalar twin on seeded random blocks: odd block counts, unaligned rows, all types.
import XCTest
import CKernels
import GGUF
@testable import Kernels

final class SimdTests: XCTestCase {
    /// Byte offsets of the f16 scale fields in one block, so random blocks hold finite scales.
    static let scaleOffsets: [UInt32: [Int]] = [
        GGMLType.q4_0.id: [0], GGMLType.q4_1.id: [0, 2], GGMLType.q5_0.id: [0], GGMLType.q5_1.id: [0, 2], GGMLType.q8_0.id: [0],
        GGMLType.q2_K.id: [80, 82], GGMLType.q3_K.id: [108], GGMLType.q4_K.id: [0, 2], GGMLType.q5_K.id: [0, 2],
        GGMLType.q6_K.id: [208], GGMLType.iq4_nl.id: [0], GGMLType.iq4_xs.id: [0],
    ]

    /// Random but valid bytes for `blocks` blocks of t (finite scales), starting `misalign` bytes into the array.
    static func randomRow(_ t: GGMLType, blocks: Int, misalign: Int, rng: inout SeededRNG) -> [UInt8] {
        var b = (0..<(blocks * t.typeSize + misalign)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        func putHalf(_ at: Int, _ v: Float) { let h = Float16(v).bitPattern; b[at] = UInt8(h & 0xFF); b[at + 1] = UInt8(h >> 8) }
        switch t {
        case .f32:
            for i in 0..<blocks { let v = rng.gaussian().bitPattern; for k in 0..<4 { b[misalign + 4 * i + k] = UInt8((v >> (8 * k)) & 0xFF) } }
        case .f16: for i in 0..<blocks { putHalf(misalign + 2 * i, rng.gaussian()) }
        case .bf16:
            for i in 0..<blocks { let v = rng.gaussian().bitPattern >> 16; b[misalign + 2 * i] = UInt8(v & 0xFF); b[misalign + 2 * i + 1] = UInt8(v >> 8) }
        default:
            for blk in 0..<blocks { for off in scaleOffsets[t.id]! { putHalf(misalign + blk * t.typeSize + off, Float.random(in: -0.05...0.05, using: &rng)) } }
        }
        return b
    }

    /// Types whose SIMD kernels reduce each block to one integer and then do the scalar twin's float steps:
    /// bit-exact (Q8_0 and Q5_0 too). The others accumulate floats in vector lanes: within 2e-6 · Σ|w_j x_j| of the twin.
    static let bitExact: Set<GGMLType> = [.q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .iq4_xs, .q8_0, .q5_0]

    func testSimdKernelsMatchScalarTwins() throws {
        var rng = SeededRNG(seed: 2026)
        var checked = 0
        defer { print("SIMD kernels checked against scalar twins: \(checked) cases") }
        for t in Quant.supportedTypes {
            let dt = try XCTUnwrap(Quant.vecDotType(t))
            let scalar: ck_vec_dot_fn? = FamilyPlans.twin(t)
            let families = [("avx2", FamilyPlans.avx2, true), ("avx512", FamilyPlans.avx512, true), ("avx512 without GFNI", FamilyPlans.avx512, false)]
                .compactMap { f in FamilyPlans.plan(t, f.1, gfni: f.2).map { (f.0, $0.pointee.dot!) } }
            let counts = t.blockSize == 1 ? [1, 7, 8, 15, 16, 17, 31, 100, 257, 1031] : [1, 2, 3, 7, 9]
            for blocks in counts {
                let n = blocks * t.blockSize
                for misalign in [0, 1, 3] {
                    let w = Self.randomRow(t, blocks: blocks, misalign: misalign, rng: &rng)
                    var x = (0..<n).map { _ in rng.gaussian() * 2 }
                    if n > 4 { x[3] = 0; x[n / 2] = -x.map(abs).max()! * 1.5 }
                    var xq = [UInt8](repeating: 0, count: dt.byteCount(elements: n)! + misalign)
                    try xq.withUnsafeMutableBytes { try Quant.quantizeRow(dt, x, $0.baseAddress! + misalign, count: n) }
                    // Σ|w_j x̃_j| from the (golden-tested) dequantizers, the scale for the tolerance
                    var wd = [Float](repeating: 0, count: n), xd = wd
                    w.withUnsafeBytes { Quant.dequantizeRow(t, $0.baseAddress! + misalign, &wd, count: n) }
                    xq.withUnsafeBytes { Quant.dequantizeRow(dt, $0.baseAddress! + misalign, &xd, count: n) }
                    let mag = zip(wd, xd).reduce(0.0) { $0 + Double(abs($1.0 * $1.1)) }
                    for (family, simd) in families {
                        let (a, b) = w.withUnsafeBytes { wb in xq.withUnsafeBytes { xb in
                            (scalar!(Int32(n), wb.baseAddress! + misalign, xb.baseAddress! + misalign),
                             simd(Int32(n), wb.baseAddress! + misalign, xb.baseAddress! + misalign)) } }
                        if Self.bitExact.contains(t) {
                            XCTAssertEqual(b.bitPattern, a.bitPattern, "\(t.name) \(family) n=\(n) misalign=\(misalign): \(b) vs \(a)")
                        } else {
                            XCTAssertEqual(Double(b), Double(a), accuracy: 2e-6 * mag + 1e-30, "\(t.name) \(family) n=\(n) misalign=\(misalign)")
                        }
                        checked += 1
                    }
                }
            }
        }
    }

    /// The 4-activation-row kernels (matmul) of every family equal the single-row kernel matvec uses (so
    /// matmul equals matvec bit for bit) and the scalar twin: bit-exact for the K-quants, within float-order
    /// tolerance otherwise.
    func testFourRowKernelsMatchScalarTwins() throws {
        var rng = SeededRNG(seed: 404)
        var checked = 0
        for t in Quant.supportedTypes {
          for family in [FamilyPlans.avx2, FamilyPlans.avx512] {
            guard let dot4 = FamilyPlans.plan(t, family)?.pointee.dot4 else { continue }
            let dt = try XCTUnwrap(Quant.vecDotType(t)), scalar = FamilyPlans.twin(t)
            for blocks in [1, 2, 5, 9] {
                let n = blocks * t.blockSize, misalign = blocks % 2
                let w = Self.randomRow(t, blocks: blocks, misalign: misalign, rng: &rng)
                let xb = dt.byteCount(elements: n)! + 3  // odd row stride: unaligned activation rows
                var xq = [UInt8](repeating: 0, count: 4 * xb)
                for r in 0..<4 {
                    let x = (0..<n).map { _ in rng.gaussian() * Float(r + 1) }
                    try xq.withUnsafeMutableBytes { try Quant.quantizeRow(dt, x, $0.baseAddress! + r * xb, count: n) }
                }
                var out = [Float](repeating: .nan, count: 4)
                w.withUnsafeBytes { wb in xq.withUnsafeBytes { xp in dot4(Int32(n), wb.baseAddress! + misalign, xp.baseAddress!, xb, &out) } }
                let single = FamilyPlans.plan(t, FamilyPlans.avx2)!.pointee.dot!  // what matvec runs: bit-exact
                for r in 0..<4 {
                    let s1 = w.withUnsafeBytes { wb in xq.withUnsafeBytes { xp in single(Int32(n), wb.baseAddress! + misalign, xp.baseAddress! + r * xb) } }
                    XCTAssertEqual(out[r].bitPattern, s1.bitPattern, "\(t.name) n=\(n) row \(r): 4-row \(out[r]) vs 1-row \(s1)")
                    let want = w.withUnsafeBytes { wb in xq.withUnsafeBytes { xp in scalar(Int32(n), wb.baseAddress! + misalign, xp.baseAddress! + r * xb) } }
                    if Self.bitExact.contains(t) { XCTAssertEqual(out[r].bitPattern, want.bitPattern, "\(t.name) n=\(n) row \(r)") }
                    else { XCTAssertEqual(out[r], want, accuracy: 1e-5 * max(1, abs(want)), "\(t.name) n=\(n) row \(r)") }
                    checked += 1
                }
            }
          }
        }
        XCTAssertGreaterThan(checked, 0)
    }

    /// ck_matmul_rows / ck_matmul_pool with every family's plan (its decode, small-batch and batch paths: single-row,
    /// 8-row, 4-row and GEMM kernels on repacked activations) on odd shapes: token counts 1…9 (groups of 4 plus
    /// remainders), row sub-ranges, an output wider than the rows, unaligned activation rows, and saturated
    /// blocks (all-ones nibbles against quants of −128, the largest int16 partial sums). Every output equals
    /// the scalar twin (K-quants, Q8_0, Q5_0: their 8-row tiles also cut at sub-range ends) or the single-row SIMD
    /// kernel (the others) bit for bit. On CPUs with AMX or GFNI, once with and once without them (AMX Q8_0: 16 × 16
    /// tiles, token groups of 16: 37 tokens are two groups and a tail; GFNI: the AVX-512 Q6_K kernel).
    func testMatmulRowsMatchScalarTwins() throws {
        var rng = SeededRNG(seed: 77)
        let pool = ThreadPool(threads: 2)
        var checked = 0
        let features = ck_cpu_features()
        for accelerated in features & UInt32(CK_AMX | CK_GFNI) != 0 ? [false, true] : [false] {
        let q8 = try XCTUnwrap(KernelPlan(for: .q8_0, options: EngineOptions(kernels: .avx2, amx: accelerated)))
        XCTAssertEqual(q8.kernelName(.batch) == "amx gemm", accelerated && features & UInt32(CK_AMX) != 0, "AMX tiles on a CPU that has them")
        if let q6 = FamilyPlans.plan(.q6_K, FamilyPlans.avx512, gfni: accelerated) {
            XCTAssertEqual(String(cString: ck_plan_path_name(q6, Int32(CK_PATH_DECODE))).contains("gfni"),
                           accelerated && features & UInt32(CK_GFNI) != 0, "GFNI on a CPU that has it")
        }
        for t in Quant.supportedTypes {
          for family in [FamilyPlans.avx2, FamilyPlans.avx512] {
            guard let plan = FamilyPlans.plan(t, family, amx: accelerated, gfni: accelerated), plan.pointee.dot4 != nil else { continue }
            let dt = try XCTUnwrap(Quant.vecDotType(t)), scalar = FamilyPlans.twin(t)
            for (blocks, nt, saturated) in [(1, 9, false), (3, 5, false), (2, 7, true), (1, 4, true), (2, 2, false), (1, 1, false), (9, 37, false), (34, 20, false), (9, 1, false), (34, 1, true)] {
                let n = blocks * t.blockSize, rows = 19, ldy = rows + 2
                let rb = t.typeSize * blocks, xb = dt.byteCount(elements: n)! + 3  // odd stride: unaligned rows
                var w = [UInt8]()
                for _ in 0..<rows { w += Self.randomRow(t, blocks: blocks, misalign: 0, rng: &rng) }
                if saturated {  // every quant byte 0xFF, scales kept finite
                    let offs = Self.scaleOffsets[t.id] ?? []
                    for i in 0..<w.count where !offs.contains(where: { (i % t.typeSize) == $0 || (i % t.typeSize) == $0 + 1 }) { w[i] = 0xFF }
                }
                var xq = [UInt8](repeating: 0, count: nt * xb)
                for r in 0..<nt {
                    let x = (0..<n).map { _ in saturated ? Float(1) : rng.gaussian() * Float(r + 1) }
                    try xq.withUnsafeMutableBytes { try Quant.quantizeRow(dt, x, $0.baseAddress! + r * xb, count: n) }
                }
                let single = FamilyPlans.plan(t, FamilyPlans.avx2)!.pointee.dot!
                for (r0, r1, pooled) in [(0, rows, false), (2, 5, false), (3, 17, false), (0, rows, true)] {
                    let y = FamilyPlans.matmul(plan, n: n, w: w, rb: rb, rows: rows, r0, r1, x: xq, xb: xb, nt: nt, ldy: ldy, pool: pooled ? pool : nil)
                    for tok in 0..<nt {
                        for r in r0..<r1 {
                            let twin = Self.bitExact.contains(t)
                            let want = w.withUnsafeBytes { wb in xq.withUnsafeBytes { xp in
                                (twin ? scalar : single)(Int32(n), wb.baseAddress! + r * rb, xp.baseAddress! + tok * xb) } }
                            XCTAssertEqual(y[tok * ldy + r].bitPattern, want.bitPattern,
                                           "\(t.name) family \(family) n=\(n) tokens=\(nt) row \(r) token \(tok): \(y[tok * ldy + r]) vs \(want)")
                            checked += 1
                        }
                        for r in 0..<ldy where r < r0 || r >= r1 { XCTAssert(y[tok * ldy + r].isNaN, "\(t.name): wrote outside rows \(r0)..<\(r1)") }
                    }
                }
            }
          }
        }
        }
        XCTAssertGreaterThan(checked, 0)
    }

    /// The AVX2 f16 and bf16 conversions (activations of F16 / BF16 weights, the f16 KV cache) write the scalar ones'
    /// bits: random bit patterns (every exponent, NaNs with payloads, infinities, f32 and f16 subnormals), values
    /// exactly halfway between two f16 or bf16 numbers, the edge of f16 overflow, and a length that leaves a scalar tail.
    /// (All 2^32 floats were compared once by hand, see ENGINE-SPEED-TODO.md.)
    func testHalfConversionsMatchScalar() throws {
        defer { EngineOptions().applyToElementwiseKernels() }
        var rng = SeededRNG(seed: 16)
        var x = (0..<100_003).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) }
        let specials: [Float] = [.nan, -.nan, Float(bitPattern: 0x7FA0_0001), Float(bitPattern: 0xFF80_0123), .infinity, -.infinity,
                                 65504, 65519.99, 65520, -65520, 1e-7, 5.960464477539063e-08, 2.980232238769531e-08, -2.98e-08,
                                 Float(bitPattern: 1), -Float(bitPattern: 0x007F_FFFF), 0, -0.0,
                                 1 + 0x1p-11, 1 + 3 * 0x1p-11, Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000), Float(bitPattern: 0x7F7F_FFFF)]
        x.replaceSubrange(0..<specials.count, with: specials)
        for t in [GGMLType.f16, .bf16] {
            var a = [UInt8](repeating: 0, count: 2 * x.count), b = a
            EngineOptions(kernels: .scalar).applyToElementwiseKernels()
            try a.withUnsafeMutableBytes { try Quant.quantizeRow(t, x, $0.baseAddress!, count: x.count) }
            EngineOptions().applyToElementwiseKernels()
            try b.withUnsafeMutableBytes { try Quant.quantizeRow(t, x, $0.baseAddress!, count: x.count) }
            let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            XCTAssertNil(first, "\(t.name): first differing value \(first.map { x[$0 / 2].bitPattern } ?? 0)")
        }
    }

    /// The AVX2 activation quantizers write the scalar ones' bytes: random rows, an all-zero block, values that
    /// land exactly halfway between two steps (round half to even), and the largest magnitude twice with both
    /// signs (Q8_K takes the first one's sign).
    func testActivationQuantizersMatchScalar() throws {
        defer { EngineOptions().applyToElementwiseKernels() }
        var rng = SeededRNG(seed: 31)
        for t in [GGMLType.q8_0, .q8_K] {
            let n = 4 * t.blockSize
            var rows: [[Float]] = (0..<6).map { r in (0..<n).map { _ in rng.gaussian() * Float(r + 1) } }
            var special = [Float](repeating: 0, count: n)
            for j in t.blockSize..<n { special[j] = Float(j % 7) - 3 }         // amax 3: steps of 3/127, ties at ±x.5 steps
            for j in 0..<t.blockSize / 2 { special[2 * t.blockSize + j] = 0.5 * Float(j % 5) / 127 * 4 }
            special[3 * t.blockSize + 1] = -9; special[3 * t.blockSize + 5] = 9  // block 0 stays zero
            rows.append(special)
            for x in rows {
                var a = [UInt8](repeating: 0, count: t.byteCount(elements: n)!), b = a
                EngineOptions(kernels: .scalar).applyToElementwiseKernels()
                try a.withUnsafeMutableBytes { try Quant.quantizeRow(t, x, $0.baseAddress!, count: n) }
                EngineOptions().applyToElementwiseKernels()
                try b.withUnsafeMutableBytes { try Quant.quantizeRow(t, x, $0.baseAddress!, count: n) }
                XCTAssertEqual(a, b, "\(t.name): first differing byte \(zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? -1)")
            }
        }
    }

    func testKernelSelectionAndScalarOverride() throws {
        let native = try XCTUnwrap(KernelPlan(for: .q4_K, options: EngineOptions())).kernelName(.decode)  // CPU dispatch
        if ck_cpu_features() & UInt32(CK_AVX2) != 0 { XCTAssertFalse(native.hasPrefix("scalar")) }
        XCTAssertEqual(try XCTUnwrap(KernelPlan(for: .q4_K, options: EngineOptions(kernels: .scalar))).kernelName(.decode), "scalar dot")
        XCTAssertEqual(try XCTUnwrap(KernelPlan(for: .q4_K, options: EngineOptions())).kernelName(.decode), native)
    }
}
