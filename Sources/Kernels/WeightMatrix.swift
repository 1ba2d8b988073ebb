// A read-only 2-D view on ggml weights in memory (usually the mmap'd GGUF), validated at construction.
import CKernels
import GGUF

/// `rows` rows of `cols` elements; row r starts at data + r*rowBytes. `plan`: the kernels its products run with.
public struct WeightMatrix: @unchecked Sendable {
    public let type: GGMLType, rows: Int, cols: Int, rowBytes: Int, data: UnsafeRawPointer
    public let plan: KernelPlan

    /// `type` is the layout of the bytes at `data` (after any repacking); the plan follows `options`.
    public init(type: GGMLType, rows: Int, cols: Int, data: UnsafeRawPointer, options: EngineOptions = EngineOptions()) throws {
        guard Quant.isSupported(type), let plan = KernelPlan(for: type, options: options) else { throw KernelError.unsupportedType(type) }
        guard rows >= 0, cols > 0, cols <= Int(Int32.max) else {
            throw KernelError.badShape("A \(type.name) matrix of \(rows) rows × \(cols) columns has an invalid size.")
        }
        guard let rb = type.byteCount(elements: cols) else {
            throw KernelError.badShape("A \(type.name) row of \(cols) elements is not a whole number of blocks of \(type.blockSize).")
        }
        guard !rows.multipliedReportingOverflow(by: rb).overflow else {
            throw KernelError.badShape("A \(type.name) matrix of \(rows) rows × \(cols) columns is too large.")
        }
        self.init(unchecked: type, rows: rows, cols: cols, rowBytes: rb, data: data, plan: plan)
    }

    private init(unchecked type: GGMLType, rows: Int, cols: Int, rowBytes: Int, data: UnsafeRawPointer, plan: KernelPlan) {
        self.type = type; self.rows = rows; self.cols = cols; self.rowBytes = rowBytes; self.data = data; self.plan = plan
    }

    /// One expert (or any slice) of a 3-D tensor: matrices of `rowsPer` rows stacked along ne2.
    public func slice(_ index: Int, rowsPer: Int) -> WeightMatrix {
        precondition(rowsPer >= 0 && index >= 0 && (index + 1) * rowsPer <= rows, "WeightMatrix.slice out of range")
        return WeightMatrix(unchecked: type, rows: rowsPer, cols: cols, rowBytes: rowBytes, data: data + index * rowsPer * rowBytes, plan: plan)
    }

    /// Bytes of the whole matrix.
    public var byteCount: Int { rows * rowBytes }

    /// dst(cols) = dequantized row r.
    public func dequantizeRow(_ r: Int, into dst: UnsafeMutablePointer<Float>) {
        precondition(r >= 0 && r < rows, "WeightMatrix.dequantizeRow out of range")
        Quant.dequantizeRow(type, data + r * rowBytes, dst, count: cols)
    }
}
