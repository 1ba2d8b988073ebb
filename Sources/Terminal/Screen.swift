// The ncurses screen: start/stop (always restoring the terminal), colours, drawing only the cells
// that changed since the last frame, and reading keys without blocking.
import Foundation
import CNcursesw
import TUI

public struct TerminalError: Error, CustomStringConvertible {
    public let description: String
}

public final class Screen {
    private var previous: Buffer? = nil
    private var pairs: [Int64: Int32] = [:]
    private var colorsOK = false
    private(set) var mapper = ColorMapper(colors: 0)
    private var active = false
    public private(set) var decoder: KeyDecoder
    let codes: KeyCodes
    /// The locale is UTF-8 (otherwise wide characters cannot be shown properly).
    public let utf8: Bool

    /// `mouse`: report wheel turns and clicks (the terminal's own text selection then needs Shift).
    public init(mouse: Bool = false) throws {
        guard isatty(0) == 1, isatty(1) == 1 else { throw TerminalError(description: "the chat needs a terminal (stdin and stdout must be a TTY)") }
        utf8 = nc_setlocale() == 1
        nc_save_terminal()
        nc_install_signal_handlers()
        guard initscr() != nil else { throw TerminalError(description: "could not start the terminal screen (check $TERM)") }
        active = true
        let pasteStart = Int32(KEY_MAX) + 1, pasteEnd = Int32(KEY_MAX) + 2
        var codes = KeyCodes(up: Int32(KEY_UP), down: Int32(KEY_DOWN), left: Int32(KEY_LEFT), right: Int32(KEY_RIGHT),
                         home: Int32(KEY_HOME), end: Int32(KEY_END), pageUp: Int32(KEY_PPAGE), pageDown: Int32(KEY_NPAGE),
                         backspace: Int32(KEY_BACKSPACE), delete: Int32(KEY_DC), enter: Int32(KEY_ENTER), backTab: Int32(KEY_BTAB),
                         resize: Int32(KEY_RESIZE), f1: nc_key_f(1), pasteStart: pasteStart, pasteEnd: pasteEnd, mouse: Int32(KEY_MOUSE))
        codes.wheelUp = Int32(KEY_MAX) + 3
        codes.wheelDown = Int32(KEY_MAX) + 4
        decoder = KeyDecoder(codes: codes)
        self.codes = codes
        raw()
        noecho()
        nonl()
        keypad(nc_stdscr(), true)
        nodelay(nc_stdscr(), true)
        set_escdelay(25)
        _ = define_key("\u{1B}[200~", pasteStart)
        _ = define_key("\u{1B}[201~", pasteEnd)
        if has_colors() {
            start_color()
            use_default_colors()
            colorsOK = true
            mapper = ColorMapper(colors: Int(nc_colors()))
        }
        if mouse { _ = nc_enable_mouse() }
        writeRaw("\u{1B}[?2004h")   // bracketed paste on
    }

    deinit { stop() }

    /// Gives the terminal back exactly as it was. Safe to call twice.
    public func stop() {
        guard active else { return }
        active = false
        writeRaw("\u{1B}[?2004l")
        endwin()
    }

    public var size: (width: Int, height: Int) { (Int(nc_getmaxx(nc_stdscr())), Int(nc_getmaxy(nc_stdscr()))) }

    /// Draws a frame, touching only the cells that differ from the previous one.
    public func draw(_ buf: Buffer) {
        if previous == nil || previous!.width != buf.width || previous!.height != buf.height {
            werase(nc_stdscr()); pairs.removeAll(keepingCapacity: true)
        }
        let win = nc_stdscr()
        for (x, y) in FrameDiff.changes(from: previous, to: buf) { put(buf[x, y], x, y, win) }
        if let c = buf.cursor, c.x >= 0, c.x < buf.width, c.y >= 0, c.y < buf.height {
            curs_set(1)
            wmove(win, Int32(c.y), Int32(c.x))
        } else {
            curs_set(0)
        }
        wnoutrefresh(win)
        doupdate()
        previous = buf
    }

