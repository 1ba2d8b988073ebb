// Column widths checked against glibc's wcwidth (an independent implementation) and Unicode's emoji rules.
import XCTest
import Glibc
@testable import TUI

/// glibc's wcwidth, looked up at run time (Swift's Glibc module hides it behind _XOPEN_SOURCE).
private func wcwidth(_ c: wchar_t) -> Int32 {
    typealias F = @convention(c) (wchar_t) -> Int32
    guard let sym = dlsym(dlopen(nil, RTLD_NOW), "wcwidth") else { return -2 }
    return unsafeBitCast(sym, to: F.self)(c)
}

final class CharWidthTests: XCTestCase {
    override class func setUp() { _ = setlocale(LC_ALL, "C.UTF-8") }

    func testSingleScalarsMatchGlibcWcwidth() throws {
        try XCTSkipUnless(wcwidth(0x4E2D) == 2, "the C.UTF-8 locale is not available")
        let samples: [UInt32] = [
            0x41, 0x7E, 0xE9, 0x3B1, 0x416, 0x5D0, 0x627,            // Latin, Greek, Cyrillic, Hebrew, Arabic
            0x300, 0x301, 0x36F, 0x483, 0x5B0, 0x64B, 0x200B, 0x200D, 0xFE0F, 0x20E3,   // combining / zero width
            0x1100, 0x115F, 0x1160, 0x11A8,                           // Hangul jamo: wide initial, zero medial/final
            0x3000, 0x3042, 0x30A2, 0x4E00, 0x4E2D, 0x9FA5, 0xAC00, 0xD7A3, 0xFF01, 0xFF21, 0xFF61, 0xFFE0,
            0x2E80, 0x3400, 0xF900, 0xFE30, 0x20000, 0x2A6D6, 0x30000,
            0x1F600, 0x1F680, 0x1F44D, 0x1F1EF, 0x2705, 0x231A, 0x2B50, 0x1F9E0,      // emoji presentation
            0x2764, 0x263A, 0x2122, 0x2190, 0x25B6,                   // text-presentation symbols: 1
        ]
        for v in samples {
            let s = Unicode.Scalar(v)!
            XCTAssertEqual(CharWidth.scalarWidth(s), Int(wcwidth(wchar_t(v))), String(format: "U+%04X", v))
        }
    }

    func testGraphemeClusters() {
        XCTAssertEqual(CharWidth.of(Character("e\u{301}")), 1)                  // e + combining acute
        XCTAssertEqual(CharWidth.of(Character("👨‍👩‍👧")), 2)                          // ZWJ family
        XCTAssertEqual(CharWidth.of(Character("🇯🇵")), 2)                          // flag = two regional indicators
        XCTAssertEqual(CharWidth.of(Character("👍🏽")), 2)                          // skin tone
        XCTAssertEqual(CharWidth.of(Character("❤\u{FE0F}")), 2)                 // VS16 asks for emoji presentation
        XCTAssertEqual(CharWidth.of(Character("1\u{FE0F}\u{20E3}")), 2)         // keycap
        XCTAssertEqual(CharWidth.of(Character("각")), 2)
        XCTAssertEqual(CharWidth.of("中文abc"), 7)
        XCTAssertEqual(CharWidth.of("\u{200B}"), 0)
    }
}
