// The tool loop as update() runs it: several calls answered in order and sent back together, a refusal's
// text reaching the model, a tool's error reaching the model, the round limit leaving every call answered,
// and a reply stopped for repeating itself running none of its calls.
import XCTest
import Foundation
import Chat
@testable import TUI

final class ToolRoundTests: XCTestCase {
    func sends(_ effects: [Effect]) -> [ChatRequest] { effects.compactMap { if case .send(let r) = $0 { return r }; return nil } }
    func runs(_ effects: [Effect]) -> [ToolCall] { effects.compactMap { if case .runTool(let c) = $0 { return c }; return nil } }
    func call(_ id: String, _ name: String = "ls") -> ToolCall { ToolCall(id: id, name: name, arguments: .object([])) }

    /// A state whose model asks for `calls` in reply to "go"; approval off unless `approve`.
    func asking(_ calls: [ToolCall], approve: Bool = false) -> (AppState, [Effect]) {
        var s = Fixture.state()
        s.toolsNeedApproval = approve
        s.tools = [.object([("type", .string("function"))])]
        Fixture.feed(&s, Fixture.type("go") + [Fixture.key(.enter)] + calls.map { .backend(.toolCall($0), at: 1) })
        let fx = Fixture.feed(&s, [.backend(.finished(.toolCalls), at: 2)])
        return (s, fx)
    }

    func testCallsRunInOrderAndTheirResultsGoBackTogether() {
        let c1 = call("c1", "read_file"), c2 = call("c2", "list_dir")
        var (s, fx) = asking([c1, c2])
        XCTAssertEqual(runs(fx), [c1])   // one at a time
        fx = Fixture.feed(&s, [.toolFinished(.tool("one", callID: "c1", name: "read_file"), at: 3)])
        XCTAssertEqual(runs(fx), [c2])
        XCTAssertTrue(sends(fx).isEmpty)
        fx = Fixture.feed(&s, [.toolFinished(.tool("two", callID: "c2", name: "list_dir"), at: 4)])
        let reqs = sends(fx)
        XCTAssertEqual(reqs.count, 1)
        XCTAssertEqual(reqs[0].messages.map(\.role), [.user, .assistant, .tool, .tool])
        XCTAssertEqual(reqs[0].messages[2...].map(\.content), ["one", "two"])
        XCTAssertEqual(reqs[0].messages[2...].map { $0.toolResult?.callID }, ["c1", "c2"])
        XCTAssertEqual(reqs[0].tools.count, 1)   // the tools are declared again
        // The model answers without a call: the loop ends.
        fx = Fixture.feed(&s, [.backend(.content("Done."), at: 5), .backend(.finished(.stop), at: 6)])
        XCTAssertTrue(sends(fx).isEmpty)
        XCTAssertFalse(s.isBusy)
        XCTAssertEqual(s.messages.last?.content, "Done.")
    }

    func testARefusalIsSentToTheModelAndTheLoopGoesOn() {
        var (s, _) = asking([call("c1", "run_command")], approve: true)
        let fx = Fixture.feed(&s, [Fixture.key(.escape)])   // Esc refuses, like n
        XCTAssertTrue(runs(fx).isEmpty)
        let req = sends(fx).first
        XCTAssertEqual(req?.messages.last?.role, .tool)
        XCTAssertEqual(req?.messages.last?.content, "The user refused to run this tool call.")
        XCTAssertEqual(req?.messages.last?.toolResult?.callID, "c1")
        XCTAssertEqual(req?.messages.last?.toolResult?.denied, true)
        XCTAssertNotNil(s.streaming)
    }

    func testAToolErrorReachesTheModel() {
        var (s, _) = asking([call("c1", "read_file")])
        var failed = Message.tool("Error: no file named a.txt in the workspace", callID: "c1", name: "read_file")
        failed.toolResult?.exitStatus = 1
        let fx = Fixture.feed(&s, [.toolFinished(failed, at: 3)])
        let last = sends(fx).first?.messages.last
        XCTAssertEqual(last?.content, "Error: no file named a.txt in the workspace")
        XCTAssertEqual(last?.toolResult?.exitStatus, 1)
    }

