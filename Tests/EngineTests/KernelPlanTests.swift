// The kernel plans a loaded model's matrices hold (what `glmchat info --kernels` prints) follow its options.
import XCTest
import CKernels
@testable import Engine
import Kernels
import GGUF

final class KernelPlanTests: XCTestCase {
    /// Repacked tensors read the repacked layout, the others the file's; the scalar family repacks nothing and runs
    /// the scalar twin on every path; vectors (norms) have no plan.
    func testModelPlansFollowTheOptions() throws {
        let path = TestData.fixture("glm256-q4_k_m.gguf")
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("no \(path)") }
        let auto = try Model(path: path, threads: 1, options: EngineOptions())
        let scalar = try Model(path: path, threads: 1, options: EngineOptions(kernels: .scalar))
        XCTAssertEqual(scalar.repackedBytes, 0)
        var matrices = 0
        for t in auto.gguf.tensors {
            guard let p = auto.kernelPlan(ofTensor: t.name) else {
                XCTAssertNil(scalar.kernelPlan(ofTensor: t.name), t.name)
                continue
            }
            matrices += 1
            let s = try XCTUnwrap(scalar.kernelPlan(ofTensor: t.name))
            XCTAssertEqual(s.type, t.type, "\(t.name): the scalar family reads the file's layout")
            for path in KernelPlan.Path.allCases { XCTAssertEqual(s.kernelName(path), "scalar dot", "\(t.name) \(path)") }
            let target = KernelPlan(for: t.type, options: EngineOptions())?.repackTarget
            if auto.repackedBytes > 0, let target, t.name != "token_embd.weight" {
                XCTAssertEqual(p.type, target, "\(t.name): repacked")
            } else if target == nil {
                XCTAssertEqual(p.type, t.type, "\(t.name): kept")
            }
        }
        XCTAssertGreaterThan(matrices, 0)
        EngineOptions().applyToElementwiseKernels()
    }
}
