// The context budget with a fake tokenizer (one token per 4 UTF-8 bytes): the prompt always fits, the
// removals happen in order and are reported, tool calls stay with their results, and the stored
// conversation is never changed.
import Foundation
import XCTest
@testable import Chat

struct FakeCounter: TokenCounter {
    func countTokens(_ text: String) -> Int { (text.utf8.count + 3) / 4 }
}

final class ContextBudgetTests: XCTestCase {
    let counter = FakeCounter()

    /// system, then `turns` turns of: user, assistant (reasoning + tool call), tool (big output), assistant answer.
    func conversation(turns: Int, toolBytes: Int = 4000) -> [Message] {
        var m: [Message] = [.system("You are a coding assistant.")]
        for t in 0..<turns {
            m.append(.user("Question \(t): " + String(repeating: "q", count: 200)))
            m.append(.assistant("", reasoning: "Reasoning \(t) " + String(repeating: "r", count: 400),
                                toolCalls: [ToolCall(id: "c\(t)", name: "read_file", arguments: .object([("path", .string("f\(t).txt"))]))]))
            m.append(.tool("Output \(t) " + String(repeating: "o", count: toolBytes), callID: "c\(t)", name: "read_file"))
            m.append(.assistant("Answer \(t) " + String(repeating: "a", count: 300), reasoning: "More reasoning \(t)"))
        }
        m.append(.user("Last question"))
        return m
    }

    func tokens(_ m: [Message], _ options: TemplateOptions = TemplateOptions()) -> Int { counter.countTokens(ChatTemplate.glm47.render(m, options: options)) }

    func assertWellFormed(_ out: [Message], from input: [Message], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(out.first?.role, .system, file: file, line: line)
        XCTAssertEqual(out.last?.id, input.last?.id, "the last user message is kept", file: file, line: line)
        // Every tool call is answered, and every result follows its call.
        var open: [String] = []
        for m in out {
            if m.role == .assistant { XCTAssertTrue(open.isEmpty, "calls without results", file: file, line: line); open = m.toolCalls.map(\.id) }
            if m.role == .tool { XCTAssertEqual(m.toolResult?.callID, open.first, file: file, line: line); open.removeFirst(min(1, open.count)) }
            if m.role == .user { XCTAssertTrue(open.isEmpty, file: file, line: line) }
        }
        // Kept messages keep their order.
        let ids = input.map(\.id)
        let positions = out.compactMap { m in ids.firstIndex(of: m.id) }
        XCTAssertEqual(positions.count, out.count, file: file, line: line)
        XCTAssertEqual(positions, positions.sorted(), file: file, line: line)
    }

    func testFittingConversationIsUntouched() throws {
        let conv = conversation(turns: 3)
        let b = ContextBudget(contextLength: 100_000, reservedReplyTokens: 1000)
        let f = try b.fit(conv, template: .glm47, options: TemplateOptions(), counter: counter)
        XCTAssertEqual(f.messages, conv)
        XCTAssertTrue(f.report.isEmpty)
        XCTAssertEqual(f.promptTokens, tokens(conv))
        XCTAssertEqual(f.prompt, ChatTemplate.glm47.render(conv))
    }

    func testOldToolOutputsAreShortenedFirst() throws {
        let conv = conversation(turns: 4)
        let stored = conv
        let full = tokens(conv)
        // Fits once old tool outputs (4 × ~1000 tokens) are cut to 2000 bytes (~500 tokens) each.
        let b = ContextBudget(contextLength: full - 1000 + 100, reservedReplyTokens: 100)
        let f = try b.fit(conv, template: .glm47, options: TemplateOptions(), counter: counter)
        XCTAssertEqual(conv, stored)
        XCTAssertLessThanOrEqual(f.promptTokens, b.promptBudget)
        XCTAssertEqual(f.promptTokens, tokens(f.messages))
        XCTAssertEqual(f.messages.count, conv.count)
        guard case .shortenedToolOutputs(let n, let saved)? = f.report.steps.first else { return XCTFail("\(f.report.steps)") }
        XCTAssertEqual(n, 4)
        XCTAssertEqual(saved, full - f.promptTokens)
        XCTAssertEqual(f.report.steps.count, 1)
        for m in f.messages where m.role == .tool {
            XCTAssertTrue(m.content.contains("bytes omitted"))
            XCTAssertLessThan(m.content.utf8.count, 2100)
            XCTAssertTrue(m.content.hasPrefix("Output"))
            XCTAssertEqual(m.toolResult?.truncated, true)
        }
        XCTAssertTrue(f.report.description.contains("shortened 4 old tool outputs"))
        XCTAssertEqual(f.report.shortenedMessageIDs, conv.dropLast().filter { $0.role == .tool }.map(\.id))
        assertWellFormed(f.messages, from: conv)
    }

