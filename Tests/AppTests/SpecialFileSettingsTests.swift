// A FIFO (or device) where the settings file or a theme file should be is refused with a reason, never waited on.
#if canImport(Glibc)
import Glibc
#endif
import XCTest
import Foundation
@testable import App
@testable import TUI

final class SpecialFileSettingsTests: XCTestCase {
    func testAFIFOSettingsFileGivesDefaultsAndAWarning() throws {
        let dir = try tempDir()
        XCTAssertEqual(mkfifo(dir + "/settings.json", 0o600), 0)
        let (s, warning) = SettingsFile.load(path: dir + "/settings.json")
        XCTAssertEqual(s, Settings())
        XCTAssertTrue(warning?.contains("not a regular file") ?? false, warning ?? "no warning")
        XCTAssertThrowsError(try SettingsFile.save(Settings(), path: dir + "/settings.json")) { e in
            XCTAssertTrue("\(e)".contains("not a regular file"), "\(e)")
        }
    }

    func testAFIFOThemeIsLeftOutWithAWarning() throws {
        let dir = try tempDir()
        XCTAssertEqual(mkfifo(dir + "/slow.json", 0o600), 0)
        let (themes, warnings) = Theme.all(userDir: dir)
        XCTAssertFalse(themes.contains { $0.name == "slow" })
        XCTAssertTrue(warnings.first?.contains("not a regular file") ?? false, "\(warnings)")
        let (_, warning) = Theme.load(named: "slow", userDir: dir)
        XCTAssertTrue(warning?.contains("not a regular file") ?? false, warning ?? "no warning")
    }
}
