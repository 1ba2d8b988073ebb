// Looks up GGUF tensors by name, validates their shapes and types, and makes kernel views on them.
import GGUF
import Kernels

/// Float memory the model owns (weights rearranged at load, e.g. a split attn_kv_b); freed with the model.
final class OwnedFloats: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }
    deinit { pointer.deallocate() }
}

/// The in-memory layout and address of every tensor bound so far (repacked at load into `arena`, or kept where
/// the file mapping has it), the kernel plan of every matrix view, and the bytes repacked.
final class WeightRepacking: @unchecked Sendable {
    /// Nil: weights are used as the file stores them.
    private let arena: WeightArena?
    /// Splits the rewriting over its threads.
    let pool: ThreadPool?
    /// The kernel choices of every view made from these weights.
    let options: EngineOptions
    private(set) var bound: [String: (type: GGMLType, data: UnsafeRawPointer)] = [:]
    /// The plan of each tensor viewed as a matrix, by tensor name.
    var plans: [String: KernelPlan] = [:]
    private(set) var bytes = 0

    /// `capacity`: the bytes of all tensors that may be repacked, 64 more each for alignment (0: repacking off).
    init(capacity: Int, pool: ThreadPool? = nil, options: EngineOptions = EngineOptions()) {
        arena = capacity > 0 ? WeightArena(capacity: capacity) : nil
        self.pool = pool
        self.options = options
    }

    /// `t`'s layout and bytes: the first time, repacked into the arena when its plan asks for it.
    func bind(_ t: GGUFTensorInfo, in f: GGUFFile) -> (type: GGMLType, data: UnsafeRawPointer)? {
        if let done = bound[t.name] { return done }
        guard let source = f.data(of: t).baseAddress else { return nil }
        guard let arena, let r = KernelPlan(for: t.type, options: options)?.repackTarget, t.type.blockSize > 0,
              let dst = arena.allocate(t.byteCount) else { return keep(t, source) }
        let size = t.type.typeSize, blocks = t.byteCount / size
        let chunk = 4096  // blocks per task: copied out of the mapping, then rewritten while in cache
        let body: (Range<Int>) -> Void = { r in
            for c in r {
                let n = min(chunk, blocks - c * chunk)
                (dst + c * chunk * size).copyMemory(from: source + c * chunk * size, byteCount: n * size)
                _ = Quant.repack(t.type, dst + c * chunk * size, blocks: n)
            }
        }
        let chunks = (blocks + chunk - 1) / chunk
        if let pool { pool.parallelFor(chunks, body) } else { body(0..<chunks) }
        f.release(t)  // the file's pages of it are not read again: out of this process's memory
        bytes += t.byteCount
        bound[t.name] = (r, UnsafeRawPointer(dst))
        return bound[t.name]
    }

    /// `t` as the file stores it, from now on (a view already reads these bytes in this layout).
    func keep(_ t: GGUFTensorInfo, in f: GGUFFile) -> (type: GGMLType, data: UnsafeRawPointer)? {
        if let done = bound[t.name] { return done }
        guard let source = f.data(of: t).baseAddress else { return nil }
        return keep(t, source)
    }

    private func keep(_ t: GGUFTensorInfo, _ source: UnsafeRawPointer) -> (type: GGMLType, data: UnsafeRawPointer) {
        bound[t.name] = (t.type, source)
        return (t.type, source)
    }
}

struct TensorBinder {
    let f: GGUFFile
    let repacking: WeightRepacking

    init(f: GGUFFile, repacking: WeightRepacking = WeightRepacking(capacity: 0)) {
        self.f = f
        self.repacking = repacking
    }

    func has(_ name: String) -> Bool { f.tensor(named: name) != nil }

    /// A matrix view on weights the model owns (e.g. a split attn_kv_b), with the model's kernel options.
    func owned(_ type: GGMLType, rows: Int, cols: Int, data: UnsafeRawPointer) throws -> WeightMatrix {
        try WeightMatrix(type: type, rows: rows, cols: cols, data: data, options: repacking.options)
    }

    /// The tensor with exactly `dims` (ggml order, ne0 first; trailing 1s in the file are tolerated).
    func info(_ name: String, _ dims: [Int]) throws -> GGUFTensorInfo {
        guard let t = f.tensor(named: name) else { throw EngineError.missingTensor(name) }
        var found = t.dims
        while found.count > dims.count, found.last == 1 { found.removeLast() }
        guard found == dims else { throw EngineError.badShape(tensor: name, expected: dims, found: t.dims) }
        return t
    }

    /// A matrix view on a tensor's bytes; with `repack` its bytes may first be repacked for the kernels.
    func view(_ t: GGUFTensorInfo, rows: Int, cols: Int, repack: Bool = true) throws -> WeightMatrix {
        guard Quant.isSupported(t.type), let b = repack ? repacking.bind(t, in: f) : repacking.keep(t, in: f) else {
            throw EngineError.unsupportedType(tensor: t.name, type: t.type.name)
        }
        do {
            let w = try WeightMatrix(type: b.type, rows: rows, cols: cols, data: b.data, options: repacking.options)
            repacking.plans[t.name] = w.plan
            return w
        } catch {
            throw EngineError.unsupportedType(tensor: t.name, type: t.type.name)
        }
    }

    /// A matrix stored as ggml {cols, rows}: `rows` outputs of `cols` inputs. `repack: false` for tensors only read a
    /// row at a time (a token embedding with its own output head): repacking them would only cost load time.
    func matrix(_ name: String, cols: Int, rows: Int, repack: Bool = true) throws -> WeightMatrix {
        try view(try info(name, [cols, rows]), rows: rows, cols: cols, repack: repack)
    }

    /// `count` matrices stacked along ne2 ({cols, rows, count}); slice(i, rowsPer: rows) picks one.
    func stack(_ name: String, cols: Int, rows: Int, count: Int) throws -> WeightMatrix {
        try view(try info(name, [cols, rows, count]), rows: rows * count, cols: cols)
    }

    /// A vector (norm weights, biases) dequantized to Float.
    func vector(_ name: String, count: Int) throws -> [Float] {
        let t = try info(name, [count])
        return try dequantized(t)
    }

    /// All elements of a tensor as Float, row by row.
    func dequantized(_ t: GGUFTensorInfo) throws -> [Float] {
        let now = repacking.bound[t.name]  // the layout and bytes a view reads, else the file's
        guard Quant.isSupported(t.type), let base = now?.data ?? f.data(of: t).baseAddress else {
            throw EngineError.unsupportedType(tensor: t.name, type: t.type.name)
        }
        var out = [Float](repeating: 0, count: t.elementCount)
        let rowLen = t.rowLength, rb = t.rowBytes, type = now?.type ?? t.type
        out.withUnsafeMutableBufferPointer { p in
            for r in 0..<t.rowCount { Quant.dequantizeRow(type, base + r * rb, p.baseAddress! + r * rowLen, count: rowLen) }
        }
        return out
    }
}

/// A (count) float vector bound at load, read through a pointer in the hot path.
struct FloatVector: @unchecked Sendable {
    private let storage: OwnedFloats
    var pointer: UnsafePointer<Float> { UnsafePointer(storage.pointer) }
    var count: Int { storage.count }
    init(_ values: [Float]) {
        storage = OwnedFloats(count: values.count)
        values.withUnsafeBufferPointer { if let b = $0.baseAddress { storage.pointer.update(from: b, count: values.count) } }
    }
    subscript(i: Int) -> Float { storage.pointer[i] }
}

extension TensorBinder {
    func vec(_ name: String, count: Int) throws -> FloatVector { FloatVector(try vector(name, count: count)) }
}
