// The kernels one weight layout runs with (a plan from CKernels' kernel table), chosen once when a matrix is bound.
import CKernels
import GGUF

/// A plan made once per (layout, options) by ck_kernels_for; it lives as long as the process, so copies are free.
public struct KernelPlan: @unchecked Sendable {
    let raw: UnsafePointer<ck_kernel_plan>

    /// The plan for weights stored as `type` (nil if unsupported). Its `repackTarget`, when set, names the layout to
    /// rewrite them into at load; the weights then run with KernelPlan(for: repackTarget, options).
    public init?(for type: GGMLType, options: EngineOptions) {
        var o = options.kernelOptions
        guard let p = ck_kernels_for(type.id, &o) else { return nil }
        raw = p
    }

    /// The layout these kernels read.
    public var type: GGMLType { GGMLType(id: raw.pointee.type) }
    /// The faster layout weights of `type` are repacked into at load, or nil (none, or repacking off).
    public var repackTarget: GGMLType? { raw.pointee.repack_to < 0 ? nil : GGMLType(id: UInt32(raw.pointee.repack_to)) }

    /// The three ways a matmul runs, by the number of tokens (ck_path_for draws the lines).
    public enum Path: Int32, CaseIterable, Sendable {
        case decode, small, batch
        /// Which tokens counts take this path, for tables.
        public var tokens: String { switch self { case .decode: "1 token"; case .small: "2-3 tokens"; case .batch: ">= 4 tokens" } }
    }

    /// What runs on `path`, e.g. "avx512-vnni gemv", "amx gemm", "avx2 dot 8 rows".
    public func kernelName(_ path: Path) -> String { String(cString: ck_plan_path_name(raw, path.rawValue)) }
}

extension KernelPlan {
    /// The instruction sets found on this CPU that the kernel table uses (AMX only where the OS lets this process use it).
    public static var cpuFeatureNames: [String] {
        let f = ck_cpu_features()
        let names: [(UInt32, String)] = [(UInt32(CK_AVX2), "avx2"), (UInt32(CK_AVX512), "avx512"), (UInt32(CK_AVX512_VNNI), "avx512-vnni"),
                                         (UInt32(CK_AVX512_BF16), "avx512-bf16"), (UInt32(CK_AMX), "amx"), (UInt32(CK_AMX_BF16), "amx-bf16"),
                                         (UInt32(CK_GFNI), "gfni")]
        let found = names.filter { f & $0.0 != 0 }.map(\.1)
        return found.isEmpty ? ["no SIMD"] : found
    }
}
