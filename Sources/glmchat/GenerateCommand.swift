// `glmchat generate`: one completion from a prompt (raw or chat-templated), streamed to stdout or as JSON.
import ArgumentParser
import Chat
import Engine
import Foundation
import GGUF
import Tokenizer

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Generate a completion for a prompt.")

    @Option(name: [.short, .customLong("model")], help: "The GGUF model file.") var model: String
    @Option(name: [.short, .customLong("prompt")], help: "The prompt text.") var prompt: String?
    @Option(name: [.short, .customLong("file")], help: "Read the prompt from a file.") var file: String?
    @Flag(help: "Use the prompt as is, without the chat template.") var raw = false
    @Option(help: "A system message (chat mode).") var system: String?
    @Flag(help: "GLM: answer without thinking (the prompt ends with </think>).") var noThink = false
    @Option(name: [.short, .customLong("n-predict")], help: "Maximum tokens to generate.") var n: Int = 256
    @Option(help: "Temperature (0: greedy).") var temp: Float = SamplerParams.glmDefaults.temperature
    @Option(help: "Top-p (1: off).") var topP: Float = SamplerParams.glmDefaults.topP
    @Option(help: "Top-k (0: off).") var topK: Int = SamplerParams.glmDefaults.topK
    @Option(help: "Min-p (0: off).") var minP: Float = SamplerParams.glmDefaults.minP
    @Option(help: "Repetition penalty (1: off).") var repeatPenalty: Float = 1
    @Option(help: "Presence penalty (0: off).") var presencePenalty: Float = 0
    @Option(help: "Random seed (default: from the clock).") var seed: UInt64?
    @Option(name: [.short, .customLong("threads")], help: "Threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(name: [.short, .customLong("ctx-size")], help: "Context length (default: prompt + n, at most the model's).") var ctx: Int?
    @Flag(help: "Print one JSON object with token ids, text and timings instead of streaming.") var json = false
    @Flag(help: "deepseek2: attention in llama.cpp's exact float order (its non-flash CPU path) instead of the flash-style kernel.") var exactAttention = false
    @Option(name: .customLong("cache-type"), help: cacheTypeHelp) var cacheType: String?

    func run() throws {
        guard (prompt == nil) != (file == nil) else { fail("give the prompt with either -p or -f") }
        guard n >= 0, threads >= 1 else { fail("-n must be at least 0 and -t at least 1") }
        var text = prompt ?? ""
        if let file {
            let bytes = reportingErrors { try readUserFile(file, what: "prompt file") }
            guard let t = String(validating: bytes, as: UTF8.self) else { fail("The prompt file \(file) is not UTF-8 text.") }
            text = t
        }
        let m = reportingErrors { try Model(path: model, threads: threads, options: engineOptions(cacheType: cacheType)) }
        let tok = reportingErrors { try Tokenizer(gguf: m.gguf) }
        let ids = raw ? tok.encode(text, parseSpecial: false) : tok.encode(Self.render(text, system: system, noThink: noThink, gguf: m.gguf), parseSpecial: true, addBOS: false)
        guard !ids.isEmpty else { fail("the prompt is empty") }
        let context = min(ctx ?? (ids.count + n), m.config.contextLength)
        let session = reportingErrors { try Session(model: m, contextLength: max(1, context), exactAttention: exactAttention) }
        var sampler = Sampler(params: SamplerParams(temperature: temp, topK: topK, topP: topP, minP: minP, repeatPenalty: repeatPenalty,
                                                   presencePenalty: presencePenalty, seed: seed ?? UInt64(Date().timeIntervalSince1970 * 1e6)))
        var history = ids
        history.reserveCapacity(ids.count + n)
        var out: [Int] = []
        out.reserveCapacity(n)
        var detok = StreamingDetokenizer(tokenizer: tok)
        let stdout = FileHandle.standardOutput
        let t0 = DispatchTime.now().uptimeNanoseconds
        var next = reportingErrors { try session.prefill(ids, progress: nil) { sampler.sample($0, history: history) } }
        let t1 = DispatchTime.now().uptimeNanoseconds
        var stop = "length"
        while out.count < n {
            if tok.stopIDs.contains(next) { stop = "stop_token"; break }
            out.append(next); history.append(next)
            if !json { stdout.write(Data(detok.push(next).utf8)) }
            if out.count == n { break }
            if session.tokens.count >= session.contextLength { stop = "context"; break }
            let id = next
            next = reportingErrors { try session.decode(id) { sampler.sample($0, history: history) } }
        }
        let t2 = DispatchTime.now().uptimeNanoseconds
        let prefillS = Double(t1 - t0) / 1e9, decodeS = Double(t2 - t1) / 1e9
        if json {
            let textOut = tok.decode(out)
            let obj: [String: Any] = [
                "prompt_tokens": ids, "tokens": out, "text": textOut, "stop_reason": stop,
                "timings": ["prefill_ms": prefillS * 1000, "prefill_tps": Double(ids.count) / max(prefillS, 1e-9),
                            "decode_ms": decodeS * 1000, "decode_tps": Double(max(out.count - 1, 0)) / max(decodeS, 1e-9)],
            ]
            let data = reportingErrors { try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]) }
            stdout.write(data + Data("\n".utf8))
        } else {
            stdout.write(Data((detok.flush() + "\n").utf8))
        }
    }

    /// A single-turn chat prompt rendered with the model's own chat template (recognised from the file).
    static func render(_ user: String, system: String?, noThink: Bool, gguf: GGUFFile) -> String {
        let recognized = TemplateRecognition.recognize(gguf.string("tokenizer.chat_template"))
        if let note = recognized.note { FileHandle.standardError.write(Data("glmchat: \(note)\n".utf8)) }
        let messages = (system.map { [Message.system($0)] } ?? []) + [Message.user(user)]
        return ChatRequest(messages: messages, thinking: !noThink).prompt(recognized.template)
    }
}
