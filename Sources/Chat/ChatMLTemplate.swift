// ChatML as SmolLM2's template writes it: `<|im_start|>role\ncontent<|im_end|>\n`, a default system prompt
// when the conversation does not start with one, and `<|im_start|>assistant\n` as the generation prompt.
import Foundation

enum ChatMLTemplate {
    static func render(_ messages: [Message], defaultSystemPrompt: String?, options: TemplateOptions) -> String {
        var out = ""
        for (i, m) in messages.enumerated() {
            if i == 0, m.role != .system, let d = defaultSystemPrompt { out += "<|im_start|>system\n" + d + "<|im_end|>\n" }
            out += "<|im_start|>" + m.role.rawValue + "\n" + m.promptContent
            // A reply to go on with stays open.
            if options.continueFinal && i == messages.count - 1 && m.role == .assistant { return out }
            out += "<|im_end|>\n"
        }
        if options.addGenerationPrompt { out += "<|im_start|>assistant\n" }
        return out
    }
}
