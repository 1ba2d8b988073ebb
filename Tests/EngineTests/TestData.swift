// Where the engine tests find their data: committed fixtures in the repo and the fetched test data cache.
import Foundation
import XCTest

enum TestData {
    /// Tests/Fixtures/engine in the repository (GLMCHAT_ENGINE_FIXTURES overrides it).
    static var fixtures: URL {
        if let dir = ProcessInfo.processInfo.environment["GLMCHAT_ENGINE_FIXTURES"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/engine")
    }

    static func fixture(_ relative: String) -> String { fixtures.appendingPathComponent(relative).path }

    /// This helper's own committed fixtures (errors/, smollm2/), always from the repository.
    static func own(_ relative: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/engine").appendingPathComponent(relative).path
    }

    /// Little-endian f32 or f16 values of a golden file.
    static func floats(_ relative: String, dtype: String) throws -> [Float] {
        let d = try Data(contentsOf: fixtures.appendingPathComponent(relative))
        return d.withUnsafeBytes { raw in
            if dtype == "f16" {
                return (0..<d.count / 2).map { Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)))) }
            }
            return (0..<d.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
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

    static func json(_ relative: String, own: Bool = false) throws -> Any {
        let url = own ? URL(fileURLWithPath: Self.own(relative)) : fixtures.appendingPathComponent(relative)
        guard let d = try? Data(contentsOf: url) else { throw XCTSkip("fixture \(url.path) is missing") }
        return try JSONSerialization.jsonObject(with: d)
    }
}