    /// Forgets the last frame so the next draw repaints everything (after a resize).
    public func invalidate() {
        previous = nil
        clearok(nc_stdscr(), true)
    }

    private func put(_ c: Cell, _ x: Int, _ y: Int, _ win: UnsafeMutablePointer<WINDOW>?) {
        var wch: [wchar_t] = c.text.unicodeScalars.prefix(5).map { wchar_t(bitPattern: $0.value) }
        if wch.isEmpty { wch = [wchar_t(32)] }
        // Strikethrough: a combining long stroke overlay (U+0336) on the character, when there is room for it.
        if c.style.attrs.contains(.strike), c.width > 0, wch.count < 5 { wch.append(wchar_t(0x336)) }
        wch.append(0)
        var a = nc_a_normal()
        if c.style.attrs.contains(.bold) { a |= nc_a_bold() }
        if c.style.attrs.contains(.dim) { a |= nc_a_dim() }
        if c.style.attrs.contains(.italic) { a |= nc_a_italic() }
        if c.style.attrs.contains(.underline) { a |= nc_a_underline() }
        if c.style.attrs.contains(.reverse) { a |= nc_a_reverse() }
        _ = nc_put_cell_ext(win, Int32(y), Int32(x), wch, a, pair(c.style))
    }

    private func pair(_ s: Style) -> Int32 {
        guard colorsOK else { return 0 }
        let fg = mapper.number(s.fg), bg = mapper.number(s.bg)
        if fg == -1 && bg == -1 { return 0 }
        let key = Int64(fg + 1) << 16 | Int64(bg + 1)
        if let p = pairs[key] { return p }
        let p = alloc_pair(Int32(fg), Int32(bg))
        let r = p < 0 ? 0 : p
        pairs[key] = r
        return r
    }

    /// Reads everything typed so far (never waits) and decodes it. A resize comes back as `.resize`.
    public func readEvents() -> [Event] {
        var batch: [RawInput] = []
        var resized = false
        var ch: wint_t = 0
        while batch.count < 65536 {
            let r = nc_get_wch(nc_stdscr(), &ch)
            if r == ERR { break }
            if r == KEY_CODE_YES {
                if Int32(ch) == codes.resize { resized = true; continue }
                if Int32(ch) == codes.mouse {
                    var x: Int32 = 0, y: Int32 = 0
                    switch nc_read_mouse(&x, &y) {
                    case 1: batch.append(.key(codes.wheelUp))
                    case 2: batch.append(.key(codes.wheelDown))
                    case 3: batch.append(.click(x: Int(x), y: Int(y)))
                    default: break
                    }
                    continue
                }
                batch.append(.key(Int32(ch)))
            } else {
                batch.append(.char(UInt32(ch)))
            }
        }
        var events = decoder.feed(batch)
        if resized {
            let s = size
            invalidate()
            events.append(.resize(width: s.width, height: s.height))
        }
        return events
    }

    /// Sends an escape sequence ncurses does not know about straight to the terminal.
    public func writeRaw(_ s: String) {
        fflush(nil)
        let bytes = Array(s.utf8).map { CChar(bitPattern: $0) }
        guard !bytes.isEmpty else { return }
        _ = bytes.withUnsafeBufferPointer { p in nc_write_raw(p.baseAddress, Int32(p.count)) }
    }

    /// Puts text on the system clipboard through the terminal (OSC 52).
    public func copyToClipboard(_ text: String) {
        writeRaw(FrameDiff.clipboardSequence(text))
    }

    /// A bell and an OSC 9 desktop notification (terminals without it ignore the sequence).
    public func notify(_ text: String) {
        let clean = String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) }.prefix(200))
        writeRaw("\u{7}\u{1B}]9;" + clean + "\u{7}")
    }

    /// Gives the terminal to `body` (an editor), as it was before the screen started, then takes it back and
    /// draws the last frame again whole.
    public func runOutside(_ body: () -> Void) {
        guard active else { return body() }
        writeRaw("\u{1B}[?2004l")
        endwin()
        body()
        writeRaw("\u{1B}[?2004h")
        _ = refresh()
        let last = previous
        previous = nil
        if let last { draw(last) }
    }
}
