// The reader against gguf-py on real files: SmolLM2 and every llama.cpp vocab GGUF from the test data.
import Foundation
import XCTest
@testable import GGUF

/// The fetched test data folder, or nil (the test then skips, unless GLMCHAT_REQUIRE_TESTDATA=1).
func testDataDirectory() throws -> URL? {
    let env = ProcessInfo.processInfo.environment
    let path = env["GLMCHAT_TESTDATA"] ?? (NSHomeDirectory() + "/.cache/glmchat/testdata")
    if FileManager.default.fileExists(atPath: path + "/vocab") { return URL(fileURLWithPath: path) }
    if env["GLMCHAT_REQUIRE_TESTDATA"] == "1" { XCTFail("test data missing at \(path): run scripts/fetch-testdata"); return nil }
    throw XCTSkip("test data not fetched (scripts/fetch-testdata)")
}

final class GGUFReferenceTests: XCTestCase {
    func testEveryFileMatchesGGUFPy() throws {
        guard let data = try testDataDirectory() else { return }
        let refURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/gguf/reference.json")
        let ref = try JSONSerialization.jsonObject(with: Data(contentsOf: refURL)) as! [String: [String: Any]]
        XCTAssertGreaterThanOrEqual(ref.count, 20)
        for (fileName, expected) in ref.sorted(by: { $0.key < $1.key }) {
            let dir = fileName.hasPrefix("ggml-vocab") ? "vocab" : "models"
            let f = try GGUFFile(path: data.appendingPathComponent("\(dir)/\(fileName)").path)
            let meta = expected["metadata"] as! [String: Any]
            XCTAssertEqual(Set(f.metadata.keys), Set(meta.keys), fileName)
            for (k, v) in meta { check(f.metadata[k], v, "\(fileName) \(k)") }
            let tensors = expected["tensors"] as! [[String: Any]]
            XCTAssertEqual(f.tensors.count, tensors.count, fileName)
            for (t, e) in zip(f.tensors, tensors) {
                XCTAssertEqual(t.name, e["name"] as? String)
                XCTAssertEqual(t.type.name, e["type"] as? String, t.name)
                // gguf-py lists shapes ne0 first, as ggml does.
                XCTAssertEqual(t.dims, e["shape"] as? [Int], t.name)
                XCTAssertEqual(t.fileOffset, e["offset"] as? Int, t.name)
                XCTAssertEqual(t.byteCount, e["bytes"] as? Int, t.name)
            }
        }
    }

    func check(_ got: GGUFValue?, _ want: Any, _ what: String) {
        guard let got else { return XCTFail("\(what): missing") }
        switch want {
        case let s as String: XCTAssertEqual(got.stringValue, s, what)
        case let n as NSNumber:
            if case .bool(let b) = got { XCTAssertEqual(b, n.boolValue, what) } else { XCTAssertEqual(got.doubleValue!, n.doubleValue, accuracy: abs(n.doubleValue) * 1e-7, what) }
        case let d as [String: Any]:
            guard let a = got.arrayValue else { return XCTFail("\(what): not an array") }
            XCTAssertEqual(a.count, d["count"] as? Int, what)
            if let first = d["first"] as? [Any] {
                switch a {
                case .strings(let s): XCTAssertEqual(Array(s.prefix(3)), first as? [String], what)
                case .numbers(_, .float32), .numbers(_, .float64):
                    XCTAssertEqual(a.elements.prefix(3).map { $0.doubleValue! }, (first as? [NSNumber])?.map(\.doubleValue), what)
                default: XCTAssertEqual(a.ints.map { Array($0.prefix(3)) }, (first as? [NSNumber])?.map(\.intValue), what)
                }
            }
        default: XCTFail("\(what): unexpected reference value \(want)")
        }
    }
}
