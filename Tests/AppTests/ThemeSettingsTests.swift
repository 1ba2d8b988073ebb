// Themes (built-ins equal the shipped files, broken files fall back with a warning) and the settings file.
import XCTest
import Foundation
import Chat
@testable import App
@testable import TUI

final class ThemeSettingsTests: XCTestCase {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testBuiltinsMatchTheShippedFilesAndParse() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: repo.appendingPathComponent("themes").path).filter { $0.hasSuffix(".json") }
        XCTAssertEqual(Set(files.map { String($0.dropLast(5)) }), Set(Theme.builtinNames))
        for (name, json) in BuiltinThemes.sources {
            let file = try String(contentsOf: repo.appendingPathComponent("themes/\(name).json"), encoding: .utf8)
            XCTAssertEqual(file.trimmingCharacters(in: .whitespacesAndNewlines), json.trimmingCharacters(in: .whitespacesAndNewlines), name)
            let t = try Theme.parse(json)
            XCTAssertEqual(t.name, name)
            XCTAssertEqual(Set(t.slots.keys), Set(ThemeSlot.allCases), "\(name) defines every slot")
        }
        XCTAssertGreaterThanOrEqual(Theme.builtinNames.count, 4)
    }

    func testSixteenColourThemeUsesOnlySystemColours() throws {
        let t = try Theme.parse(BuiltinThemes.sources.first { $0.name == "basic16" }!.json)
        for st in t.slots.values {
            for c in [st.fg, st.bg] {
                if case .indexed(let i) = c { XCTAssertLessThan(i, 16) } else { XCTAssertEqual(c, .default) }
            }
        }
    }

    func testColourSyntax() throws {
        let t = try Theme.parse(##"{"name":"x","slots":{"background":{"bg":"#102030"},"text":{"fg":42,"bold":true},"dim":{"fg":"bright-red"}}}"##)
        XCTAssertEqual(t.slots[.background]?.bg, .rgb(0x10, 0x20, 0x30))
        XCTAssertEqual(t.slots[.text], Style(fg: .indexed(42), attrs: .bold))
        XCTAssertEqual(t.slots[.dim]?.fg, .indexed(9))
        // A slot it does not define falls back to text, on the background.
        XCTAssertEqual(t[.code], Style(fg: .indexed(42), bg: .rgb(0x10, 0x20, 0x30), attrs: .bold))
    }

    func testBrokenThemesAreRefusedWithAReason() {
        let cases = [
            ("not json", "not valid JSON"),
            (##"{"slots":{}}"##, "no \"name\""),
            (##"{"name":"x","slots":{"background":{},"text":{},"sparkle":{}}}"##, "unknown slot \"sparkle\""),
            (##"{"name":"x","slots":{"background":{"fg":"#12"},"text":{}}}"##, "background.fg"),
            (##"{"name":"x","slots":{"background":{"fg":300},"text":{}}}"##, "0–255"),
            (##"{"name":"x","slots":{"text":{}}}"##, "lacks the \"background\" slot"),
        ]
        for (json, reason) in cases {
            XCTAssertThrowsError(try Theme.parse(json)) { e in
                XCTAssertTrue("\(e)".contains(reason), "\(e) should mention \(reason)")
            }
        }
    }

    func testUserThemeFolderWinsAndBrokenFileFallsBack() throws {
        let d = try tempDir()
        try ##"{"name":"mine","slots":{"background":{"bg":"black"},"text":{"fg":"white"}}}"##.write(toFile: d + "/mine.json", atomically: true, encoding: .utf8)
        try "{ broken".write(toFile: d + "/light.json", atomically: true, encoding: .utf8)
        let (mine, w1) = Theme.load(named: "mine", userDir: d)
        XCTAssertEqual(mine.name, "mine"); XCTAssertNil(w1)
        let (light, w2) = Theme.load(named: "light", userDir: d)
        XCTAssertEqual(light.name, "dark")
        XCTAssertTrue(w2?.contains("is broken") == true)
        let (none, w3) = Theme.load(named: "nope", userDir: d)
        XCTAssertEqual(none.name, "dark")
        XCTAssertTrue(w3?.contains("no theme named nope") == true)
        XCTAssertEqual(Theme.load(named: "high-contrast", userDir: d).0.name, "high-contrast")
    }

    func testSettingsRoundTripAndTolerance() throws {
        let d = try tempDir()
        let path = d + "/sub/settings.json"
        XCTAssertEqual(SettingsFile.load(path: path).0, Settings())
        var s = Settings()
        s.thinking = false; s.expandThinking = true; s.theme = "light"; s.sampling.temperature = 0.7; s.model = "/m.gguf"
        try SettingsFile.save(s, path: path)
        XCTAssertEqual(SettingsFile.load(path: path).0, s)
        // Unknown keys are ignored, missing ones take defaults, wrong types too.
        try ##"{"theme": "light", "thinking": "yes", "future_key": 1}"##.write(toFile: path, atomically: true, encoding: .utf8)
        let (t, w) = SettingsFile.load(path: path)
        XCTAssertNil(w)
        XCTAssertEqual(t.theme, "light"); XCTAssertEqual(t.thinking, true)
        try "[1,2".write(toFile: path, atomically: true, encoding: .utf8)
        let (b, w2) = SettingsFile.load(path: path)
        XCTAssertEqual(b, Settings()); XCTAssertNotNil(w2)
    }

    func testConfigDirFollowsXDG() {
        XCTAssertEqual(SettingsFile.configDir(["XDG_CONFIG_HOME": "/x", "HOME": "/h"]), "/x/glmchat")
        XCTAssertEqual(SettingsFile.configDir(["HOME": "/h"]), "/h/.config/glmchat")
    }
}
