// Which cells to send to the terminal for a new frame: only those that changed (the right half of a
// wide character is sent through its left half), and the OSC 52 clipboard sequence.
import Foundation
import TUI

public enum FrameDiff {
    /// Cells to draw, as (x, y), left to right and top to bottom. Everything when there is no
    /// previous frame of the same size.
    public static func changes(from old: Buffer?, to new: Buffer) -> [(x: Int, y: Int)] {
        var out: [(x: Int, y: Int)] = []
        let full = old == nil || old!.width != new.width || old!.height != new.height
        for y in 0..<new.height {
            var x = 0
            while x < new.width {
                let c = new[x, y]
                if full || old![x, y] != c {
                    if c.width == 0 {
                        // A continuation changed: redraw the wide character on its left, once.
                        if x > 0, new[x - 1, y].width == 2, out.last.map({ $0.x != x - 1 || $0.y != y }) ?? true { out.append((x - 1, y)) }
                    } else {
                        out.append((x, y))
                    }
                }
                x += 1
            }
        }
        return out
    }

    /// OSC 52: asks the terminal to put `text` on the system clipboard.
    public static func clipboardSequence(_ text: String) -> String {
        "\u{1B}]52;c;\(Data(text.utf8).base64EncodedString())\u{07}"
    }
}
