// A conservative token estimate for the context budget when no local tokenizer is given: bytes divided by
// a bytes-per-token ratio that starts low (over-counting) and is learnt from the server's usage figures.
import Foundation
import Chat

public final class ApproximateTokenCounter: TokenCounter, @unchecked Sendable {
    /// GLM's and Llama's BPE average 3.5–4.5 bytes per token on English and code; 3 over-counts on purpose.
    public static let initialBytesPerToken = 3.0
    static let range = 2.0...4.0
    private let lock = NSLock()
    private var ratio = ApproximateTokenCounter.initialBytesPerToken

    public init() {}

    public var isExact: Bool { false }

    public var bytesPerToken: Double { lock.lock(); defer { lock.unlock() }; return ratio }

    public func countTokens(_ text: String) -> Int {
        let r = bytesPerToken
        return Int((Double(text.utf8.count) / r).rounded(.up))
    }

    /// Learns from one request: text of `bytes` bytes was counted as `tokens` prompt tokens by the server.
    /// Keeps 90% of the observed ratio (staying on the safe side), within 2–4 bytes per token.
    public func calibrate(bytes: Int, tokens: Int) {
        guard bytes > 0, tokens > 0 else { return }
        let observed = 0.9 * Double(bytes) / Double(tokens)
        lock.lock(); ratio = min(Self.range.upperBound, max(Self.range.lowerBound, observed)); lock.unlock()
    }
}
