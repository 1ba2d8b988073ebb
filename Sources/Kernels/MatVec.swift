// Matrix × vector / matrix × matrix on quantized weights, with activations quantized as llama.cpp does.
import CKernels
import GGUF

/// X(n, cols) quantized to a weight type's vec_dot type; usable with every matrix of that dot type and
/// width (e.g. quantize once, then run gate and up). Points into an ActivationBuffer: valid until that
/// buffer quantizes again. Row r starts at data + r·rowBytes (a view may skip rows: rowBytes is the stride).
public struct QuantizedActivations: @unchecked Sendable {
    public let dotType: GGMLType, n: Int, cols: Int, rowBytes: Int
    public let data: UnsafeRawPointer

    /// Rows first, first + step, … (count of them) as activations of their own, e.g. head h of an
    /// (n, heads, cols) block: every(heads, from: h, count: n).
    public func every(_ step: Int, from first: Int, count: Int) -> QuantizedActivations {
        precondition(step >= 1 && first >= 0 && count >= 0 && (count == 0 || first + (count - 1) * step < n), "QuantizedActivations.every out of range")
        return QuantizedActivations(dotType: dotType, n: count, cols: cols, rowBytes: rowBytes * step, data: data + first * rowBytes)
    }

    /// Copies rows row(0), row(1), … row(count − 1) into dst (count · rowBytes(dotType, cols) bytes), in that order:
    /// the rows one expert reads, without quantizing them again.
    public func gather(count: Int, into dst: UnsafeMutableRawPointer, row: (Int) -> Int) -> QuantizedActivations {
        let rb = ck_row_bytes(dotType.id, Int64(cols))
        for i in 0..<count {
            let r = row(i)
            precondition(r >= 0 && r < n, "QuantizedActivations.gather: row \(r) of \(n)")
            (dst + i * rb).copyMemory(from: data + r * rowBytes, byteCount: rb)
        }
        return QuantizedActivations(dotType: dotType, n: count, cols: cols, rowBytes: rb, data: UnsafeRawPointer(dst))
    }

    /// Bytes of X(n, cols) quantized for weights of type `weightType` (nil if unsupported or not whole blocks).
    public static func byteCount(n: Int, cols: Int, for weightType: GGMLType) -> Int? {
        guard let dt = Quant.vecDotType(weightType), let rb = dt.byteCount(elements: cols) else { return nil }
        return rb * n
    }

    /// X(n, cols) quantized for `w` into caller memory of byteCount(n:cols:for: w.type) bytes (rows split over `pool`
    /// when n is large; on this thread without one).
    public static func quantize(_ x: UnsafePointer<Float>, n: Int, for w: WeightMatrix, into dst: UnsafeMutableRawPointer,
                                pool: ThreadPool? = nil) -> QuantizedActivations {
        let dt = GGMLType(id: UInt32(ck_vec_dot_type(w.type.id)))  // valid: WeightMatrix only holds supported types
        let rb = ck_row_bytes(dt.id, Int64(w.cols))
        let rc = ck_quantize_rows_pool(pool?.raw, dt.id, x, Int64(w.cols), Int64(n), dst, rb)
        precondition(rc == 0, "QuantizedActivations.quantize: \(w.cols) columns for \(dt.name)")
        return QuantizedActivations(dotType: dt, n: n, cols: w.cols, rowBytes: rb, data: UnsafeRawPointer(dst))
    }
}

/// Caller-owned, grow-only scratch for quantized activations (no allocation once warm).
public final class ActivationBuffer: @unchecked Sendable {
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0

    public init() {}
    deinit { storage?.deallocate() }

    /// Quantizes X(n, cols) for weights of type `weightType` (rows split over the pool when n is large).
    public func quantize(_ x: UnsafePointer<Float>, n: Int, cols: Int, for weightType: GGMLType, pool: ThreadPool? = nil) throws -> QuantizedActivations {
        guard let dt = Quant.vecDotType(weightType) else { throw KernelError.unsupportedType(weightType) }
        guard n >= 0, cols > 0, let rb = dt.byteCount(elements: cols) else {
            throw KernelError.badShape("Activations of \(cols) columns are not a whole number of \(dt.name) blocks of \(dt.blockSize).")
        }
        reserve(max(rb * n, 64))
        let dst = storage!
        guard ck_quantize_rows_pool(pool?.raw, dt.id, x, Int64(cols), Int64(n), dst, rb) == 0 else {
            throw KernelError.badShape("Activations of \(cols) columns could not be quantized to \(dt.name).")
        }
        return QuantizedActivations(dotType: dt, n: n, cols: cols, rowBytes: rb, data: UnsafeRawPointer(dst))
    }

    private func reserve(_ need: Int) {
        guard need > capacity else { return }
        storage?.deallocate()
        storage = UnsafeMutableRawPointer.allocate(byteCount: need, alignment: 64)
        capacity = need
    }
}

