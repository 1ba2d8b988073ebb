// Command-line options for talking to an OpenAI-compatible server (--endpoint, --api-key-env, --tokenizer)
// and the function that turns them into a ChatBackend. The server's model name comes from the command's
// own -m/--model (with --endpoint it names the served model instead of a GGUF file). The chat command
// falls back to the settings file's endpoint, key variable and served model (Settings+Remote).
import ArgumentParser
import Chat
import Foundation
import Remote

struct RemoteOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Use an OpenAI-compatible server instead of a local model (vLLM, SGLang, llama-server), e.g. http://127.0.0.1:8000/v1 (default: \"endpoint\" in settings.json).",
                               valueName: "URL"))
    var endpoint: String?

    @Option(name: .customLong("api-key-env"), help: ArgumentHelp("The environment variable that holds the server's API key (the key is never written anywhere).",
                                                                 valueName: "VAR"))
    var apiKeyEnv: String?

    @Option(help: ArgumentHelp("With --endpoint: the model's GGUF file, for exact token counts (otherwise they are estimated).",
                               valueName: "FILE.gguf"))
    var tokenizer: String?
}

/// The remote backend the options ask for, or nil without --endpoint. Asks the server's /v1/models for the
/// model (`model`: its id, default the only one) and its context length (`contextLength` overrides it).
/// `loadTokenCounter` reads --tokenizer's GGUF into an exact counter.
func makeRemoteBackend(_ options: RemoteOptions, model: String? = nil, contextLength: Int? = nil,
                       loadTokenCounter: ((String) throws -> TokenCounter)? = nil) throws -> ChatBackend? {
    guard let endpoint = options.endpoint else { return nil }
    return try makeRemoteBackend(endpoint: endpoint, apiKeyEnv: options.apiKeyEnv, tokenizer: options.tokenizer, model: model,
                                 contextLength: contextLength, loadTokenCounter: loadTokenCounter)
}

/// The remote backend for `endpoint`; the key is read from the environment variable `apiKeyEnv`.
func makeRemoteBackend(endpoint: String, apiKeyEnv: String?, tokenizer: String?, model: String?, contextLength: Int?,
                       loadTokenCounter: ((String) throws -> TokenCounter)?) throws -> ChatBackend {
    var key: String?
    if let variable = apiKeyEnv {
        guard let v = ProcessInfo.processInfo.environment[variable], !v.isEmpty else { throw RemoteError.missingAPIKey(variable: variable) }
        key = v
    }
    var counter: TokenCounter?
    if let path = tokenizer {
        guard let loadTokenCounter else { throw RemoteOptionsError("--tokenizer is not available in this build of glmchat.") }
        counter = try loadTokenCounter(path)
    }
    let config = RemoteConfiguration(endpoint: endpoint, apiKey: key, apiKeyVariable: apiKeyEnv, model: model, contextLength: contextLength)
    return try RemoteBackend.connectBlocking(config, tokenCounter: counter)
}

struct RemoteOptionsError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