    func testReasoningGoesFirstWhenKeepingThinking() throws {
        let conv = conversation(turns: 4, toolBytes: 100)
        let options = TemplateOptions(keepThinking: true)
        let full = tokens(conv, options)
        let b = ContextBudget(contextLength: full - 200 + 10, reservedReplyTokens: 10)
        let f = try b.fit(conv, template: .glm47, options: options, counter: counter)
        XCTAssertEqual(f.report.steps.count, 1)
        guard case .droppedReasoning(let n, _)? = f.report.steps.first else { return XCTFail("\(f.report.steps)") }
        XCTAssertEqual(n, 8)
        XCTAssertTrue(f.messages.filter { $0.role == .assistant }.allSatisfy { ($0.reasoning ?? "").isEmpty })
        // Rendering the fitted messages with keepThinking gives what the template gives without it.
        XCTAssertEqual(ChatTemplate.glm47.render(f.messages, options: options), ChatTemplate.glm47.render(conv, options: TemplateOptions()))
        XCTAssertLessThanOrEqual(f.promptTokens, b.promptBudget)
    }

    func testOldestTurnsAreDroppedInChunksAndStaySticky() throws {
        let conv = conversation(turns: 20)
        let stored = conv
        let b = ContextBudget(contextLength: 8000, reservedReplyTokens: 1000)
        let f = try b.fit(conv, template: .glm47, options: TemplateOptions(), counter: counter)
        XCTAssertEqual(conv, stored)
        XCTAssertLessThanOrEqual(f.promptTokens, b.promptBudget)
        XCTAssertEqual(f.promptTokens, tokens(f.messages))
        assertWellFormed(f.messages, from: conv)
        let kept = Set(f.messages.map(\.id))
        XCTAssertEqual(Set(f.report.removedMessageIDs), Set(conv.map(\.id)).subtracting(kept))
        guard case .droppedTurns(let turns, let msgs, _)? = f.report.steps.last else { return XCTFail("\(f.report.steps)") }
        XCTAssertEqual(msgs, turns * 4)
        XCTAssertEqual(f.report.removedMessageIDs.count, msgs)
        // The chunk: well under the budget, so the next turns fit without dropping more.
        XCTAssertLessThanOrEqual(f.promptTokens, b.promptBudget * 3 / 4 + 600)

        // Next turn: the same prefix is sent while it fits.
        var next = conv
        next.append(.assistant("Short answer."))
        next.append(.user("Another question"))
        let g = try b.fit(next, template: .glm47, options: TemplateOptions(), counter: counter, previous: f.state)
        XCTAssertEqual(g.state.droppedTurns, f.state.droppedTurns)
        XCTAssertTrue(g.report.steps.isEmpty)
        XCTAssertEqual(Array(g.messages.prefix(f.messages.count - 1)).map(\.id), Array(f.messages.dropLast()).map(\.id))
        XCTAssertTrue(g.prompt.hasPrefix(String(f.prompt.dropLast("<|user|>Last question<|assistant|><think>".count))))
    }

    func testSystemMessagesAreNeverDropped() throws {
        var conv = conversation(turns: 6)
        conv.insert(.system("Mid-conversation instruction."), at: 5)
        let b = ContextBudget(contextLength: 4000, reservedReplyTokens: 500)
        let f = try b.fit(conv, template: .glm47, options: TemplateOptions(), counter: counter)
        XCTAssertEqual(f.messages.filter { $0.role == .system }.count, 2)
        XCTAssertLessThanOrEqual(f.promptTokens, b.promptBudget)
    }

    func testOneLongAgentTurnShortensItsOwnToolOutputs() throws {
        var conv: [Message] = [.system("s"), .user("do it")]
        for t in 0..<6 {
            conv.append(.assistant("", toolCalls: [ToolCall(id: "k\(t)", name: "run_command", arguments: .object([("command", .string("make"))]))]))
            conv.append(.tool(String(repeating: "x", count: 8000), callID: "k\(t)", name: "run_command"))
        }
        let b = ContextBudget(contextLength: 6000, reservedReplyTokens: 1000)
        let f = try b.fit(conv, template: .glm47, options: TemplateOptions(), counter: counter)
        XCTAssertEqual(f.messages.count, conv.count)
        XCTAssertLessThanOrEqual(f.promptTokens, b.promptBudget)
        guard case .shortenedCurrentToolOutputs(6, _)? = f.report.steps.last else { return XCTFail("\(f.report.steps)") }
    }

