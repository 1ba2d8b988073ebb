// Watches a reply as it streams and says when it has degenerated: the same text repeating over and over
// (a period of 1 to `maxPeriod` characters repeated at least `minCopies` times over `minSpan` characters),
// or the model starting to think again after it had finished thinking.
import Foundation

public struct LoopGuard: Sendable {
    public struct Settings: Sendable, Equatable {
        /// The repeated stretch must be at least this many characters long…
        public var minSpan = 400
        /// …and hold at least this many copies of the repeating unit.
        public var minCopies = 4
        /// Longest repeating unit looked for, in characters.
        public var maxPeriod = 1000
        /// Reasoning that reopens after answer text or a tool call; more than this stops the reply.
        public var maxRethinks = 0
        public init() {}
    }

    public let settings: Settings
    private var texts: [[UInt32]] = [[], []]     // recent characters of reasoning (0) and answer (1), (≤ window)
    private var sinceCheck = [0, 0]
    private var afterAnswer = false
    private var rethinks = 0
    public private(set) var tripped: String?

    public init(settings: Settings = Settings()) { self.settings = settings }

    var window: Int { max(settings.maxPeriod * settings.minCopies, settings.minSpan) + settings.maxPeriod }

    /// Feeds one backend event; returns a one-sentence reason the first time the reply should be stopped.
    public mutating func observe(_ event: ChatEvent) -> String? {
        guard tripped == nil else { return nil }
        switch event {
        case .reasoning(let s):
            if afterAnswer {
                rethinks += 1
                afterAnswer = false
                if rethinks > settings.maxRethinks {
                    tripped = "The reply was stopped because the model started thinking again after it had finished thinking."
                    return tripped
                }
            }
            return add(s, channel: 0)
        case .content(let s):
            if !s.isEmpty { afterAnswer = true }
            return add(s, channel: 1)
        case .toolCall:
            afterAnswer = true
            return nil
        default:
            return nil
        }
    }

    private mutating func add(_ s: String, channel c: Int) -> String? {
        texts[c].append(contentsOf: s.unicodeScalars.map(\.value))
        sinceCheck[c] += s.unicodeScalars.count
        if texts[c].count > 2 * window { texts[c].removeFirst(texts[c].count - window) }
        guard sinceCheck[c] >= 16 else { return nil }
        sinceCheck[c] = 0
        if let (period, copies) = Self.repetition(texts[c], settings) {
            var unit = ""
            unit.unicodeScalars.append(contentsOf: texts[c].suffix(period).prefix(60).compactMap(Unicode.Scalar.init))
            tripped = "The reply was stopped because the model kept repeating itself (\(copies) copies of \(unit.debugDescription)\(period > 60 ? "…" : ""))."
            return tripped
        }
        return nil
    }

    /// The shortest period p whose repetition ending at the end of `t` spans ≥ minSpan characters and ≥ minCopies copies.
    static func repetition(_ t: [UInt32], _ s: Settings) -> (period: Int, copies: Int)? {
        let n = t.count
        guard n >= s.minSpan else { return nil }
        for p in 1...max(1, min(s.maxPeriod, n / 2)) {
            var run = 0
            while run + p < n, t[n - 1 - run] == t[n - 1 - run - p] { run += 1 }
            let span = run + p
            if span >= s.minSpan && span / p >= s.minCopies { return (p, span / p) }
        }
        return nil
    }
}
