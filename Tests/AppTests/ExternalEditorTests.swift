// The external editor: the text goes to a private temp file, the editor command line ($VISUAL before $EDITOR) is
// split by the shell, the file comes back without the final line break editors add; a failing editor leaves the
// text as it was; the temp file is gone afterwards.
import XCTest
import Foundation
@testable import App

final class ExternalEditorTests: XCTestCase {
    func testTheEditedFileComesBack() throws {
        let dir = try tempDir()
        let env = ["VISUAL": "sed -i -e s/draft/final/ -e '$a\\\\second line'", "EDITOR": "false", "TMPDIR": dir]
        let out = ExternalEditor.edit("a draft message", environment: env)
        XCTAssertEqual(out.text, "a final message\nsecond line")
        XCTAssertNil(out.note)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "the temp file is removed")
    }

    func testAFailingEditorKeepsTheText() throws {
        let dir = try tempDir()
        let out = ExternalEditor.edit("keep me", environment: ["EDITOR": "exit 3 #", "TMPDIR": dir])
        XCTAssertNil(out.text)
        XCTAssertEqual(out.note, "the editor exit 3 # ended with status 3; the text is as it was")
        let same = ExternalEditor.edit("same\n", environment: ["EDITOR": "true", "TMPDIR": dir])
        XCTAssertEqual(same.text, "same")
        XCTAssertEqual(same.note, nil)
        let unchanged = ExternalEditor.edit("same", environment: ["EDITOR": "true", "TMPDIR": dir])
        XCTAssertEqual(unchanged.note, "unchanged")
    }

    func testTheFileIsPrivate() throws {
        let dir = try tempDir()
        let probe = dir + "/mode"
        let out = ExternalEditor.edit("x", environment: ["EDITOR": "stat -c %a > \(probe)", "TMPDIR": dir])
        XCTAssertEqual(out.note, "unchanged")
        XCTAssertEqual(try String(contentsOfFile: probe, encoding: .utf8), "600\n")
    }
}
