// Where the engine tests find their data: committed fixtures in the repo and the fetched test data cache.
import Foundation
import XCTest

enum TestData {
    /// Tests/Fixtures/engine in the repository.
    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/engine")
    }

    /// `GLMCHAT_TESTDATA` or ~/.cache/glmchat/testdata; skips (or fails under GLMCHAT_REQUIRE_TESTDATA=1) when absent.
    static func file(_ relative: String) throws -> String {
        let env = ProcessInfo.processInfo.environment
        let root = env["GLMCHAT_TESTDATA"] ?? (NSHomeDirectory() + "/.cache/glmchat/testdata")
        let path = root + "/" + relative
        if FileManager.default.fileExists(atPath: path) { return path }
        if env["GLMCHAT_REQUIRE_TESTDATA"] == "1" { XCTFail("missing test data \(path)"); throw XCTSkip("missing \(path)") }
        throw XCTSkip("test data \(path) is missing (run scripts/fetch-testdata)")
    }

    static func json(_ relative: String) throws -> Any {
        let url = fixtures.appendingPathComponent(relative)
        guard let d = try? Data(contentsOf: url) else { throw XCTSkip("fixture \(url.path) is missing") }
        return try JSONSerialization.jsonObject(with: d)
    }
}
