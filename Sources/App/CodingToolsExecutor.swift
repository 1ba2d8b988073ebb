// Glue between the TUI and Chat for the in-process engine: the coding tools as a ToolExecutor, and
// Chat's ContextBudget (exact token counts, sticky truncation) as the TUI's context fitter.
import Chat
import Foundation
import Synchronization
import TUI

/// Runs one approved call of the built-in coding tools (the TUI asks the user before writes and commands).
final class CodingToolsExecutor: ToolExecutor, @unchecked Sendable {
    let tools: CodingTools
    init(_ tools: CodingTools) { self.tools = tools }
    var declarations: [JSONValue] { tools.declarations }
    var needsApproval: Bool { true }
    var autoApproved: Set<String> { Set(CodingTools.names.filter { CodingTools.kind(of: $0) == .read }) }
    func run(_ call: ToolCall, completion: @escaping @Sendable (Message) -> Void) {
        let tools = self.tools
        Task.detached { completion(await tools.execute(call) { _ in .approve }.message(answering: call)) }
    }
}

/// A fitter that keeps the prompt inside the model's context with exact token counts, remembering its
/// decisions between turns so the KV prefix stays reusable. If nothing fits, the messages go as they are
/// and the engine reports the overflow in one sentence.
func budgetFitter(for backend: EngineChatBackend, tools: [JSONValue]) -> ContextFitter {
    let contextLength = backend.contextLength
    let reserve = min(16_384, contextLength / 4)
    let state = Mutex(ContextBudget.FitState())
    let counter = TokenizerCounter(tokenizer: backend.tokenizer)
    let template = backend.template
    return { conversation, settings, promptLimit in
        // A prompt limit below the context's budget is kept by reserving the rest.
        let budget = ContextBudget(contextLength: contextLength, reservedReplyTokens: max(reserve, contextLength - (promptLimit ?? contextLength)))
        let options = TemplateOptions(addGenerationPrompt: true, thinking: settings.thinking, keepThinking: settings.keepThinking)
        let previous = state.withLock { $0 }
        guard let fitted = try? budget.fit(conversation, tools: template.supportsTools ? tools : [], template: template,
                                           options: options, counter: counter, previous: previous) else {
            return ContextFitResult(messages: conversation, droppedMessages: 0, promptTokens: nil)
        }
        state.withLock { $0 = fitted.state }
        // The TUI's notice goes before the first message still sent (leading system messages always are).
        let firstSent = fitted.messages.first { $0.role != .system }.flatMap { m in conversation.firstIndex { $0.id == m.id } } ?? 0
        return ContextFitResult(messages: fitted.messages, droppedMessages: firstSent, promptTokens: fitted.promptTokens)
    }
}
