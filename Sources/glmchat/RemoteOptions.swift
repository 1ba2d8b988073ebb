// Command-line options for talking to an OpenAI-compatible server (--endpoint, --api-key-env, --tokenizer);
// App's Backends turns them into a ChatBackend. The server's model name comes from the command's
// own -m/--model (with --endpoint it names the served model instead of a GGUF file). The chat command
// falls back to the settings file's endpoint, key variable and served model (Settings+Remote).
import App
import ArgumentParser
import Chat

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

/// The remote backend the options ask for, or nil without --endpoint (see Backends.remote).
func makeRemoteBackend(_ options: RemoteOptions, model: String? = nil, contextLength: Int? = nil) throws -> ChatBackend? {
    guard let endpoint = options.endpoint else { return nil }
    return try Backends.remote(endpoint: endpoint, apiKeyEnv: options.apiKeyEnv, tokenizer: options.tokenizer, model: model, contextLength: contextLength)
}

struct RemoteOptionsError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
