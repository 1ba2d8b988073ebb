// Quant format support: which ggml types the kernels handle, their activation (vec_dot) types, dequantization.
import CKernels
import GGUF

public enum Quant {
    /// Every weight type with dequantization and dot-product kernels, in ggml id order.
    public static let supportedTypes: [GGMLType] = [
        .f32, .f16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .iq4_nl, .iq4_xs, .bf16,
    ]

    public static func isSupported(_ t: GGMLType) -> Bool { ck_type_supported(t.id) != 0 }

    /// The type llama.cpp quantizes activations to before a dot product with weights of type `t`
    /// (Q8_0, Q8_1, Q8_K, F16, BF16 or F32); nil when `t` is unsupported.
    public static func vecDotType(_ t: GGMLType) -> GGMLType? {
        let d = ck_vec_dot_type(t.id)
        return d < 0 ? nil : GGMLType(id: UInt32(d))
    }

    /// dst(count) = dequantized src; count a multiple of t.blockSize. `t` must be supported (check
    /// isSupported or build a WeightMatrix first): anything else is a programming error.
    public static func dequantizeRow(_ t: GGMLType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        let rc = ck_dequantize_row(t.id, src, dst, Int64(count))
        precondition(rc == 0, "dequantizeRow: \(t.name) with \(count) elements is not a supported whole-block row")
    }

    /// Quantizes x(count) to an activation type (Q8_0, Q8_1, Q8_K, F16, BF16, F32) as ggml's reference does.
    public static func quantizeRow(_ t: GGMLType, _ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, count: Int) throws {
        guard ck_quantize_row(t.id, x, dst, Int64(count)) == 0 else {
            if ck_block_elems(t.id) == 0 || ![GGMLType.q8_0, .q8_1, .q8_K, .f16, .bf16, .f32].contains(t) {
                throw KernelError.unsupportedType(t)
            }
            throw KernelError.badShape("A row of \(count) elements is not a whole number of \(t.name) blocks of \(t.blockSize).")
        }
    }

    /// Rewrites `blocks` blocks of type `t` at `data` in place into its repacked layout (Q4_K → Q4_K_R, Q6_K → Q6_K_R;
    /// KernelPlan.repackTarget says when that pays off); false for a type without one.
    public static func repack(_ t: GGMLType, _ data: UnsafeMutableRawPointer, blocks: Int) -> Bool {
        ck_repack(t.id, data, Int64(blocks)) == 0
    }
}
