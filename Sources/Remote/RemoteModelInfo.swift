// What /v1/models says about the served model: its id and, when the server tells, its context length
// (vLLM and SGLang `max_model_len`, llama-server `meta.n_ctx`/`n_ctx_train`, others `context_length`).
import Foundation
import Chat

public struct RemoteModelInfo: Sendable, Equatable {
    public var id: String
    public var contextLength: Int?
    /// `owned_by`: "vllm", "sglang", "llamacpp", …
    public var owner: String?
    public init(id: String, contextLength: Int? = nil, owner: String? = nil) { self.id = id; self.contextLength = contextLength; self.owner = owner }

    /// All models in a /v1/models answer, in the server's order.
    public static func list(_ v: JSONValue) throws -> [RemoteModelInfo] {
        guard let data = (v["data"] ?? v["models"])?.arrayValue else {
            throw RemoteError.invalidResponse("the /models answer has no \"data\" list")
        }
        return data.compactMap { m in
            guard let id = m["id"]?.stringValue ?? m["model"]?.stringValue ?? m["name"]?.stringValue, !id.isEmpty else { return nil }
            let ctx = [m["max_model_len"], m["context_length"], m["context_window"], m["max_context_length"],
                       m["meta"]?["n_ctx"], m["meta"]?["n_ctx_train"]].lazy.compactMap { $0?.intValue }.first { $0 > 0 }
            return RemoteModelInfo(id: id, contextLength: ctx, owner: m["owned_by"]?.stringValue)
        }
    }

    /// The model to use: the one named `wanted`, or the only/first one when no name is given.
    public static func choose(_ models: [RemoteModelInfo], wanted: String?) throws -> RemoteModelInfo {
        if let wanted {
            if let m = models.first(where: { $0.id == wanted }) { return m }
            throw RemoteError.modelNotFound(model: wanted, available: models.map(\.id), message: "")
        }
        guard let first = models.first else { throw RemoteError.invalidResponse("the server lists no models") }
        return first
    }
}
