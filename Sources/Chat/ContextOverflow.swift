// The numbers in a server's "the prompt is longer than the context" error, when it gives them: the
// context length and the prompt's size as the server counted it (vLLM, SGLang, llama-server,
// llama-cpp-python and OpenAI phrasings). Used to shrink the prompt by the right amount before retrying.
import Foundation

public struct ContextOverflow: Sendable, Equatable {
    /// The server's context length in tokens.
    public var contextLength: Int?
    /// The prompt's tokens as the server counted them.
    public var promptTokens: Int?

    public init(contextLength: Int? = nil, promptTokens: Int? = nil) {
        self.contextLength = contextLength; self.promptTokens = promptTokens
    }

    /// Reads the numbers out of an error message; either may stay nil.
    public init(message: String) {
        contextLength = Self.first(Self.contextPatterns, in: message)
        promptTokens = Self.first(Self.promptPatterns, in: message)
    }

    // One capture group each; numbers may have thousands separators ("128,000").
    static let contextPatterns = [
        #"maximum context length (?:is|of) (\d[\d,]*)"#,            // vLLM, OpenAI, llama-cpp-python, SGLang
        #"model's context length \((\d[\d,]*) tokens\)"#,          // SGLang
        #"context window of (\d[\d,]*)"#,                          // llama.cpp's "Requested tokens (N) exceed context window of M"
        #"available context size \((\d[\d,]*) tokens\)"#,          // llama-server
        #"\bn_ctx\b\D{0,3}(\d[\d,]*)"#,                             // llama-server's n_ctx field
    ]
    static let promptPatterns = [
        #"\((\d[\d,]*) in the messages"#,                          // vLLM (old), llama-cpp-python
        #"(\d[\d,]*) tokens from the input"#,                      // SGLang
        #"request has (\d[\d,]*) input tokens"#,                   // vLLM
        #"input \((\d[\d,]*) tokens\)"#,                           // SGLang
        #"requested tokens \((\d[\d,]*)\)"#,                       // llama.cpp
        #"request \((\d[\d,]*) tokens\)"#,                         // llama-server
        #"messages resulted in (\d[\d,]*) tokens"#,                // OpenAI
        #"\bn_prompt_tokens\b\D{0,3}(\d[\d,]*)"#,                   // llama-server's n_prompt_tokens field
    ]

    static func first(_ patterns: [String], in text: String) -> Int? {
        let range = NSRange(text.startIndex..., in: text)
        for p in patterns {
            guard let re = try? NSRegularExpression(pattern: p, options: [.caseInsensitive]),
                  let m = re.firstMatch(in: text, range: range), let r = Range(m.range(at: 1), in: text),
                  let n = Int(text[r].filter { $0 != "," }), n > 0 else { continue }
            return n
        }
        return nil
    }
}
