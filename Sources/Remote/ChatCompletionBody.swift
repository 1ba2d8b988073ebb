// The JSON body of a streaming /v1/chat/completions request built from a ChatRequest: OpenAI-format
// messages as the model is shown them (`Message.promptContent`) and tools, sampling (`effectiveSampling`, with the
// min_p/top_k extras vLLM, SGLang and llama.cpp accept) and GLM's chat_template_kwargs.
import Foundation
import Chat

public enum ChatCompletionBody {
    /// - Parameter model: the served model's id; omitted when unknown (the server then uses its only model).
    public static func make(_ r: ChatRequest, model: String?) -> JSONValue {
        var o: [(String, JSONValue)] = []
        if let model { o.append(("model", .string(model))) }
        o.append(("messages", .array(messages(r))))
        if !r.tools.isEmpty { o.append(("tools", .array(r.tools))) }
        let s = r.effectiveSampling
        o.append(("temperature", .double(s.temperature)))
        o.append(("top_p", .double(s.topP)))
        if s.topK > 0 { o.append(("top_k", .int(s.topK))) }
        if s.minP > 0 { o.append(("min_p", .double(s.minP))) }
        if s.repeatPenalty != 1 {
            o.append(("repetition_penalty", .double(s.repeatPenalty)))  // vLLM, SGLang
            o.append(("repeat_penalty", .double(s.repeatPenalty)))      // llama.cpp
        }
        if s.presencePenalty != 0 { o.append(("presence_penalty", .double(s.presencePenalty))) }
        if let seed = s.seed { o.append(("seed", .int(Int(truncatingIfNeeded: seed)))) }
        if let n = s.maxTokens { o.append(("max_tokens", .int(n))) }
        o.append(("stream", .bool(true)))
        o.append(("stream_options", .object([("include_usage", .bool(true))])))
        if r.continuing {
            // Go on with the last (assistant) message instead of starting a new one: vLLM and SGLang need these;
            // llama-server continues a final assistant message by itself.
            o.append(("continue_final_message", .bool(true)))
            o.append(("add_generation_prompt", .bool(false)))
        }
        o.append(("chat_template_kwargs", .object([("enable_thinking", .bool(r.thinking)),
                                                  ("clear_thinking", .bool(!r.keepThinking))])))
        return .object(o)
    }

    /// Messages in OpenAI format. Reasoning goes with the replies after the last user message (the model's
    /// work in progress, which the GLM template always renders) and, with keepThinking, with every reply.
    static func messages(_ r: ChatRequest) -> [JSONValue] {
        let lastUser = r.messages.lastIndex { $0.role == .user } ?? -1
        return r.messages.enumerated().map { i, m in
            let withReasoning = m.role == .assistant && (r.keepThinking || i > lastUser) && !(m.reasoning ?? "").isEmpty
            var shown = m
            shown.content = m.promptContent
            return shown.openAIJSON(includeReasoning: withReasoning)
        }
    }
}
