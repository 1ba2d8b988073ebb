// A --demo-script tool call without recorded output runs for real: the controller shows the approval panel
// with the diff, "y" lets the edit happen, the command's output is the file's new text, and undo puts the
// file back byte for byte.
import XCTest
import Foundation
import Chat
@testable import App
@testable import TUI

extension ScriptedBackendTests {
    var liveToolsFixture: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/live-tools-script.json").path
    }

    func testAScriptedEditRunsForRealAndIsUndone() throws {
        let root = try tempDir()
        let original = Array("helo world\n".utf8)
        try Data(original).write(to: URL(fileURLWithPath: root + "/hello.txt"))
        let workspace = try Workspace(root: root)
        let tools = CodingToolsExecutor(CodingTools(workspace: workspace))
        let b = ScriptedBackend(script: try Script.load(path: liveToolsFixture), tools: tools)
        let c = ChatController(state: AppState(modelName: "", contextLength: 0, theme: .plain), backend: b,
                               persistence: InMemoryPersistence(), tools: b)
        c.handle(.resize(width: 80, height: 24))
        for ch in "fix the greeting" { c.handle(.key(KeyPress(.char(ch)))) }
        c.handle(.key(KeyPress(.enter)))
        runUntilIdle(c)

        guard case .approval(let edit) = c.state.overlay else { return XCTFail("expected the approval panel for the edit") }
        guard case .diff(let path, let isNew, let unified, let added, let removed) = edit.request.preview else {
            return XCTFail("expected a diff, got \(edit.request.preview)")
        }
        XCTAssertEqual(path, "hello.txt"); XCTAssertFalse(isNew); XCTAssertEqual(added, 1); XCTAssertEqual(removed, 1)
        XCTAssertEqual(unified, "--- a/hello.txt\n+++ b/hello.txt\n@@ -1,1 +1,1 @@\n-helo world\n+hello world\n")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: root + "/hello.txt")), Data(original), "written before the yes")
        c.handle(.key(KeyPress(.char("y"))))
        runUntilIdle(c)
        XCTAssertEqual(try String(contentsOfFile: root + "/hello.txt", encoding: .utf8), "hello world\n")

        guard case .approval(let run) = c.state.overlay else { return XCTFail("expected the approval panel for the command") }
        XCTAssertEqual(run.request.preview, .command(line: "cat hello.txt", directory: workspace.root, timeoutSeconds: 120))
        c.handle(.key(KeyPress(.char("y"))))
        runUntilIdle(c)

        let toolMessages = c.state.messages.filter { $0.role == .tool }
        XCTAssertEqual(toolMessages.map(\.content), ["Edited hello.txt (1 replacement).\n" + unified, "hello world\n[exit status 0]"])
        XCTAssertEqual(c.state.messages.last?.content, "Fixed: the file now says hello.")

        let undone = Outcome<UndoResult>()
        b.undoLastWrite(conversationID: try XCTUnwrap(c.state.sessionID)) { undone.set($0) }
        XCTAssertEqual(undone.wait(), .undone(callID: toolMessages[0].toolResult!.callID, summary: "restored hello.txt"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: root + "/hello.txt")), Data(original))
        b.undoLastWrite(conversationID: c.state.sessionID!) { undone.set($0) }
        XCTAssertEqual(undone.wait(), .failed("no write left to undo in this conversation"))
    }
}

/// One value delivered from another thread (waits up to a generous failsafe).
final class Outcome<T: Sendable>: @unchecked Sendable {
    private let ready = DispatchSemaphore(value: 0)
    private var value: T?
    func set(_ v: T) { value = v; ready.signal() }
    func wait() -> T? { ready.wait(timeout: .now() + 60) == .success ? value : nil }
}
