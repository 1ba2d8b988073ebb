// Typed errors of the tokenizer: each describes one problem in one plain sentence.
import Quote

public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    case missingKey(String)
    case wrongKeyType(key: String, expected: String)
    case unsupportedModel(String)
    case unsupportedPreTokenizer(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .missingKey(let k): return "The GGUF file has no \(k), so it carries no usable tokenizer."
        case .wrongKeyType(let k, let e): return "The GGUF metadata key \(k) should be \(e)."
        case .unsupportedModel(let m):
            let kind: String
            switch m {
            case "llama": kind = " (SentencePiece/SPM)"
            case "bert": kind = " (WordPiece/WPM)"
            case "t5": kind = " (Unigram/UGM)"
            case "gemma4": kind = " (BPE without byte-level encoding)"
            default: kind = ""
            }
            return "The tokenizer model \"\(quoted(m))\"\(kind) is not supported; glmchat reads byte-level BPE (gpt2) vocabularies only."
        case .unsupportedPreTokenizer(let p): return "The pre-tokenizer \"\(quoted(p))\" is not supported by glmchat."
        case .invalid(let s): return s
        }
    }
}