    func testTooLongForAnyShorteningIsAnError() {
        let conv: [Message] = [.system("s"), .user(String(repeating: "z", count: 40_000))]
        let b = ContextBudget(contextLength: 5000, reservedReplyTokens: 1000)
        XCTAssertThrowsError(try b.fit(conv, template: .glm47, options: TemplateOptions(), counter: counter)) { e in
            XCTAssertTrue(e is ContextError)
            XCTAssertTrue("\(e)".contains("more than the 4000 available"))
        }
    }
}

extension ContextBudgetTests {
    /// Seeded random conversations and budgets: the result always fits or is a ContextError, and the
    /// invariants hold (system kept, last user message kept, calls with their results, input unchanged).
    func testRandomConversationsAlwaysFitOrFailCleanly() throws {
        var rng = SplitMix(seed: 7)
        var fitted = 0, refused = 0, dropped = 0
        for _ in 0..<150 {
            var conv: [Message] = [.system("sys " + String(repeating: "s", count: rng.next(200)))]
            for t in 0..<(1 + rng.next(12)) {
                conv.append(.user("u\(t) " + String(repeating: "u", count: rng.next(600))))
                for r in 0..<rng.next(3) {
                    let id = "c\(t)_\(r)"
                    conv.append(.assistant(String(repeating: "a", count: rng.next(100)), reasoning: rng.next(2) == 0 ? nil : String(repeating: "r", count: rng.next(500)),
                                           toolCalls: [ToolCall(id: id, name: "read_file", arguments: .object([("path", .string("p"))]))]))
                    conv.append(.tool(String(repeating: "o", count: rng.next(9000)), callID: id, name: "read_file"))
                }
                if rng.next(3) > 0 { conv.append(.assistant("answer " + String(repeating: "a", count: rng.next(400)), reasoning: "why")) }
            }
            if conv.last?.role == .assistant && conv.last?.toolCalls.isEmpty == true { conv.append(.user("next")) }
            let stored = conv
            let options = TemplateOptions(thinking: rng.next(2) == 0, keepThinking: rng.next(2) == 0)
            let budget = ContextBudget(contextLength: 300 + rng.next(8000), reservedReplyTokens: 100 + rng.next(200))
            do {
                let f = try budget.fit(conv, template: .glm47, options: options, counter: counter)
                fitted += 1
                XCTAssertLessThanOrEqual(f.promptTokens, budget.promptBudget)
                XCTAssertEqual(f.promptTokens, counter.countTokens(ChatTemplate.glm47.render(f.messages, options: options)))
                XCTAssertEqual(f.prompt, ChatTemplate.glm47.render(f.messages, options: options))
                if let lastUser = conv.last(where: { $0.role == .user }) { XCTAssertTrue(f.messages.contains { $0.id == lastUser.id && $0.content == lastUser.content }) }
                XCTAssertEqual(f.messages.filter { $0.role == .system }.map(\.content), conv.filter { $0.role == .system }.map(\.content))
                assertWellFormedCalls(f.messages)
                XCTAssertEqual(Set(f.report.removedMessageIDs), Set(conv.map(\.id)).subtracting(f.messages.map(\.id)))
                if !f.report.removedMessageIDs.isEmpty { dropped += 1 }
            } catch let e as ContextError {
                refused += 1
                XCTAssertTrue(e.description.contains("available"))
            }
            XCTAssertEqual(conv, stored)
        }
        XCTAssertGreaterThan(fitted, 30); XCTAssertGreaterThan(dropped, 10); XCTAssertGreaterThan(refused, 0)
    }

    func assertWellFormedCalls(_ out: [Message], file: StaticString = #filePath, line: UInt = #line) {
        var open: [String] = []
        for m in out {
            switch m.role {
            case .assistant: XCTAssertTrue(open.isEmpty, file: file, line: line); open = m.toolCalls.map(\.id)
            case .tool: XCTAssertEqual(m.toolResult?.callID, open.first, file: file, line: line); if !open.isEmpty { open.removeFirst() }
            case .user: XCTAssertTrue(open.isEmpty, file: file, line: line)
            case .system: break
            }
        }
    }
}

/// A small seeded generator (SplitMix64) so the random tests are the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return bound <= 0 ? 0 : Int(z % UInt64(bound))
    }
}
