// One block of activations quantized for the matrices that read it: once per vec_dot type (one type usually
// serves them all, e.g. gate and up of every expert), into grow-only buffers: no allocation once warm.
import Kernels

final class Activations {
    private let buffers = [ActivationBuffer(), ActivationBuffer(), ActivationBuffer()]
    private var made: [QuantizedActivations?] = [nil, nil, nil]
    private var x: UnsafePointer<Float>?
    private var n = 0, cols = 0

    /// Starts a new block X(n, cols); earlier quantizations are forgotten.
    func set(_ x: UnsafePointer<Float>, n: Int, cols: Int) {
        self.x = x; self.n = n; self.cols = cols
        for i in made.indices { made[i] = nil }
    }

    /// The block quantized for `w`'s vec_dot type (quantized on first use).
    func quantized(for w: WeightMatrix, pool: ThreadPool) -> QuantizedActivations {
        precondition(w.cols == cols, "Activations: \(cols) columns for a matrix of \(w.cols)")
        let dt = Quant.vecDotType(w.type)
        for i in made.indices {
            if let q = made[i] {
                if q.dotType == dt { return q }
                continue
            }
            do {
                let q = try buffers[i].quantize(x!, n: n, cols: cols, for: w.type, pool: pool)
                made[i] = q
                return q
            } catch {
                preconditionFailure("Activations: \(error)")   // WeightMatrix holds supported types only
            }
        }
        preconditionFailure("Activations: more than \(made.count) activation types for one block")
    }
}
