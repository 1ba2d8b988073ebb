// Key decoding (Alt as ESC prefix, bracketed paste, swallowed escape sequences) and colour fallbacks
// (xterm-256 cube/grey ramp and 16-colour nearest).
import XCTest
@testable import Terminal
@testable import TUI

final class KeyDecoderTests: XCTestCase {
    let codes = KeyCodes(up: 259, down: 258, left: 260, right: 261, home: 262, end: 360, pageUp: 339, pageDown: 338,
                         backspace: 263, delete: 330, enter: 343, backTab: 353, resize: 410, f1: 265, pasteStart: 1000, pasteEnd: 1001, mouse: 409,
                         wheelUp: 1002, wheelDown: 1003)

    func keys(_ events: [Event]) -> [KeyPress] { events.compactMap { if case .key(let k) = $0 { return k }; return nil } }
    func chars(_ s: String) -> [RawInput] { s.unicodeScalars.map { .char($0.value) } }

    func testPlainKeysAndControls() {
        var d = KeyDecoder(codes: codes)
        let ev = keys(d.feed(chars("a中") + [.char(13), .char(10), .char(3), .char(127), .char(9), .key(259), .key(266)]))
        XCTAssertEqual(ev, [KeyPress(.char("a")), KeyPress(.char("中")), KeyPress(.enter), KeyPress(.ctrl("j")), KeyPress(.ctrl("c")),
                            KeyPress(.backspace), KeyPress(.tab), KeyPress(.up), KeyPress(.function(2))])
    }

    func testEscapeAloneAndAltPrefix() {
        var d = KeyDecoder(codes: codes)
        XCTAssertEqual(keys(d.feed([.char(27)])), [KeyPress(.escape)])
        XCTAssertEqual(keys(d.feed([.char(27), .char(13)])), [KeyPress(.enter, alt: true)])
        XCTAssertEqual(keys(d.feed([.char(27), .char(0x62)])), [KeyPress(.char("b"), alt: true)])
        XCTAssertEqual(keys(d.feed([.char(27), .char(27)])), [KeyPress(.escape), KeyPress(.escape)])
    }

    func testBracketedPasteByKeyCodesAndRawSequence() {
        var d = KeyDecoder(codes: codes)
        var ev = d.feed([.key(1000)] + chars("line1") + [.char(13)] + chars("line2\tx") + [.key(1001)] + chars("z"))
        guard case .paste(let p) = ev.first else { return XCTFail("no paste") }
        XCTAssertEqual(p, "line1\nline2\tx")
        XCTAssertEqual(keys(ev), [KeyPress(.char("z"))])
        // Unregistered: ESC [ 200 ~ … ESC [ 201 ~ as characters, split over two reads.
        XCTAssertTrue(d.feed(chars("\u{1B}[200~ab")).isEmpty)
        ev = d.feed(chars("c\u{1B}[201~"))
        guard case .paste(let p2) = ev.first else { return XCTFail("no paste") }
        XCTAssertEqual(p2, "abc")
    }

    func testWheel() {
        var d = KeyDecoder(codes: codes)
        XCTAssertEqual(keys(d.feed([.key(1002), .key(1003), .key(409)])), [KeyPress(.wheelUp), KeyPress(.wheelDown)])
    }

    func testClicksKeepTheirCellAndPastesIgnoreThem() {
        var d = KeyDecoder(codes: codes)
        let events = d.feed([.click(x: 7, y: 3), .char(0x61)])
        guard events.count == 2, case .click(let x, let y) = events[0] else { return XCTFail("\(events)") }
        XCTAssertEqual([x, y], [7, 3])
        XCTAssertEqual(keys(Array(events.dropFirst())), [KeyPress(.char("a"))])
        let pasted = d.feed([.key(codes.pasteStart), .char(0x62), .click(x: 1, y: 1), .char(0x63), .key(codes.pasteEnd)])
        guard pasted.count == 1, case .paste(let text) = pasted[0] else { return XCTFail("\(pasted)") }
        XCTAssertEqual(text, "bc")
    }

    func testUnknownSequencesAreSwallowed() {
        var d = KeyDecoder(codes: codes)
        XCTAssertEqual(keys(d.feed(chars("\u{1B}[1;5Px\u{1B}[A\u{1B}OP"))), [KeyPress(.char("x")), KeyPress(.up), KeyPress(.function(1))])
    }

