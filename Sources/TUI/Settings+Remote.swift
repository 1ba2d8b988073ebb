// Which server to use: the command line's --endpoint, --api-key-env and -m/--model merged with the
// settings file's "endpoint", "api_key_env" and "served_model" (flags win). The key variable and model
// from the settings go with the settings' endpoint only, so a key is never sent to another server.
import Foundation

/// The server a chat talks to, after merging flags and settings.
public struct RemoteChoice: Equatable, Sendable {
    public var endpoint: String
    /// The environment variable holding the API key (nil: no key is sent).
    public var apiKeyEnv: String?
    /// The served model's id (nil: the server's only one).
    public var model: String?
    public init(endpoint: String, apiKeyEnv: String? = nil, model: String? = nil) {
        self.endpoint = endpoint; self.apiKeyEnv = apiKeyEnv; self.model = model
    }
}

extension Settings {
    /// The server to use, or nil for the in-process engine: no endpoint anywhere, or no --endpoint and a
    /// -m that names a model file (`isModelFile`) rather than a served model.
    public func remote(endpointFlag: String?, apiKeyEnvFlag: String?, modelFlag: String?,
                       isModelFile: (String) -> Bool) -> RemoteChoice? {
        let saved = endpoint.flatMap { $0.isEmpty ? nil : $0 }
        if let e = endpointFlag {
            let same = saved.map { Self.sameEndpoint($0, e) } ?? false
            return RemoteChoice(endpoint: e, apiKeyEnv: apiKeyEnvFlag ?? (same ? apiKeyEnv : nil), model: modelFlag ?? (same ? servedModel : nil))
        }
        guard let e = saved else { return nil }
        if let m = modelFlag, isModelFile(m) { return nil }
        return RemoteChoice(endpoint: e, apiKeyEnv: apiKeyEnvFlag ?? apiKeyEnv, model: modelFlag ?? servedModel)
    }

    /// The same URL up to trailing slashes and the case of scheme and host.
    static func sameEndpoint(_ a: String, _ b: String) -> Bool {
        func norm(_ s: String) -> String {
            var t = s.trimmingCharacters(in: .whitespaces)
            while t.hasSuffix("/") { t.removeLast() }
            guard let r = t.range(of: "://") else { return t }
            let rest = t[r.upperBound...]
            let host = rest.prefix { $0 != "/" }
            return t[..<r.upperBound].lowercased() + host.lowercased() + rest.dropFirst(host.count)
        }
        return norm(a) == norm(b)
    }
}
