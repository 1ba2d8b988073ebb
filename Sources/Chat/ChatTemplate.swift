// The prompt formats glmchat can render (GLM-4.7 and ChatML), the options they take, and recognising
// which one a model wants from the GGUF's `tokenizer.chat_template` text.
import Foundation

/// Rendering switches, named after the template variables they set.
public struct TemplateOptions: Sendable, Equatable {
    /// End with the assistant header so the model writes the reply (add_generation_prompt).
    public var addGenerationPrompt: Bool
    /// GLM: enable_thinking. Off makes the prompt end with `</think>` so the model answers directly.
    public var thinking: Bool
    /// GLM: clear_thinking = false. Renders the reasoning of every assistant turn, not only after the last user message.
    public var keepThinking: Bool
    /// The last message is a reply to go on with (it was stopped or cut off): it is rendered open, without its
    /// end tag, and no generation prompt follows (vLLM's continue_final_message).
    public var continueFinal: Bool
    public init(addGenerationPrompt: Bool = true, thinking: Bool = true, keepThinking: Bool = false, continueFinal: Bool = false) {
        self.addGenerationPrompt = addGenerationPrompt; self.thinking = thinking; self.keepThinking = keepThinking
        self.continueFinal = continueFinal
    }
}

public enum ChatTemplate: Sendable, Equatable {
    /// GLM-4.7 / GLM-4.7-Flash (`[gMASK]<sop>`, role tags without newlines, `<think>`, XML-ish tool calls).
    case glm47
    /// `<|im_start|>role\n…<|im_end|>\n`; when the first message is not a system message, the template's
    /// default system prompt (if any) is inserted.
    case chatML(defaultSystemPrompt: String?)

    public var name: String {
        switch self {
        case .glm47: return "GLM-4.7"
        case .chatML(let d): return d == nil ? "ChatML" : "ChatML (with a default system prompt)"
        }
    }

    /// The exact prompt text (tokenize it with special tokens parsed; no BOS is added by the template for GLM).
    public func render(_ messages: [Message], tools: [JSONValue] = [], options: TemplateOptions = TemplateOptions()) -> String {
        switch self {
        case .glm47: return GLM47Template.render(messages, tools: tools, options: options)
        case .chatML(let d): return ChatMLTemplate.render(messages, defaultSystemPrompt: d, options: options)
        }
    }

    /// True when the rendered prompt leaves the model inside its reasoning (it ends with `<think>`), so the
    /// reply parser must start in the reasoning state.
    public func replyStartsInReasoning(_ options: TemplateOptions) -> Bool {
        self == .glm47 && options.addGenerationPrompt && options.thinking
    }

    /// Whether the template can declare tools to the model and render tool calls.
    public var supportsTools: Bool { self == .glm47 }

    /// Text markers that end the model's turn, in case the detokenizer renders them (the engine also stops on ids).
    public var endMarkers: [(String, EndOfTurn)] {
        switch self {
        case .glm47: return [("<|endoftext|>", .endOfText), ("<|user|>", .endOfTurn), ("<|observation|>", .endOfMessage)]
        case .chatML: return [("<|im_end|>", .endOfTurn), ("<|endoftext|>", .endOfText)]
        }
    }
}

extension Message {
    /// The line a tool result carries when the user has undone the change its call made.
    public static let undoneNote = "[The user has since undone this change: the file is back as it was before this call.]"

    /// The text the model is shown for this message (every template and the remote client render this): a user
    /// message's attached files follow its text; a tool result the user has undone carries `undoneNote` after its
    /// output. A stopped call's output already says so.
    public var promptContent: String {
        if role == .user { return textWithAttachments }
        guard role == .tool, toolResult?.undone == true else { return content }
        return content.isEmpty || content.hasSuffix("\n") ? content + Self.undoneNote : content + "\n" + Self.undoneNote
    }
}

