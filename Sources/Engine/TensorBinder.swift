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

/// The in-memory layout of every tensor bound so far (repacked at load, or kept as the file stores it), and the
/// bytes repacked.
final class WeightRepacking: @unchecked Sendable {
    /// Off: weights are used as the file stores them.
    let enabled: Bool
    /// Splits the rewriting over its threads (the page copies dominate: ~0.7 GB/s on one Zen 2 core).
    let pool: ThreadPool?
    private(set) var types: [String: GGMLType] = [:]
    private(set) var bytes = 0

    init(enabled: Bool, pool: ThreadPool? = nil) { self.enabled = enabled; self.pool = pool }

    /// The type of `t`'s bytes in memory: repacked in place the first time when that is enabled and faster.
    func type(of t: GGUFTensorInfo, in f: GGUFFile) -> GGMLType {
        if let done = types[t.name] { return done }
        guard enabled, let r = Quant.repackedType(t.type), t.type.blockSize > 0 else { return t.type }
        let blocks = t.byteCount / t.type.typeSize
        let size = t.type.typeSize
        guard f.withWritableData(of: t, { data in
            let chunk = 4096  // blocks per task
            let body: (Range<Int>) -> Void = { r in
                for c in r { _ = Quant.repack(t.type, data + c * chunk * size, blocks: min(chunk, blocks - c * chunk)) }
            }
            let chunks = (blocks + chunk - 1) / chunk
            if let pool { pool.parallelFor(chunks, body) } else { body(0..<chunks) }
        }) else { return t.type }
        types[t.name] = r
        bytes += t.byteCount
        return r
    }

    /// The type of `t`'s bytes, which stay as they are from now on (a view already reads them in this layout).
    func keep(_ t: GGUFTensorInfo) -> GGMLType {
        if let done = types[t.name] { return done }
        types[t.name] = t.type
        return t.type
    }
}

struct TensorBinder {
    let f: GGUFFile
    let repacking: WeightRepacking

    init(f: GGUFFile, repacking: WeightRepacking = WeightRepacking(enabled: false)) {
        self.f = f
        self.repacking = repacking
    }

    func has(_ name: String) -> Bool { f.tensor(named: name) != nil }

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
        guard Quant.isSupported(t.type), let base = f.data(of: t).baseAddress else {
            throw EngineError.unsupportedType(tensor: t.name, type: t.type.name)
        }
        let type = repack ? repacking.type(of: t, in: f) : repacking.keep(t)
        do { return try WeightMatrix(type: type, rows: rows, cols: cols, data: base) } catch {
            throw EngineError.unsupportedType(tensor: t.name, type: t.type.name)
        }
    }

    /// A matrix stored as ggml {cols, rows}: `rows` outputs of `cols` inputs. `repack: false` for tensors only read a
    /// row at a time (a token embedding with its own output head): repacking them would only cost load time.
    func matrix(_ name: String, cols: Int, rows: Int, repack: Bool = true) throws -> WeightMatrix {
        try view(try info(name, [cols, rows]), rows: rows, cols: cols, repack: repack)
    }

    /// The layout of a tensor's bytes now (repacked or as in the file).
    private func currentType(_ t: GGUFTensorInfo) -> GGMLType { repacking.types[t.name] ?? t.type }

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
        guard Quant.isSupported(t.type), let base = f.data(of: t).baseAddress else {
            throw EngineError.unsupportedType(tensor: t.name, type: t.type.name)
        }
        var out = [Float](repeating: 0, count: t.elementCount)
        let rowLen = t.rowLength, rb = t.rowBytes, type = currentType(t)
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
