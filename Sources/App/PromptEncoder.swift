// The engine's token counter: counts a prompt by encoding it with the model's tokenizer (IncrementalEncoder:
// the unchanged prefix of a recent encoding is reused) and remembers the encodings, so the ids of the prompt
// the fitter settled on are the ones prefilled, without tokenizing it again.
import Chat
import Foundation
import Tokenizer

public final class PromptEncoder: TokenCounter, @unchecked Sendable {
    private let lock = NSLock()
    private var encoder: IncrementalEncoder

    public init(tokenizer: Tokenizer) { encoder = IncrementalEncoder(tokenizer: tokenizer) }

    /// The prompt's ids, as `tokenizer.encode(text, parseSpecial: true)` gives them.
    public func ids(_ text: String) -> [Int] { lock.lock(); defer { lock.unlock() }; return encoder.encode(text) }

    public func countTokens(_ text: String) -> Int { ids(text).count }
}
