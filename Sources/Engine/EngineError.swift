// Typed errors of the engine, each described by one plain sentence for the user.
import GGUF
import Quote

public enum EngineError: Error, CustomStringConvertible, Equatable {
    case unsupportedArchitecture(String?)
    case missingKey(String)
    case badKey(key: String, reason: String)
    case missingTensor(String)
    case badShape(tensor: String, expected: [Int], found: [Int])
    case unsupportedType(tensor: String, type: String)
    case invalidConfig(String)
    case contextOverflow(needed: Int, limit: Int)
    case invalidToken(id: Int, vocabSize: Int)
    case emptyInput
    /// The caller asked a prefill to stop; the tokens computed before it stay in the cache.
    case stopped(computed: Int)

    public var description: String {
        func shape(_ d: [Int]) -> String { "{" + d.map(String.init).joined(separator: ", ") + "}" }
        switch self {
        case .unsupportedArchitecture(let a):
            if let a { return "the model architecture \(quoted(a)) is not supported (only deepseek2 and llama are)." }
            return "the file has no general.architecture key, so it is not a model glmchat can run."
        case .missingKey(let k): return "the model file lacks the metadata key \(k)."
        case .badKey(let k, let r): return "the metadata key \(k) \(r)."
        case .missingTensor(let n): return "the model file lacks the tensor \(n)."
        case .badShape(let n, let e, let f): return "the tensor \(n) has shape \(shape(f)), expected \(shape(e))."
        case .unsupportedType(let n, let t): return "the tensor \(n) has type \(t), which glmchat cannot compute with."
        case .invalidConfig(let s): return s
        case .contextOverflow(let n, let l): return "the input needs \(n) tokens of context but the session holds only \(l)."
        case .invalidToken(let id, let v): return "token id \(id) is outside the vocabulary of \(v) tokens."
        case .emptyInput: return "there are no tokens to evaluate."
        case .stopped(let n): return "the prompt was stopped after \(n) tokens."
        }
    }
}
