// How far the model has read the prompt, for the status bar and the reply's placeholder line:
// `prompt 12,345 / 40,960 · 38 t/s · 14 min left` and a bar, the rate measured since the first report.

/// The prompt's progress as the backend reported it, with what is needed to tell a rate.
public struct PrefillProgress: Equatable, Sendable {
    public var done: Int
    public var total: Int
    /// When the first report came, and its `done` (the tokens the cache already held).
    public var startedAt: Double
    public var startDone: Int

    /// Tokens per second since the first report; nil until a second has passed (too early to say).
    public func rate(now: Double) -> Double? {
        let dt = now - startedAt
        guard dt >= 1, done > startDone else { return nil }
        return Double(done - startDone) / dt
    }

    /// "prompt 12,345 / 40,960 · 38 t/s · 14 min left" (rate and time left once known).
    public func statusText(now: Double) -> String {
        var s = "prompt \(grouped(done)) / \(grouped(total))"
        if let r = rate(now: now) {
            s += " · \(r >= 10 ? String(Int(r.rounded())) : format1(r)) t/s"
            if total > done { s += " · " + timeLeft(Double(total - done) / r) }
        }
        return s
    }

    /// `width` cells of ▰/▱ (at least one filled cell as soon as anything is read).
    public func bar(width: Int) -> String {
        guard width > 0, total > 0 else { return "" }
        let filled = min(width, done <= 0 ? 0 : max(1, done * width / total))
        return String(repeating: "▰", count: filled) + String(repeating: "▱", count: width - filled)
    }

    public var percent: Int { total > 0 ? min(100, done * 100 / total) : 0 }
}

/// "45 s left", "14 min left", "2 h 5 min left".
func timeLeft(_ seconds: Double) -> String {
    let s = Int(seconds.rounded(.up))
    if s < 60 { return "\(s) s left" }
    let m = (s + 59) / 60
    if m < 60 { return "\(m) min left" }
    return "\(m / 60) h \(m % 60) min left"
}

/// 8120 → "8,120".
public func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    let head = digits.count % 3 == 0 ? 3 : digits.count % 3
    var out = (n < 0 ? "-" : "") + digits.prefix(head)
    var rest = digits.dropFirst(head)
    while !rest.isEmpty { out += "," + rest.prefix(3); rest = rest.dropFirst(3) }
    return out
}
