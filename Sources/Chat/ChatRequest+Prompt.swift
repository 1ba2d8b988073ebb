// Glue for backends: the prompt text of a ChatRequest, the sampling its reply uses, and a reply parser set up for it.
import Foundation

extension ChatRequest {
    public var templateOptions: TemplateOptions {
        TemplateOptions(addGenerationPrompt: !continuing, thinking: thinking, keepThinking: keepThinking, continueFinal: continuing)
    }

    /// The messages the fitter starts from: the workspace's instructions joined to the system message, then the
    /// summary in place of the messages it covers (so the system message reads prompt, instructions, summary).
    /// Returns how many of `messages` the summary stands in for.
    public var promptMessages: (messages: [Message], compacted: Int) {
        let (m, covered) = Compaction.apply(compaction, to: ProjectInstructions.messages(messages, with: instructions))
        // The instructions may have added a message at the front; `covered` counts the conversation's own.
        return (m, covered == 0 ? 0 : compaction?.end(in: messages) ?? 0)
    }

    /// The exact prompt text for this request (tools are only declared by templates that support them).
    public func prompt(_ template: ChatTemplate) -> String {
        template.render(messages, tools: template.supportsTools ? tools : [], options: templateOptions)
    }

    /// What the reply is sampled with (every backend uses this): GLM's tool preset when the last message is a tool
    /// result, unless the user set their own values (`SamplingParams.forReply`).
    public var effectiveSampling: SamplingParams { sampling.forReply(inToolRound: messages.last?.role == .tool) }

    /// A parser for the reply to `prompt(template)`.
    public func replyParser(_ template: ChatTemplate) -> ReplyParser {
        ReplyParser(startInReasoning: continuing ? continuesInReasoning(template) : template.replyStartsInReasoning(templateOptions), template: template,
                    argumentTypes: ReplyParser.argumentTypes(fromTools: tools), continuing: continuing)
    }

    /// A continued reply goes on inside its reasoning when it had written no answer yet (GLM with thinking on).
    func continuesInReasoning(_ template: ChatTemplate) -> Bool {
        guard template == .glm47, thinking, let last = messages.last, last.role == .assistant else { return false }
        return last.content.isEmpty && last.toolCalls.isEmpty
    }
}

extension ChatTemplate {
    /// Parses a template name given by the user: "glm47"/"glm-4.7" or "chatml".
    public init?(name: String) {
        switch name.lowercased() {
        case "glm47", "glm-4.7", "glm4.7", "glm": self = .glm47
        case "chatml": self = .chatML(defaultSystemPrompt: nil)
        default: return nil
        }
    }
}
