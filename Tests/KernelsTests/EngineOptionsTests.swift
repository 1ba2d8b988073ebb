// The engine switches parsed from the environment, and the kernel plans they lead to.
import XCTest
import CKernels
import GGUF
@testable import Kernels

final class EngineOptionsTests: XCTestCase {
    func parse(_ env: [String: String]) throws -> EngineOptions { try EngineOptions.fromEnvironment { env[$0] } }

    func testEnvironmentVariables() throws {
        XCTAssertEqual(try parse([:]), EngineOptions())
        XCTAssertEqual(try parse(["GLMCHAT_KERNELS": "", "GLMCHAT_AMX": ""]), EngineOptions(), "empty is unset")
        XCTAssertEqual(try parse(["GLMCHAT_KERNELS": "scalar", "GLMCHAT_AMX": "0", "GLMCHAT_GFNI": "0", "GLMCHAT_REPACK": "0", "GLMCHAT_KV": "f32"]),
                       EngineOptions(kernels: .scalar, amx: false, gfni: false, repack: false, kvCache: .f32))
        XCTAssertEqual(try parse(["GLMCHAT_KERNELS": "avx2", "GLMCHAT_AMX": "1"]).kernels, .avx2)
        XCTAssertThrowsError(try parse(["GLMCHAT_KERNELS": "fast"])) { e in
            XCTAssertEqual("\(e)", "GLMCHAT_KERNELS=fast is not a valid setting (use auto|scalar|avx2|avx512).")
        }
        XCTAssertThrowsError(try parse(["GLMCHAT_KV": "f8"]))
        XCTAssertEqual(try parse(["GLMCHAT_MLA_PROMPT": "expanded"]).promptAttention, .expanded)
        XCTAssertEqual(try parse(["GLMCHAT_MLA_PROMPT": "absorbed"]).promptAttention, .absorbed)
        XCTAssertThrowsError(try parse(["GLMCHAT_MLA_PROMPT": "mla3"])) { e in
            XCTAssertEqual("\(e)", "GLMCHAT_MLA_PROMPT=mla3 is not a valid setting (use auto|absorbed|expanded).")
        }
        XCTAssertThrowsError(try parse(["GLMCHAT_REPACK": "no"]))
    }

    /// The KV cache type: --cache-type over GLMCHAT_KV over settings.json's cache_type over f16; bad values named.
    func testCacheTypePrecedence() throws {
        func resolve(flag: String?, setting: String?, env: [String: String] = [:]) throws -> EngineOptions.KVCacheType {
            try EngineOptions.resolved(cacheTypeFlag: flag, cacheTypeSetting: setting) { env[$0] }.kvCache
        }
        XCTAssertEqual(try resolve(flag: nil, setting: nil), .f16)
        XCTAssertEqual(try resolve(flag: nil, setting: "q8_0"), .q8_0)
        XCTAssertEqual(try resolve(flag: nil, setting: "Q8_0"), .q8_0)
        XCTAssertEqual(try resolve(flag: nil, setting: "q8_0", env: ["GLMCHAT_KV": "f32"]), .f32)
        XCTAssertEqual(try resolve(flag: "q8_0", setting: "f32", env: ["GLMCHAT_KV": "f32"]), .q8_0)
        XCTAssertEqual(try parse(["GLMCHAT_KV": "q8_0"]).kvCache, .q8_0)
        XCTAssertThrowsError(try resolve(flag: "q4_0", setting: nil)) { e in
            XCTAssertEqual("\(e)", "--cache-type q4_0 is not a KV cache type (use f16, f32, q8_0).")
        }
        XCTAssertThrowsError(try resolve(flag: nil, setting: "int8")) { e in
            XCTAssertEqual("\(e)", "cache_type in settings.json: int8 is not a KV cache type (use f16, f32, q8_0).")
        }
        // Bytes per row: GLM's 576 numbers, and a width padded to whole q8_0 blocks.
        XCTAssertEqual([EngineOptions.KVCacheType.f32, .f16, .q8_0].map { $0.rowBytes(576) }, [2304, 1152, 612])
        XCTAssertEqual(EngineOptions.KVCacheType.q8_0.rowBytes(80), 3 * 34)
    }

    /// The scalar family runs the scalar twin on every path and repacks nothing; repacking off keeps every layout.
    func testScalarAndRepackOffPlans() throws {
        for t in Quant.supportedTypes {
            let p = try XCTUnwrap(KernelPlan(for: t, options: EngineOptions(kernels: .scalar)))
            XCTAssertEqual(p.type, t)
            XCTAssertNil(p.repackTarget)
            for path in KernelPlan.Path.allCases { XCTAssertEqual(p.kernelName(path), "scalar dot", "\(t.name) \(path)") }
            XCTAssertEqual(p.raw.pointee.family, Int32(CK_FAMILY_SCALAR))
            XCTAssertNil(p.raw.pointee.dot4)
            XCTAssertNil(p.raw.pointee.rows8)
            XCTAssertNil(KernelPlan(for: t, options: EngineOptions(repack: false))?.repackTarget)
        }
        XCTAssertNil(KernelPlan(for: .iq2_xxs, options: EngineOptions()), "no plan for an unsupported type")
        if ck_cpu_features() & UInt32(CK_AVX2) != 0 {
            XCTAssertEqual(KernelPlan(for: .q4_K, options: EngineOptions())?.repackTarget, .q4_K_r)
            XCTAssertEqual(KernelPlan(for: .q6_K, options: EngineOptions(kernels: .avx2))?.repackTarget, .q6_K_r)
        }
    }

    /// The lines between decode, small batches and batches.
    func testPaths() {
        XCTAssertEqual([1, 2, 3, 4, 5, 512].map { ck_path_for($0) },
                       [CK_PATH_DECODE, CK_PATH_SMALL, CK_PATH_SMALL, CK_PATH_BATCH, CK_PATH_BATCH, CK_PATH_BATCH].map { Int32($0) })
    }
}
