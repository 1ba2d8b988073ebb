// ggml tensor element types: ids as stored in GGUF files, block sizes and bytes per block.

/// A ggml tensor type. Ids follow ggml.h; every id ggml has ever assigned is known here, so an
/// unsupported type is reported by name instead of as a number.
public struct GGMLType: Hashable, Sendable, CustomStringConvertible {
    public let id: UInt32

    public init(id: UInt32) { self.id = id }

    public static let f32 = GGMLType(id: 0), f16 = GGMLType(id: 1)
    public static let q4_0 = GGMLType(id: 2), q4_1 = GGMLType(id: 3)
    public static let q5_0 = GGMLType(id: 6), q5_1 = GGMLType(id: 7)
    public static let q8_0 = GGMLType(id: 8), q8_1 = GGMLType(id: 9)
    public static let q2_K = GGMLType(id: 10), q3_K = GGMLType(id: 11), q4_K = GGMLType(id: 12)
    public static let q5_K = GGMLType(id: 13), q6_K = GGMLType(id: 14), q8_K = GGMLType(id: 15)
    public static let iq2_xxs = GGMLType(id: 16), iq2_xs = GGMLType(id: 17), iq3_xxs = GGMLType(id: 18)
    public static let iq1_s = GGMLType(id: 19), iq4_nl = GGMLType(id: 20), iq3_s = GGMLType(id: 21)
    public static let iq2_s = GGMLType(id: 22), iq4_xs = GGMLType(id: 23)
    public static let i8 = GGMLType(id: 24), i16 = GGMLType(id: 25), i32 = GGMLType(id: 26), i64 = GGMLType(id: 27)
    public static let f64 = GGMLType(id: 28), iq1_m = GGMLType(id: 29), bf16 = GGMLType(id: 30)
    public static let tq1_0 = GGMLType(id: 34), tq2_0 = GGMLType(id: 35), mxfp4 = GGMLType(id: 39)
    /// glmchat's own, never in a file: Q4_K with its nibbles permuted at load for the SIMD kernels (CKernels repack.c).
    public static let q4_K_r = GGMLType(id: 0x100C)
    /// glmchat's own: Q6_K with its 6-bit quants rearranged at load for the AVX2 kernels (CKernels repack_q6_K.c).
    public static let q6_K_r = GGMLType(id: 0x100E)

    /// (name, elements per block, bytes per block); nil for ids ggml never assigned or removed.
    private static let table: [UInt32: (String, Int, Int)] = [
        0: ("F32", 1, 4), 1: ("F16", 1, 2), 2: ("Q4_0", 32, 18), 3: ("Q4_1", 32, 20),
        6: ("Q5_0", 32, 22), 7: ("Q5_1", 32, 24), 8: ("Q8_0", 32, 34), 9: ("Q8_1", 32, 36),
        10: ("Q2_K", 256, 84), 11: ("Q3_K", 256, 110), 12: ("Q4_K", 256, 144), 13: ("Q5_K", 256, 176),
        14: ("Q6_K", 256, 210), 15: ("Q8_K", 256, 292), 16: ("IQ2_XXS", 256, 66), 17: ("IQ2_XS", 256, 74),
        18: ("IQ3_XXS", 256, 98), 19: ("IQ1_S", 256, 50), 20: ("IQ4_NL", 32, 18), 21: ("IQ3_S", 256, 110),
        22: ("IQ2_S", 256, 82), 23: ("IQ4_XS", 256, 136), 24: ("I8", 1, 1), 25: ("I16", 1, 2),
        26: ("I32", 1, 4), 27: ("I64", 1, 8), 28: ("F64", 1, 8), 29: ("IQ1_M", 256, 56), 30: ("BF16", 1, 2),
        34: ("TQ1_0", 256, 54), 35: ("TQ2_0", 256, 66), 39: ("MXFP4", 32, 17),
        0x100C: ("Q4_K_R", 256, 144), 0x100E: ("Q6_K_R", 256, 210),
    ]
    /// Ids that ggml once used for load-time repacked layouts and then removed.
    private static let removed: [UInt32: String] = [
        4: "Q4_2", 5: "Q4_3", 31: "Q4_0_4_4", 32: "Q4_0_4_8", 33: "Q4_0_8_8",
        36: "IQ4_NL_4_4", 37: "IQ4_NL_4_8", 38: "IQ4_NL_8_8",
    ]

    /// True for layouts glmchat makes in memory at load (ids from 0x1000); a file that names one is invalid.
    public var isInternal: Bool { id >= 0x1000 }
    /// True when the id names a type whose layout is known (so sizes can be checked).
    public var isKnown: Bool { Self.table[id] != nil }
    public var name: String { Self.table[id]?.0 ?? Self.removed[id].map { "\($0) (removed from ggml)" } ?? "unknown type \(id)" }
    /// Elements per block (1 for plain types); 0 if unknown.
    public var blockSize: Int { Self.table[id]?.1 ?? 0 }
    /// Bytes per block; 0 if unknown.
    public var typeSize: Int { Self.table[id]?.2 ?? 0 }
    public var description: String { name }

    /// Bytes for `count` elements, nil if `count` is not a whole number of blocks, the type is unknown,
    /// or the size overflows.
    public func byteCount(elements count: Int) -> Int? {
        guard isKnown, count >= 0, count % blockSize == 0 else { return nil }
        let (bytes, overflow) = (count / blockSize).multipliedReportingOverflow(by: typeSize)
        return overflow ? nil : bytes
    }

    public static func named(_ name: String) -> GGMLType? {
        table.first { $0.value.0.caseInsensitiveCompare(name) == .orderedSame }.map { GGMLType(id: $0.key) }
    }
}