/// Which special token ended a reply.
public enum EndOfTurn: String, Sendable, Equatable {
    /// EOS (`<|endoftext|>`).
    case endOfText = "eos"
    /// EOT: the model handed the turn back to the user (`<|user|>`, `<|im_end|>`).
    case endOfTurn = "eot"
    /// EOM: the model expects a tool result (`<|observation|>`).
    case endOfMessage = "eom"
}

/// The outcome of looking at a model's `tokenizer.chat_template`.
public struct TemplateRecognition: Sendable, Equatable {
    public enum Match: String, Sendable { case exact, family, fallback }
    public let template: ChatTemplate
    public let match: Match
    /// A sentence for the user when the match is not exact (shown once, e.g. in the status line or on stderr).
    public let note: String?

    /// Recognises the template text. Known texts match exactly; GLM-4.7 and plain ChatML variants match by their
    /// markers; anything else falls back to plain ChatML without a default system prompt, with a note saying so.
    public static func recognize(_ text: String?) -> TemplateRecognition {
        guard let text, !PythonText.strip(text).isEmpty else {
            return TemplateRecognition(template: .chatML(defaultSystemPrompt: nil), match: .fallback,
                note: "The model file has no chat template, so glmchat uses plain ChatML (<|im_start|>role … <|im_end|>).")
        }
        let hash = fnv1a(PythonText.rstrip(text, PythonText.isSpace))
        if hash == knownGLM47 { return TemplateRecognition(template: .glm47, match: .exact, note: nil) }
        if hash == knownSmolLM2 {
            return TemplateRecognition(template: .chatML(defaultSystemPrompt: defaultSystemPrompt(in: text)), match: .exact, note: nil)
        }
        let has = { (s: String) in PythonText.contains(text, s) }
        if has("[gMASK]<sop>"), has("<arg_key>"), has("<|observation|>"), has("clear_thinking"), !has("/nothink") {
            return TemplateRecognition(template: .glm47, match: .family,
                note: "The model's chat template is a variant of GLM-4.7's; glmchat renders the GLM-4.7 format it knows.")
        }
        if has("<|im_start|>"), has("<|im_end|>") {
            let d = defaultSystemPrompt(in: text)
            return TemplateRecognition(template: .chatML(defaultSystemPrompt: d), match: .family,
                note: "The model's chat template is a ChatML variant; glmchat renders plain ChatML\(d == nil ? "" : " with its default system prompt"), without template-specific extras such as tool declarations.")
        }
        return TemplateRecognition(template: .chatML(defaultSystemPrompt: nil), match: .fallback,
            note: "The model's chat template is not one glmchat recognises (it knows GLM-4.7 and ChatML), so it uses plain ChatML (<|im_start|>role … <|im_end|>), which may not be the format the model was trained on.")
    }

    /// FNV-1a (64-bit) of the template with trailing whitespace removed, for the templates known byte for byte.
    static let knownGLM47: UInt64 = 0x455b_4682_700c_641e      // GLM-4.7-Flash.jinja
    static let knownSmolLM2: UInt64 = 0x45ec_583d_4d25_bc3a    // SmolLM2-135M-Instruct (GGUF tokenizer.chat_template)

    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// The system text a ChatML template writes when the conversation has none: the literal between
    /// `<|im_start|>system\n` and `<|im_end|>` inside a Jinja string.
    static func defaultSystemPrompt(in text: String) -> String? {
        // The newline is either in the template text itself or written as \n inside a Jinja string.
        let candidates = ["<|im_start|>system\n", "<|im_start|>system\\n"].flatMap { PythonText.split(text, $0).dropFirst() }
        for p in candidates {
            let body = PythonText.split(p, "<|im_end|>")
            guard body.count > 1 else { continue }
            let s = body[0]
            // A literal prompt, not a Jinja expression that inserts the conversation's own system message.
            if !s.isEmpty, !["{{", "{%", "'", "\"", "\\"].contains(where: { PythonText.contains(s, $0) }) { return s }
        }
        return nil
    }
}
