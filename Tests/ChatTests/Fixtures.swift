// Locates the committed chat fixtures (Tests/Fixtures/chat) and the optional real test data folder.
import Foundation
import XCTest

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/chat")
    static func url(_ rel: String) -> URL { root.appendingPathComponent(rel) }
    static func text(_ rel: String) throws -> String { try String(contentsOf: url(rel), encoding: .utf8) }

    /// GLMCHAT_TESTDATA or ~/.cache/glmchat/testdata; skips (or fails under GLMCHAT_REQUIRE_TESTDATA=1) when absent.
    static func testdata(_ rel: String) throws -> URL {
        let env = ProcessInfo.processInfo.environment
        let base = env["GLMCHAT_TESTDATA"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/glmchat/testdata")
        let u = base.appendingPathComponent(rel)
        if !FileManager.default.fileExists(atPath: u.path) {
            if env["GLMCHAT_REQUIRE_TESTDATA"] == "1" { XCTFail("missing test data \(u.path)"); throw XCTSkip("missing") }
            throw XCTSkip("test data \(u.path) is not available")
        }
        return u
    }
}
