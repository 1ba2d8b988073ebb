// Every text slot of every built-in theme reads at WCAG 2.x contrast ≥ 4.5:1 against the background it is
// drawn on (relative luminance of sRGB; xterm's 256-colour palette for indexed colours).
import XCTest
@testable import TUI

final class ThemeContrastTests: XCTestCase {
    /// xterm's default 16 colours, then the 6×6×6 cube and the grey ramp.
    static func rgb(_ c: Color) -> (Double, Double, Double)? {
        switch c {
        case .default: return nil
        case .rgb(let r, let g, let b): return (Double(r), Double(g), Double(b))
        case .indexed(let i):
            let base16: [(Double, Double, Double)] = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
                                                      (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
            if i < 16 { return base16[Int(i)] }
            if i >= 232 { let v = Double(8 + 10 * (Int(i) - 232)); return (v, v, v) }
            let n = Int(i) - 16, level = { (k: Int) -> Double in k == 0 ? 0 : Double(55 + 40 * k) }
            return (level(n / 36), level(n / 6 % 6), level(n % 6))
        }
    }

    static func luminance(_ c: (Double, Double, Double)) -> Double {
        func lin(_ v: Double) -> Double { let s = v / 255; return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4) }
        return 0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
    }

    static func ratio(_ a: (Double, Double, Double), _ b: (Double, Double, Double)) -> Double {
        let x = luminance(a), y = luminance(b)
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }

    func testFormulaAndPaletteAgainstKnownValues() {
        // WCAG's own end points and the well-known #767676-on-white threshold (4.54:1), #777777 (4.48:1).
        XCTAssertEqual(Self.ratio((255, 255, 255), (0, 0, 0)), 21, accuracy: 1e-9)
        XCTAssertEqual(Self.ratio((0x76, 0x76, 0x76), (255, 255, 255)), 4.54, accuracy: 0.005)
        XCTAssertEqual(Self.ratio((0x77, 0x77, 0x77), (255, 255, 255)), 4.48, accuracy: 0.005)
        // xterm: 244 is grey 128, 16 black, 21 pure blue, 196 pure red, 110 = (135, 175, 215).
        XCTAssertTrue(Self.rgb(.indexed(244))! == (128, 128, 128))
        XCTAssertTrue(Self.rgb(.indexed(21))! == (0, 0, 255))
        XCTAssertTrue(Self.rgb(.indexed(196))! == (255, 0, 0))
        XCTAssertTrue(Self.rgb(.indexed(110))! == (135, 175, 215))
        // The light theme's old thinking colour (244 on white) is the failure the issue names: 3.95:1.
        XCTAssertEqual(Self.ratio(Self.rgb(.indexed(244))!, (255, 255, 255)), 3.95, accuracy: 0.01)
    }

    /// Every slot but the background draws text; code tokens are also drawn on the plain background (diffs).
    /// basic16 is left out: its colours are the terminal's own palette and `default`, which the user's
    /// terminal decides (a test in AppTests keeps it to those 16 colours).
    func testEveryTextSlotOfEveryBuiltinThemeReachesFourAndAHalf() throws {
        var failures: [String] = []
        for theme in Theme.builtins where theme.name != "basic16" {
            let page = try XCTUnwrap(Self.rgb(theme[.background].bg), "\(theme.name) sets its background colour")
            for slot in ThemeSlot.allCases {
                let st = theme[slot]
                guard let fg = Self.rgb(st.fg == .default ? theme[.background].fg : st.fg), let bg = Self.rgb(st.bg) ?? Optional(page) else {
                    failures.append("\(theme.name).\(slot.rawValue) has no colour to measure"); continue
                }
                var grounds = [("its background", bg)]
                if ThemeSlot.codeTokens.contains(slot) || slot == .error || slot == .accent { grounds.append(("the page", page)) }
                for (what, g) in grounds {
                    let r = Self.ratio(fg, g)
                    if r < 4.5 { failures.append("\(theme.name).\(slot.rawValue) on \(what): \(String(format: "%.2f", r)):1") }
                }
            }
        }
        XCTAssertEqual(failures, [], "under 4.5:1")
    }
}
