// Locating test data (GLMCHAT_TESTDATA or ~/.cache/glmchat/testdata) and the committed fixtures.
import Foundation
import XCTest
import GGUF
@testable import Tokenizer

enum TestData {
    static var root: String {
        if let e = ProcessInfo.processInfo.environment["GLMCHAT_TESTDATA"], !e.isEmpty { return e }
        return NSHomeDirectory() + "/.cache/glmchat/testdata"
    }
    static var required: Bool { ProcessInfo.processInfo.environment["GLMCHAT_REQUIRE_TESTDATA"] == "1" }

    /// The path of a test data file; skips the test (or fails, when test data is required) if it is missing.
    static func path(_ rel: String) throws -> String {
        let p = root + "/" + rel
        if !FileManager.default.fileExists(atPath: p) {
            if required { XCTFail("missing test data \(p)"); throw XCTSkip("missing \(p)") }
            throw XCTSkip("test data \(p) not found")
        }
        return p
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/tokenizer")

    nonisolated(unsafe) private static var cache: [String: Tokenizer] = [:]
    private static let lock = NSLock()

    /// A tokenizer for a GGUF file (cached per path).
    static func tokenizer(_ path: String) throws -> Tokenizer {
        lock.lock(); defer { lock.unlock() }
        if let t = cache[path] { return t }
        let t = try Tokenizer(gguf: try GGUFFile(path: path))
        cache[path] = t
        return t
    }
}
