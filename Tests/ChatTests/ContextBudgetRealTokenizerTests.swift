// The context budget with a real tokenizer (SmolLM2's, from the test data): the fitted prompt, tokenized
// afresh, always fits; what was dropped is reported; the stored conversation is untouched.
import Foundation
import GGUF
import Tokenizer
import XCTest
@testable import Chat

final class ContextBudgetRealTokenizerTests: XCTestCase {
    struct Counter: TokenCounter {
        let tokenizer: Tokenizer
        func countTokens(_ text: String) -> Int { tokenizer.encode(text, parseSpecial: true, addBOS: false).count }
    }

    func testFittedPromptFitsWithRealTokenizer() throws {
        let model = try Fixtures.testdata("models/SmolLM2-135M-Instruct.Q4_1.gguf")
        let tokenizer = try Tokenizer(gguf: try GGUFFile(path: model.path))
        let template = ChatTemplate.chatML(defaultSystemPrompt: nil)
        var conversation: [Message] = [.system("You are a careful coding assistant.")]
        var rng = SystemRandomNumberGenerator()
        let words = ["func", "let", "变量", "🙂", "return", "пример", "x", "42", "\n", "    ", "コード", "if"]
        for turn in 0..<40 {
            let len = 20 + Int(rng.next() % 200)
            conversation.append(.user("Turn \(turn): " + (0..<len).map { _ in words.randomElement(using: &rng)! }.joined(separator: " ")))
            conversation.append(.assistant((0..<len).map { _ in words.randomElement(using: &rng)! }.joined(separator: " ")))
        }
        conversation.append(.user("Last question: what did we decide?"))
        let stored = conversation
        let counter = Counter(tokenizer: tokenizer)
        var state = ContextBudget.FitState()
        for contextLength in [6000, 3000, 1500] {
            let budget = ContextBudget(contextLength: contextLength, reservedReplyTokens: 256)
            let fitted = try budget.fit(conversation, template: template, options: TemplateOptions(), counter: counter, previous: state)
            state = fitted.state
            // Independent count of what will be sent: tokenize the rendered prompt again.
            let prompt = template.render(fitted.messages, options: TemplateOptions())
            XCTAssertEqual(prompt, fitted.prompt)
            let tokens = tokenizer.encode(prompt, parseSpecial: true, addBOS: false).count
            XCTAssertLessThanOrEqual(tokens, budget.promptBudget, "context \(contextLength)")
            XCTAssertEqual(tokens, fitted.promptTokens)
            XCTAssertEqual(fitted.messages.first?.role, .system, "the system prompt is never dropped")
            XCTAssertEqual(fitted.messages.last?.content, "Last question: what did we decide?")
            XCTAssertFalse(fitted.report.isEmpty, "dropping must be reported")
            XCTAssertLessThan(fitted.messages.count, stored.count)
            XCTAssertEqual(conversation, stored, "the stored conversation is never changed")
        }
    }
}
