// The environment a tool command starts with: glmchat's own, less the API key. The variable named by
// api_key_env goes, and so does any other variable holding the same value (a copy under another name).
import Foundation

public struct CommandEnvironment: Sendable, Equatable {
    /// Names of variables that hold secrets (the API key's variable).
    public var hidden: [String]
    public init(hiding hidden: [String] = []) { self.hidden = hidden }

    /// `environment` without the hidden variables and any variable whose value is one of theirs, as NAME=VALUE.
    public func variables(from environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        let secrets = Set(hidden.compactMap { environment[$0] }.filter { !$0.isEmpty })
        return environment.filter { !hidden.contains($0.key) && !secrets.contains($0.value) }
            .map { "\($0.key)=\($0.value)" }.sorted()
    }
}