/// y(rows) = W · x(cols). Activations are quantized the way llama.cpp does for W.type (vec_dot_type:
/// Q8_0 for Q4_0/Q5_0/Q8_0/IQ4_NL, Q8_1 for Q4_1/Q5_1, Q8_K for K-quants and IQ4_XS, F16 for F16, BF16 for
/// BF16, F32 for F32), so results match llama.cpp. Uses a per-thread scratch buffer (no allocation once warm).
public func matvec(_ w: WeightMatrix, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
    matmul(w, x, n: 1, y, pool: pool)
}

/// Y(n, rows) = X(n, cols) · Wᵀ, row-major; same activation quantization per row of X.
public func matmul(_ w: WeightMatrix, _ x: UnsafePointer<Float>, n: Int, _ y: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
    guard n > 0, w.rows > 0 else { return }
    let dt = ck_vec_dot_type(w.type.id)  // valid: WeightMatrix only holds supported types
    let rb = ck_row_bytes(UInt32(dt), Int64(w.cols))
    guard let scratch = ck_thread_scratch(rb * n) else {
        preconditionFailure("matmul: could not allocate \(rb * n) bytes of activation scratch")
    }
    let rc = ck_quantize_rows_pool(pool?.raw, UInt32(dt), x, Int64(w.cols), Int64(n), scratch, rb)
    precondition(rc == 0, "matmul: activation quantization failed")
    let q = QuantizedActivations(dotType: GGMLType(id: UInt32(dt)), n: n, cols: w.cols, rowBytes: rb, data: UnsafeRawPointer(scratch))
    matmul(w, q, y, pool: pool)
}

/// y(rows) = W · x for activations already quantized (q.n must be 1 … or the first row is used).
public func matvec(_ w: WeightMatrix, _ q: QuantizedActivations, _ y: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
    precondition(q.n >= 1, "matvec: no activation rows")
    matmulRows(w, q, n: 1, y, ldy: w.rows, pool: pool)
}

/// Y(q.n, rows) = X · Wᵀ for activations already quantized for W's vec_dot type.
public func matmul(_ w: WeightMatrix, _ q: QuantizedActivations, _ y: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
    matmulRows(w, q, n: q.n, y, ldy: w.rows, pool: pool)
}

/// Y(n, ldy)[:, 0..<w.rows] = X(n) · Wᵀ: writes into a wider output (e.g. gate and up side by side).
public func matmulRows(_ w: WeightMatrix, _ q: QuantizedActivations, n: Int, _ y: UnsafeMutablePointer<Float>, ldy: Int, pool: ThreadPool?) {
    precondition(q.dotType.id == UInt32(bitPattern: ck_vec_dot_type(w.type.id)) && q.cols == w.cols && n <= q.n && ldy >= w.rows,
                 "matmul: activations (\(q.dotType.name), \(q.cols) cols) do not fit \(w.type.name) weights of \(w.cols) cols")
    guard n > 0, w.rows > 0 else { return }
    ck_matmul_pool(pool?.raw, w.plan.raw, Int32(w.cols), w.data, w.rowBytes, Int64(w.rows), q.data, q.rowBytes, Int64(n), y, Int64(ldy))
}

/// One product of a batch: y(w.rows) = W · x (row `row` of the quantized activations).
public struct MatvecJob: @unchecked Sendable {
    public var w: WeightMatrix, x: QuantizedActivations, row: Int, y: UnsafeMutablePointer<Float>
    public init(_ w: WeightMatrix, _ x: QuantizedActivations, row: Int = 0, _ y: UnsafeMutablePointer<Float>) {
        self.w = w; self.x = x; self.row = row; self.y = y
    }
}

/// Runs several matrix × vector products in one parallel region (e.g. gate and up of every chosen expert),
/// rows of all jobs split over the pool together: one wake-up instead of one per matrix. No allocation.
public func matvecs(_ jobs: UnsafeBufferPointer<MatvecJob>, pool: ThreadPool?) {
    var total = 0
    for j in jobs {
        precondition(j.x.dotType.id == UInt32(bitPattern: ck_vec_dot_type(j.w.type.id)) && j.x.cols == j.w.cols && j.row < j.x.n,
                     "matvecs: activations (\(j.x.dotType.name), \(j.x.cols) cols) do not fit \(j.w.type.name) weights of \(j.w.cols) cols")
        total += j.w.rows
    }
    guard total > 0 else { return }
    guard let pool else { matvecRows(jobs, 0..<total); return }
    var context = jobs
    pool.run(total, &context) { c, b, e in matvecRows(c!.assumingMemoryBound(to: UnsafeBufferPointer<MatvecJob>.self).pointee, Int(b)..<Int(e)) }
}

/// Rows `range` of the jobs' rows taken together (job 0's rows first).
private func matvecRows(_ jobs: UnsafeBufferPointer<MatvecJob>, _ range: Range<Int>) {
    var start = 0  // first global row of job k
    for j in jobs {
        let lo = max(range.lowerBound, start), hi = min(range.upperBound, start + j.w.rows)
        if lo < hi {
            ck_matmul_rows(j.w.plan.raw, Int32(j.w.cols), j.w.data, j.w.rowBytes, Int64(lo - start), Int64(hi - start),
                           j.x.data + j.row * j.x.rowBytes, j.x.rowBytes, 1, j.y, Int64(j.w.rows))
        }
        start += j.w.rows
        if start >= range.upperBound { break }
    }
}