    /// tmux, screen and rxvt send Home/End as ESC [ 1 ~ / ESC [ 4 ~ (or 7 ~ / 8 ~) whatever TERM's terminfo says, so
    /// ncurses passes them through raw; xterm in application mode sends ESC O H / ESC O F.
    func testTildeAndSS3SequencesTerminfoDidNotRegister() {
        var d = KeyDecoder(codes: codes)
        let raw = "\u{1B}[1~\u{1B}[4~\u{1B}[7~\u{1B}[8~\u{1B}[3~\u{1B}[5~\u{1B}[6~\u{1B}[15~\u{1B}[24~\u{1B}OH\u{1B}OF\u{1B}[1;5H\u{1B}[99~"
        XCTAssertEqual(keys(d.feed(chars(raw))), [KeyPress(.home), KeyPress(.end), KeyPress(.home), KeyPress(.end), KeyPress(.delete),
                                                  KeyPress(.pageUp), KeyPress(.pageDown), KeyPress(.function(5)), KeyPress(.function(12)),
                                                  KeyPress(.home), KeyPress(.end), KeyPress(.home)])
    }
}

final class ColorMapperTests: XCTestCase {
    func testXterm256Nearest() {
        // Exact cube and grey-ramp colours of the xterm palette map to their own index.
        let known: [(Int, Int, Int, Int)] = [(255, 0, 0, 196), (0x87, 0xaf, 0xff, 111), (0x1c, 0x1c, 0x1c, 234), (0x80, 0x80, 0x80, 244),
                                             (0xd0, 0xd0, 0xd0, 252), (0, 0, 0, 16), (255, 255, 255, 231), (0x5f, 0xd7, 0xd7, 80)]
        for (r, g, b, i) in known { XCTAssertEqual(ColorMapper.nearest256(r, g, b), i, "\(r),\(g),\(b)") }
    }

    func testFallbacks() {
        let m256 = ColorMapper(colors: 256), m16 = ColorMapper(colors: 16), m8 = ColorMapper(colors: 8), m0 = ColorMapper(colors: 0)
        XCTAssertEqual(m256.number(.rgb(255, 0, 0)), 196)
        XCTAssertEqual(m16.number(.rgb(255, 0, 0)), 9)
        XCTAssertEqual(m8.number(.rgb(255, 0, 0)), 1)
        XCTAssertEqual(m16.number(.indexed(196)), 9)
        XCTAssertEqual(m16.number(.indexed(12)), 12)
        XCTAssertEqual(m8.number(.indexed(12)), 4)          // bright blue → blue
        XCTAssertEqual(m8.number(.indexed(8)), 7)           // bright black → white, not black
        XCTAssertEqual(m8.number(.rgb(0x8a, 0x8a, 0x8a)), 7)
        XCTAssertEqual(m0.number(.rgb(1, 2, 3)), -1)
        XCTAssertEqual(m256.number(.default), -1)
    }
}

final class FrameDiffTests: XCTestCase {
    func testOnlyChangedCellsAreDrawn() {
        var a = Buffer(width: 10, height: 2)
        a.put("hello", x: 0, y: 0, style: .plain)
        var b = a
        XCTAssertTrue(FrameDiff.changes(from: a, to: b).isEmpty)
        b.put("J", x: 0, y: 0, style: .plain)
        b.put("z", x: 9, y: 1, style: .plain)
        XCTAssertEqual(FrameDiff.changes(from: a, to: b).map { [$0.x, $0.y] }, [[0, 0], [9, 1]])
        // A style change alone is a change.
        var c = a
        c.put("h", x: 0, y: 0, style: Style(attrs: .bold))
        XCTAssertEqual(FrameDiff.changes(from: a, to: c).map { [$0.x, $0.y] }, [[0, 0]])
    }

    func testWideCharactersAreDrawnByTheirLeftHalfOnce() {
        var a = Buffer(width: 6, height: 1)
        a.put("abcdef", x: 0, y: 0, style: .plain)
        var b = a
        b.put("中", x: 2, y: 0, style: .plain)
        XCTAssertEqual(FrameDiff.changes(from: a, to: b).map(\.x), [2])
        // Same wide char, only its right half's old content differed: still drawn once, from the left.
        XCTAssertEqual(FrameDiff.changes(from: nil, to: b).map(\.x), [0, 1, 2, 4, 5])
    }

    func testResizeRedrawsEverything() {
        let a = Buffer(width: 3, height: 1), b = Buffer(width: 4, height: 1)
        XCTAssertEqual(FrameDiff.changes(from: a, to: b).count, 4)
    }

    func testClipboardSequence() {
        XCTAssertEqual(FrameDiff.clipboardSequence("hello"), "\u{1B}]52;c;aGVsbG8=\u{07}")
        XCTAssertEqual(FrameDiff.clipboardSequence("中"), "\u{1B}]52;c;5Lit\u{07}")
    }
}
