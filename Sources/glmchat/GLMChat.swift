// The glmchat command: argument parsing and subcommands. Errors print one sentence and exit 1.
import ArgumentParser
import Foundation
import Kernels
import Quote

@main
struct GLMChat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glmchat",
        abstract: "A terminal chat client that runs GLM-4.7-Flash in-process from a GGUF file on the CPU.",
        version: "0.1.0",
        subcommands: [
            InfoCommand.self,
            PromptCommand.self,
            SessionsCommand.self,
            TokenizeCommand.self,
            GenerateCommand.self,
            LogitsCommand.self,
            BenchCommand.self,
            ResumeBenchCommand.self,
            ChatCommand.self,
            RemoteProbeCommand.self,
        ],
        defaultSubcommand: ChatCommand.self
    )
}

/// Prints `glmchat: <sentence>` on stderr and exits 1: the one way commands report bad input. Control characters are
/// escaped whatever the message holds (errors quote file text through `quoted`; this catches the rest).
func fail(_ message: String) -> Never {
    var m = message
    if let last = m.last, !".!?".contains(last) { m += "." }
    FileHandle.standardError.write(Data("glmchat: \(terminalSafe(m))\n".utf8))
    exit(1)
}

/// Runs `body`, turning any thrown error into one sentence on stderr and exit code 1.
func reportingErrors<T>(_ body: () throws -> T) -> T {
    do { return try body() } catch { fail("\(error)") }
}

/// The engine switches (GLMCHAT_KERNELS, GLMCHAT_AMX, GLMCHAT_GFNI, GLMCHAT_REPACK, GLMCHAT_KV, GLMCHAT_MLA_PROMPT)
/// from this process's environment, with `--cache-type` over GLMCHAT_KV, read once per command and passed to the model.
func engineOptions(cacheType: String? = nil) -> EngineOptions {
    reportingErrors { try EngineOptions.resolved(cacheTypeFlag: cacheType) }
}

/// The help of every command's `--cache-type`.
let cacheTypeHelp = ArgumentHelp("What GLM's latent KV cache holds: f16 (default), q8_0 (half the memory of f16) or f32 (overrides GLMCHAT_KV).",
                                 valueName: "type")
