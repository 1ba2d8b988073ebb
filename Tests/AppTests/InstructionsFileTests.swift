// Reading the workspace's instructions file: AGENTS.md before .glmchat/instructions.md, a long one cut at a line
// end within the cap, and files that cannot be used (a FIFO, Latin-1 text) refused with a reason, never waited on.
import XCTest
import Foundation
import Chat
@testable import App

final class InstructionsFileTests: XCTestCase {
    func testTheFirstFileFoundIsReadAndALongOneIsCutAtALineEnd() throws {
        let ws = try tempDir()
        XCTAssertNil(InstructionsFile.load(workspace: ws).0)
        try FileManager.default.createDirectory(atPath: ws + "/.glmchat", withIntermediateDirectories: true)
        try "Second choice.\n".write(toFile: ws + "/.glmchat/instructions.md", atomically: true, encoding: .utf8)
        XCTAssertEqual(InstructionsFile.load(workspace: ws).0?.source, ".glmchat/instructions.md")
        let line = String(repeating: "é", count: 49) + "\n"   // 99 bytes a line
        let long = String(repeating: line, count: 400)          // 39,600 bytes
        try long.write(toFile: ws + "/AGENTS.md", atomically: true, encoding: .utf8)
        let (i, warning) = InstructionsFile.load(workspace: ws)
        XCTAssertNil(warning)
        let got = try XCTUnwrap(i)
        XCTAssertEqual(got.source, "AGENTS.md")
        XCTAssertEqual(got.fileBytes, 39_600)
        XCTAssertTrue(got.truncated)
        XCTAssertEqual(got.text, String(repeating: line, count: ProjectInstructions.maxBytes / 99))
    }

    func testACutWithoutALineEndNeverSplitsACharacter() {
        let bytes = Array(String(repeating: "日本", count: 20).utf8)   // 3 bytes a character, no line end
        for n in 1...bytes.count {
            let cut = CappedTextFile.cut(Array(bytes.prefix(n)))
            XCTAssertNotNil(String(validating: cut, as: UTF8.self), "cut at \(n)")
            XCTAssertGreaterThanOrEqual(cut.count, n - 6)
        }
    }

    func testFilesThatCannotBeUsedAreRefusedWithAReason() throws {
        let ws = try tempDir()
        XCTAssertEqual(mkfifo(ws + "/AGENTS.md", 0o600), 0)
        var (i, warning) = InstructionsFile.load(workspace: ws)
        XCTAssertNil(i)
        XCTAssertEqual(warning, "AGENTS.md is not a regular file; it is not sent to the model")
        unlink(ws + "/AGENTS.md")
        try Data([0x63, 0x61, 0x66, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: ws + "/AGENTS.md"))   // "café" in Latin-1
        (i, warning) = InstructionsFile.load(workspace: ws)
        XCTAssertNil(i)
        XCTAssertEqual(warning, "AGENTS.md is not UTF-8 text; it is not sent to the model")
    }
}