    func testTheRoundLimitLeavesEveryCallAnsweredAndANewMessageStartsAgain() {
        var s = Fixture.state()
        s.toolsNeedApproval = false
        Fixture.feed(&s, Fixture.type("go") + [Fixture.key(.enter)])
        var round = 0
        while s.streaming != nil, round < 100 {
            let c = call("c\(round)")
            Fixture.feed(&s, [.backend(.toolCall(c), at: 1), .backend(.finished(.toolCalls), at: 2),
                              .toolFinished(.tool("x", callID: c.id, name: c.name), at: 3)])
            round += 1
        }
        XCTAssertEqual(round, AppState.maxToolRounds + 1)   // the replies: the first and one per round sent back
        XCTAssertFalse(s.isBusy)
        XCTAssertEqual(s.messages.last?.role, .tool)
        XCTAssertEqual(s.messages.last?.toolResult?.callID, "c\(AppState.maxToolRounds)")
        XCTAssertEqual(s.notice, "stopped after \(AppState.maxToolRounds) rounds of tool calls; send a message to go on")
        // A message from the user starts a fresh count.
        Fixture.feed(&s, Fixture.type("go on") + [Fixture.key(.enter)])
        let c = call("again")
        let fx = Fixture.feed(&s, [.backend(.toolCall(c), at: 4), .backend(.finished(.toolCalls), at: 5),
                                   .toolFinished(.tool("x", callID: c.id, name: c.name), at: 6)])
        XCTAssertEqual(sends(fx).count, 1)
    }

    func testAReplyStoppedForRepeatingItselfRunsNoneOfItsCalls() {
        var s = Fixture.state()
        s.toolsNeedApproval = false
        Fixture.feed(&s, Fixture.type("go") + [Fixture.key(.enter), .backend(.content("I will check. I will check."), at: 1),
                                               .backend(.toolCall(call("c1")), at: 2)])
        let fx = Fixture.feed(&s, [.backend(.warning("the model was repeating itself"), at: 3), .backend(.finished(.loop), at: 4)])
        XCTAssertTrue(runs(fx).isEmpty)
        XCTAssertTrue(sends(fx).isEmpty)
        XCTAssertFalse(s.isBusy)
        XCTAssertEqual(s.messages.last?.finishReason, .loop)
        XCTAssertTrue(s.layoutTranscript().rows.contains { $0.plainText.contains("stopped: the model was repeating itself") })
    }
}

/// A tool call the model wrote wrong is answered with its error, and the model gets another turn to correct it.
final class MalformedCallTests: XCTestCase {
    func testTheErrorGoesBackAndTheModelTriesAgain() throws {
        let ws = NSTemporaryDirectory() + "glmchat-malformed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: ws, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: ws) }
        let tools = CodingTools(workspace: try Workspace(root: ws))
        var s = Fixture.state()
        let call = ToolCall(id: "c1", name: "read_file", arguments: .object([]), malformed: "the value of path was not closed with </arg_value>")
        Fixture.feed(&s, Fixture.type("read it") + [Fixture.key(.enter), .backend(.toolCall(call), at: 1)])
        var fx = update(&s, .backend(.finished(.toolCalls), at: 2))
        XCTAssertTrue(fx.contains { if case .prepareTool(let c) = $0 { return c == call }; return false })
        fx = update(&s, .toolPrepared(call, tools.prepare(call)))
        let sent = fx.compactMap { if case .send(let r) = $0 { return r }; return nil }
        XCTAssertEqual(sent.count, 1, "a second model turn")
        let answer = try XCTUnwrap(sent.first?.messages.last)
        XCTAssertEqual(answer.role, .tool)
        XCTAssertEqual(answer.toolResult?.exitStatus, 1)
        XCTAssertTrue(answer.content.contains("could not be read: the value of path was not closed with </arg_value>"), answer.content)
    }
}
