// Everything that can go wrong talking to an OpenAI-compatible server, each as one plain sentence, and the
// mapping from an HTTP error status and body to the right case.
import Foundation
import Chat
import Quote

public enum RemoteError: Error, Equatable, CustomStringConvertible {
    case invalidEndpoint(String)
    case missingAPIKey(variable: String)
    case cannotConnect(endpoint: String, reason: String)
    /// 401 or 403. `keyVariable` is the environment variable the key came from, if any.
    case unauthorized(status: Int, keyVariable: String?, message: String)
    case modelNotFound(model: String, available: [String], message: String)
    case notFound(url: String, message: String)
    /// The prompt does not fit the model's context: shrink the conversation and retry once.
    case contextTooLong(message: String)
    case badRequest(status: Int, message: String)
    case serverError(status: Int, message: String)
    case timedOut(seconds: Int)
    /// The connection ended before the reply did.
    case droppedMidStream(reason: String)
    /// The server accepted the request and ended the stream without a single event.
    case emptyStream
    case invalidResponse(String)
    case streamError(message: String)
    /// A 3xx answer: glmchat never follows one (the request carries the conversation and maybe the API key).
    case redirected(from: String, to: String?)

    public var description: String {
        switch self {
        case .invalidEndpoint(let s):
            return "The endpoint \(s.debugDescription) is not an http:// or https:// URL (expected something like http://127.0.0.1:8000/v1)."
        case .missingAPIKey(let v):
            return "The environment variable \(v) named by --api-key-env (or \"api_key_env\" in settings.json) is not set or empty."
        case let .cannotConnect(endpoint, reason):
            return "Cannot connect to the server at \(endpoint) (\(reason)); is it running?"
        case let .unauthorized(status, variable, message):
            let hint = variable.map { "check the key in $\($0)" } ?? "pass the key's environment variable with --api-key-env"
            return "The server refused the API key (HTTP \(status)\(Self.detail(message))); \(hint)."
        case let .modelNotFound(model, available, message):
            let list = available.isEmpty ? "" : "; it serves \(quoted(available.prefix(5).joined(separator: ", ")))"
            return "The server has no model named \(quoted(model.debugDescription))\(Self.detail(message))\(list)."
        case let .notFound(url, message):
            return "The server has nothing at \(url) (HTTP 404\(Self.detail(message))); check --endpoint, which should end in /v1."
        case .contextTooLong(let message):
            return ChatEvent.contextTooLongPrefix + " (\(Self.oneLine(message)))."
        case let .badRequest(status, message):
            return "The server rejected the request (HTTP \(status)\(Self.detail(message)))."
        case let .serverError(status, message):
            let what = status == 503 ? "is not ready or is overloaded" : "failed"
            return "The server \(what) (HTTP \(status)\(Self.detail(message)))."
        case .timedOut(let s):
            return "The server sent nothing for \(s) seconds, so the reply was stopped."
        case .droppedMidStream(let reason):
            return "The server closed the connection in the middle of the reply (\(reason)); the partial reply is kept."
        case .emptyStream:
            return "The server ended the reply without sending any of it; its log says why (llama-cpp-python's server does this when the prompt is longer than its --n_ctx: give glmchat that size with -c)."
        case .invalidResponse(let s):
            return "The server's answer is not an OpenAI-compatible one: \(quoted(s))."
        case .streamError(let message):
            return "The server reported an error during the reply (\(Self.oneLine(message)))."
        case let .redirected(from, to):
            let target = to.map { "to \(quoted($0))" } ?? "without saying where"
            return "The server at \(from) redirected the request \(target); glmchat does not follow redirects, so set --endpoint to the address you mean."
        }
    }

    static func detail(_ m: String) -> String { m.isEmpty ? "" : ": " + oneLine(m) }

    /// Server text as one short line (see `quoted`), without a trailing period (the sentence adds its own).
    static func oneLine(_ s: String) -> String {
        var t = s.prefix(64 << 10).split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        while t.hasSuffix(".") { t.removeLast() }
        return quoted(t)
    }

    /// The server's own message in an error body: OpenAI `{"error":{"message"}}`, vLLM/SGLang
    /// `{"object":"error","message"}`, FastAPI `{"detail": …}`, or the text itself.
    static func serverMessage(_ body: [UInt8]) -> (message: String, code: String?) {
        guard let v = try? JSONValue.parse(body) else {
            return (String(decoding: body.prefix(2000), as: UTF8.self), nil)
        }
        func code(_ o: JSONValue?) -> String? { o?["code"]?.stringValue ?? o?["type"]?.stringValue }
        if let e = v["error"] {
            if let s = e.stringValue { return (s, nil) }
            var m = e["message"]?.stringValue ?? ""
            // llama-server puts the sizes of a too-long prompt in fields of their own.
            let sizes = [("n_prompt_tokens", e["n_prompt_tokens"]?.intValue), ("n_ctx", e["n_ctx"]?.intValue)]
                .compactMap { k, n in n.map { "\(k) \($0)" } }
            if !sizes.isEmpty { m += " (" + sizes.joined(separator: ", ") + ")" }
            return (m, code(e))
        }
        if let m = v["message"]?.stringValue { return (m, code(v)) }
        if let d = v["detail"] {
            if let s = d.stringValue { return (s, nil) }
            if let m = d["error"]?["message"]?.stringValue ?? d["message"]?.stringValue { return (m, code(d["error"] ?? d)) }
            if let first = d.arrayValue?.first, let m = first["msg"]?.stringValue { return (m, nil) }
            return (d.serialized(), nil)
        }
        return (v.serialized(), nil)
    }

    /// Whether a server's error text says the prompt is longer than the context (vLLM, SGLang, llama-server,
    /// llama-cpp-python and OpenAI phrasings).
    static func isContextOverflow(message: String, code: String?) -> Bool {
        if let c = code, ["context_length_exceeded", "exceed_context_size_error"].contains(c) { return true }
        let m = message.lowercased()
        let phrases = ["maximum context length", "context length is", "context window", "exceeds the available context",
                       "longer than the model's context", "context size", "prompt is too long", "too many tokens",
                       "exceed context", "input is too long", "max_model_len"]
        return phrases.contains { m.contains($0) }
    }

    /// The error for a non-2xx answer to a chat completion or models request.
    static func from(status: Int, body: [UInt8], url: String, model: String?, keyVariable: String?) -> RemoteError {
        let (message, code) = serverMessage(body)
        let lower = message.lowercased()
        switch status {
        case 401, 403:
            return .unauthorized(status: status, keyVariable: keyVariable, message: message)
        case 404:
            if code == "model_not_found" || (lower.contains("model") && (lower.contains("not exist") || lower.contains("not found"))) {
                return .modelNotFound(model: model ?? "", available: [], message: message)
            }
            return .notFound(url: url, message: message)
        case 400, 413, 422:
            if status != 422, isContextOverflow(message: message, code: code) { return .contextTooLong(message: message) }
            if code == "model_not_found" { return .modelNotFound(model: model ?? "", available: [], message: message) }
            return .badRequest(status: status, message: message)
        case 500...599:
            if isContextOverflow(message: message, code: code) { return .contextTooLong(message: message) }
            return .serverError(status: status, message: message)
        default:
            return .badRequest(status: status, message: message)
        }
    }
}
