// The command rules ("p" in the approval panel) in settings.json: saved under "allowed_commands" by
// workspace folder, read back, and a save from one workspace keeps the rules another glmchat wrote for another.
import XCTest
import Foundation
@testable import App
@testable import TUI

final class CommandRulesSettingsTests: XCTestCase {
    func testRulesAreSavedByWorkspaceAndReadBack() throws {
        let path = try tempDir() + "/settings.json"
        var s = Settings()
        s.allowedCommands = ["/work/proj": ["swift test", "make check"]]
        try SettingsFile.save(s, path: path, keys: SettingsFile.changedKeys(from: Settings(), to: s, among: SettingsFile.panelKeys))
        let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? NSDictionary)
        XCTAssertEqual((o["allowed_commands"] as? NSDictionary)?["/work/proj"] as? [String], ["swift test", "make check"])
        XCTAssertEqual(SettingsFile.load(path: path).0.allowedCommands, ["/work/proj": ["swift test", "make check"]])
    }

    func testASaveKeepsOtherWorkspacesRulesAndRemovesOnesOwn() throws {
        let path = try tempDir() + "/settings.json"
        try #"{"allowed_commands": {"/a": ["ls"], "/b": ["make"]}, "theme": "light"}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let start = SettingsFile.load(path: path).0
        // Meanwhile another glmchat added a rule for /c.
        try #"{"allowed_commands": {"/a": ["ls"], "/b": ["make"], "/c": ["cargo test"]}, "theme": "light"}"#.write(toFile: path, atomically: true, encoding: .utf8)
        var s = start
        s.allowedCommands["/a"] = []   // the last rule of /a removed in F3
        try SettingsFile.save(s, path: path, keys: SettingsFile.changedKeys(from: start, to: s, among: SettingsFile.panelKeys))
        XCTAssertEqual(SettingsFile.load(path: path).0.allowedCommands, ["/a": [], "/b": ["make"], "/c": ["cargo test"]])
    }

    func testABrokenRulesValueGivesNoRules() throws {
        let path = try tempDir() + "/settings.json"
        try #"{"allowed_commands": ["not", "an", "object"], "theme": "light"}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let (s, warning) = SettingsFile.load(path: path)
        XCTAssertEqual(s.allowedCommands, [:])
        XCTAssertEqual(s.theme, "light")
        XCTAssertNil(warning)
    }
}
