// Turns what ncurses reads (characters and key codes) into UI events: Alt as an ESC prefix,
// bracketed paste collected whole, unknown escape sequences swallowed.
import TUI

public enum RawInput: Equatable, Sendable {
    /// A character (Unicode scalar value).
    case char(UInt32)
    /// An ncurses key code (KEY_UP, …) or one of the paste markers below.
    case key(Int32)
    /// The left mouse button pressed at a cell (with --mouse).
    case click(x: Int, y: Int)
}

public struct KeyCodes: Sendable {
    public var up, down, left, right, home, end, pageUp, pageDown, backspace, delete, enter, backTab, resize: Int32
    public var f1: Int32          // KEY_F(1); F(n) = f1 + n - 1
    public var pasteStart, pasteEnd: Int32
    public var mouse: Int32
    /// Codes Screen uses for decoded mouse wheel turns.
    public var wheelUp: Int32 = -10, wheelDown: Int32 = -11

    /// ncurses' codes on an xterm-like terminal, paste markers 1000/1001, wheel 1002/1003 (tests and fuzzing).
    public static let sample = KeyCodes(up: 259, down: 258, left: 260, right: 261, home: 262, end: 360, pageUp: 339, pageDown: 338,
                                        backspace: 263, delete: 330, enter: 343, backTab: 353, resize: 410, f1: 265,
                                        pasteStart: 1000, pasteEnd: 1001, mouse: 409, wheelUp: 1002, wheelDown: 1003)
}

public struct KeyDecoder {
    let codes: KeyCodes
    private var paste: String? = nil
    private var pendingEsc = false
    private var csi: String? = nil
    private var ss3 = false

    public init(codes: KeyCodes) { self.codes = codes }

    /// Decodes one batch of input read without waiting. A lone ESC at the end of a batch is the Esc key.
    public mutating func feed(_ batch: [RawInput]) -> [Event] {
        var out: [Event] = []
        for r in batch { decode(r, into: &out) }
        if pendingEsc && paste == nil { out.append(.key(KeyPress(.escape))); pendingEsc = false }
        if csi != nil || ss3 { csi = nil; ss3 = false }
        return out
    }

    private mutating func decode(_ r: RawInput, into out: inout [Event]) {
        if paste != nil {
            switch r {
            case .key(let k) where k == codes.pasteEnd: out.append(.paste(paste!)); paste = nil
            case .char(let c):
                if let s = Unicode.Scalar(c) { paste!.unicodeScalars.append(c == 13 ? "\n" : s) }
                // A raw "ESC [ 201 ~" when the terminal's sequence was not registered as a key.
                if paste!.hasSuffix("\u{1B}[201~") { paste!.removeLast(6); out.append(.paste(paste!)); paste = nil }
            default: break
            }
            return
        }
        if var seq = csi {
            if case .char(let c) = r, let s = Unicode.Scalar(c) {
                seq.unicodeScalars.append(s)
                if (0x40...0x7E).contains(c) {
                    csi = nil
                    if seq == "200~" { paste = "" } else if let k = Self.csiKey(seq) { out.append(.key(KeyPress(k))) }
                } else { csi = seq }
            } else { csi = nil }
            return
        }
        if ss3 {
            ss3 = false
            if case .char(let c) = r {
                switch c {
                case 0x50...0x53: out.append(.key(KeyPress(.function(Int(c) - 0x50 + 1))))
                case 0x41: out.append(.key(KeyPress(.up)))
                case 0x42: out.append(.key(KeyPress(.down)))
                case 0x43: out.append(.key(KeyPress(.right)))
                case 0x44: out.append(.key(KeyPress(.left)))
                case 0x48: out.append(.key(KeyPress(.home)))
                case 0x46: out.append(.key(KeyPress(.end)))
                default: break
                }
            }
            return
        }
        let alt = pendingEsc
        pendingEsc = false
        switch r {
        case .char(27):
            if alt { out.append(.key(KeyPress(.escape))) }
            pendingEsc = true
        case .char(0x5B) where alt: csi = ""          // ESC [
        case .char(0x4F) where alt: ss3 = true        // ESC O
        case .char(let c):
            if let k = key(forChar: c) { out.append(.key(KeyPress(k, alt: alt))) }
        case .key(let k):
            if k == codes.pasteStart { paste = ""; return }
            if k == codes.pasteEnd || k == codes.resize || k == codes.mouse { return }
            if let key = key(forCode: k) { out.append(.key(KeyPress(key, alt: alt))) }
        case .click(let x, let y):
            out.append(.click(x: x, y: y))
        }
    }

    /// The key of a CSI sequence the terminfo entry did not register (what follows "ESC ["): xterm's letters, and the
    /// "N~" forms that tmux, screen, rxvt and the Linux console send for Home/End/PgUp/PgDn/Delete/F1–F12 whatever TERM
    /// says. Modifier parameters ("1;5H") are ignored.
    static func csiKey(_ seq: String) -> Key? {
        guard let final = seq.last else { return nil }
        let params = seq.dropLast().split(separator: ";")
        switch final {
        case "A": return .up
        case "B": return .down
        case "C": return .right
        case "D": return .left
        case "H": return .home
        case "F": return .end
        case "Z": return .backTab
        case "~":
            switch params.first.flatMap({ Int($0) }) {
            case 1, 7: return .home
            case 4, 8: return .end
            case 3: return .delete
            case 5: return .pageUp
            case 6: return .pageDown
            case let n? where (11...15).contains(n): return .function(n - 10)
            case let n? where (17...21).contains(n): return .function(n - 11)
            case let n? where (23...24).contains(n): return .function(n - 12)
            default: return nil
            }
        default: return nil
        }
    }

    func key(forChar c: UInt32) -> Key? {
        switch c {
        case 13: return .enter
        case 9: return .tab
        case 8, 127: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(c + 96)!))
        case 0..<32: return nil
        default: return Unicode.Scalar(c).map { .char(Character($0)) }
        }
    }

    func key(forCode k: Int32) -> Key? {
        let c = codes
        switch k {
        case c.up: return .up
        case c.down: return .down
        case c.left: return .left
        case c.right: return .right
        case c.home: return .home
        case c.end: return .end
        case c.pageUp: return .pageUp
        case c.pageDown: return .pageDown
        case c.backspace: return .backspace
        case c.delete: return .delete
        case c.enter: return .enter
        case c.backTab: return .backTab
        case c.wheelUp: return .wheelUp
        case c.wheelDown: return .wheelDown
        case c.f1..<(c.f1 + 12): return .function(Int(k - c.f1) + 1)
        default: return nil
        }
    }
}
