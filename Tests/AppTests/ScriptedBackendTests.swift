// The scripted backend and the controller together: a whole conversation with thinking, a tool call
// (approved), its result and the follow-up answer, saved through the persistence protocol.
import XCTest
import Foundation
import Chat
@testable import App
@testable import TUI

final class ScriptedBackendTests: XCTestCase {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/demo-script.json").path

    /// Processes queued events until the controller is idle (a generous failsafe, not a speed check).
    func runUntilIdle(_ c: ChatController) {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            c.processQueued()
            if !c.state.isBusy && c.state.overlay == nil { return }
            if case .approval = c.state.overlay { return }
            _ = c.queue.waitForPost(timeout: 1)
        }
        XCTFail("the scripted conversation did not finish")
    }

    func makeController(pace: Double = 0) throws -> (ChatController, InMemoryPersistence) {
        var script = try Script.load(path: fixture)
        script.pace = pace
        let b = ScriptedBackend(script: script)
        let p = InMemoryPersistence()
        let c = ChatController(state: AppState(modelName: "", contextLength: 0, theme: .plain), backend: b, persistence: p, tools: b)
        c.handle(.resize(width: 80, height: 24))
        return (c, p)
    }

    func send(_ c: ChatController, _ text: String) {
        for ch in text { c.handle(.key(KeyPress(.char(ch)))) }
        c.handle(.key(KeyPress(.enter)))
    }

    func testReplaysThinkingAndAnswerWhole() throws {
        let (c, p) = try makeController()
        XCTAssertEqual(c.state.modelName, "scripted-demo")
        XCTAssertEqual(c.state.contextLength, 32768)
        send(c, "hello there")
        runUntilIdle(c)
        let m = c.state.messages[1]
        XCTAssertEqual(m.reasoning, "The user says hello. I should greet them back briefly and offer help.\nKeep it short.")
        XCTAssertTrue(m.content.hasPrefix("Hello! I am a **scripted** demo of glmchat."))
        XCTAssertEqual(m.finishReason, .stop)
        XCTAssertNotNil(m.stats?.completionTokens)
        let saved = try p.load(c.state.sessionID!)
        XCTAssertEqual(saved.messages, c.state.messages)
        XCTAssertEqual(saved.title, "hello there")
    }

    func testToolLoopWithApproval() throws {
        let (c, p) = try makeController()
        send(c, "list the files")
        runUntilIdle(c)
        guard case .approval(let panel) = c.state.overlay else { return XCTFail("expected an approval prompt") }
        XCTAssertEqual(panel.call.name, "list_files")
        c.handle(.key(KeyPress(.char("y"))))
        runUntilIdle(c)
        XCTAssertEqual(c.state.messages.map(\.role), [.user, .assistant, .tool, .assistant])
        XCTAssertEqual(c.state.messages[2].content, "Package.swift\nREADME.md\nSources\nTests\nscripts\nthemes")
        XCTAssertEqual(c.state.messages[2].toolResult?.exitStatus, 0)
        XCTAssertEqual(c.state.messages[3].content, "The folder holds a Swift package: sources, tests, scripts and themes.")
        XCTAssertEqual(try p.load(c.state.sessionID!).messages.count, 4)
    }

    func testCancelStopsTheReply() throws {
        let (c, _) = try makeController(pace: 0.01)
        send(c, "hello")
        c.handle(.key(KeyPress(.escape)))
        runUntilIdle(c)
        XCTAssertEqual(c.state.messages[1].finishReason, .cancelled)
        XCTAssertFalse(c.state.messages[1].incomplete)
    }

    func testThinkingOffSkipsReasoning() throws {
        let (c, _) = try makeController()
        c.handle(.key(KeyPress(.function(3)))); c.handle(.key(KeyPress(.enter))); c.handle(.key(KeyPress(.escape)))
        send(c, "hello")
        runUntilIdle(c)
        XCTAssertNil(c.state.messages[1].reasoning)
        XCTAssertFalse(c.state.messages[1].content.isEmpty)
    }

    func testResumeThroughTheController() throws {
        let (c, p) = try makeController()
        send(c, "hello")
        runUntilIdle(c)
        let id = c.state.sessionID!
        var script = try Script.load(path: fixture); script.pace = 0
        let b = ScriptedBackend(script: script)
        let c2 = ChatController(state: AppState(modelName: "", contextLength: 0, theme: .plain), backend: b, persistence: p, tools: b)
        try c2.open(id)
        XCTAssertEqual(c2.state.messages, c.state.messages)
        XCTAssertEqual(c2.state.title, "hello")
    }

    func testScriptErrorsAreSentences() {
        let cases = [
            ("[]", "must be a JSON object"),
            (#"{"turns": []}"#, "no \"turns\""),
            (#"{"turns": [{"steps": [{"dance": 1}]}]}"#, "step 1 of turn 1"),
            (#"{"turns": [{"steps": [{"tool_call": {}}]}]}"#, "has no name"),
            (#"{"turns": [{"finish": "nope", "steps": []}]}"#, "unknown finish"),
            (#"{"chunk": 0, "turns": [{"steps": []}]}"#, "chunk at least 1"),
        ]
        for (json, reason) in cases {
            XCTAssertThrowsError(try Script.parse(json)) { XCTAssertTrue("\($0)".contains(reason), "\($0)") }
        }
    }

    func testChunksCoverTheText() {
        let text = "Hello, wide 世界 and 👨‍👩‍👧 emoji.\nNew line."
        for n in 1...6 { XCTAssertEqual(Script.chunks(text, n).joined(), text) }
    }
}

final class QuitSaveTests: XCTestCase {
    func testQuittingMidReplyKeepsThePartialReply() throws {
        var script = try Script.parse(#"{"pace_ms": 0, "turns": [{"steps": [{"content": "partial words"}]}]}"#)
        script.pace = 0
        let b = ScriptedBackend(script: script)
        let p = InMemoryPersistence()
        let c = ChatController(state: AppState(modelName: "", contextLength: 0, theme: .plain), backend: b, persistence: p, tools: b)
        for ch in "hi" { c.handle(.key(KeyPress(.char(ch)))) }
        c.handle(.key(KeyPress(.enter)))
        c.handle(.backend(.content("partial "), at: 1))   // as if streamed, before the backend's own events are processed
        c.handle(.key(KeyPress(.ctrl("c"))))
        c.handle(.key(KeyPress(.ctrl("c"))))
        XCTAssertTrue(c.quitRequested)
        let saved = try p.load(c.state.sessionID!)
        XCTAssertEqual(saved.messages.last?.content, "partial ")
        XCTAssertEqual(saved.messages.last?.incomplete, true)
    }
}

/// The scripted backend answers with what it was sent, so the system message is testable end to end.
final class ScriptedEchoTests: XCTestCase {
    func testTheSystemMessageSentCarriesTheConversationsPromptAndTheInstructions() throws {
        var script = try Script.parse(#"{"turns": [{"match": "system", "steps": [{"echo": "system"}]}, {"steps": [{"echo": "user"}]}]}"#)
        XCTAssertThrowsError(try Script.parse(#"{"turns": [{"steps": [{"echo": "tools"}]}]}"#))
        script.pace = 0
        let b = ScriptedBackend(script: script)
        var state = AppState(modelName: "", contextLength: 0, theme: .plain)
        state.instructions = ProjectInstructions(source: "AGENTS.md", text: "Use tabs.", fileBytes: 9)
        state.messages = [.system("You are terse.")]
        let c = ChatController(state: state, backend: b, persistence: InMemoryPersistence(), tools: b)
        c.handle(.resize(width: 80, height: 24))
        for ch in "show the system" { c.handle(.key(KeyPress(.char(ch)))) }
        c.handle(.key(KeyPress(.enter)))
        let deadline = Date().addingTimeInterval(30)
        while c.state.isBusy && Date() < deadline { c.processQueued(); _ = c.queue.waitForPost(timeout: 0.5) }
        XCTAssertEqual(c.state.messages.last?.content, "You are terse.\n\n# Project instructions (from AGENTS.md)\n\nUse tabs.")
    }
}
