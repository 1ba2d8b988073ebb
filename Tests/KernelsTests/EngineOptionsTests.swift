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
        XCTAssertThrowsError(try parse(["GLMCHAT_REPACK": "no"]))
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
