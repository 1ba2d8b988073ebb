// The tool loop against a scripted ChatBackend: call → approve → run → append → continue; denial; the
// round limit; the loop guard stopping a degenerate reply; and the guard's repetition detector itself.
import Foundation
import XCTest
@testable import Chat

/// Plays back one scripted reply per request, from a background queue, and records the requests.
final class ScriptedBackend: ChatBackend, @unchecked Sendable {
    let modelName = "scripted"
    let contextLength = 4096
    var tokenCounter: TokenCounter? { nil }
    private let lock = NSLock()
    private var replies: [[ChatEvent]]
    private var cancelled = false
    private(set) var requests: [ChatRequest] = []
    private(set) var cancelCount = 0
    /// Used when the script has run out.
    let repeatLast: Bool

    init(_ replies: [[ChatEvent]], repeatLast: Bool = false) { self.replies = replies; self.repeatLast = repeatLast }

    func send(_ request: ChatRequest, onEvent: @escaping @Sendable (ChatEvent) -> Void) {
        lock.lock()
        requests.append(request)
        cancelled = false
        let events = replies.count > 1 || !repeatLast ? (replies.isEmpty ? [.failed("no more script")] : replies.removeFirst()) : replies[0]
        lock.unlock()
        DispatchQueue.global().async { [self] in
            for e in events {
                if case .finished = e {} else if isCancelled { onEvent(.finished(.cancelled)); return }
                onEvent(e)
            }
        }
    }
    var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }
    func cancel() { lock.lock(); cancelled = true; cancelCount += 1; lock.unlock() }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [ToolLoopEvent] = []
    func add(_ e: ToolLoopEvent) { lock.lock(); list.append(e); lock.unlock() }
    var stops: [String] { lock.lock(); defer { lock.unlock() }; return list.compactMap { if case .stopped(let s) = $0 { return s }; return nil } }
    var started: [String] { lock.lock(); defer { lock.unlock() }; return list.compactMap { if case .toolStarted(let c) = $0 { return c.name }; return nil } }
}

struct ScriptedApprover: ToolApprover {
    let decision: ApprovalDecision
    let asked: Box
    func decide(_ request: ApprovalRequest) async -> ApprovalDecision { asked.add(request); return decision }
}

final class ToolLoopTests: XCTestCase {
    var dir = ""
    var tools: CodingTools!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "glmchat-loop-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "hello\n".write(toFile: dir + "/a.txt", atomically: true, encoding: .utf8)
        tools = CodingTools(workspace: try Workspace(root: dir))
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func call(_ id: String, _ name: String, _ args: [(String, JSONValue)]) -> ToolCall { ToolCall(id: id, name: name, arguments: .object(args)) }

    func testCallApproveRunAppendContinue() async throws {
        let backend = ScriptedBackend([
            [.reasoning("Read it, then write."), .toolCall(call("c1", "read_file", [("path", .string("a.txt"))])),
             .toolCall(call("c2", "write_file", [("path", .string("b.txt")), ("content", .string("x\n"))])), .finished(.toolCalls)],
            [.content("Done."), .finished(.stop)],
        ])
        let asked = Box(), log = EventLog()
        let loop = ToolLoop(backend: backend, tools: tools, approver: ScriptedApprover(decision: .approve, asked: asked))
        let conv: [Message] = [.user("copy it")]
        let added = await loop.run(conv, template: ChatRequest(messages: [], tools: tools.declarations)) { log.add($0) }
        XCTAssertEqual(added.map(\.role), [.assistant, .tool, .tool, .assistant])
        XCTAssertEqual(added[0].reasoning, "Read it, then write.")
        XCTAssertEqual(added[0].finishReason, .toolCalls)
        XCTAssertEqual(added[1].content, "     1\thello\n")
        XCTAssertEqual(added[1].toolResult?.callID, "c1")
        XCTAssertEqual(added[2].toolResult?.exitStatus, 0)
        XCTAssertEqual(added[3].content, "Done.")
        XCTAssertEqual(asked.items.map(\.kind), [.write])           // reads are not asked about
        XCTAssertEqual(log.started, ["read_file", "write_file"])
        XCTAssertEqual(try String(contentsOfFile: dir + "/b.txt", encoding: .utf8), "x\n")
        XCTAssertEqual(backend.requests.count, 2)
        XCTAssertEqual(backend.requests[1].messages.map(\.role), [.user, .assistant, .tool, .tool])
        XCTAssertEqual(backend.requests[1].tools.count, 6)
    }

    func testDeniedCallsAreAnsweredAndTheLoopContinues() async throws {
        let backend = ScriptedBackend([
            [.toolCall(call("c1", "run_command", [("command", .string("touch '\(dir)/ran'"))])), .finished(.toolCalls)],
            [.content("OK, I will not."), .finished(.stop)],
        ])
        let loop = ToolLoop(backend: backend, tools: tools, approver: HeadlessApprover())
        let added = await loop.run([.user("run")], template: ChatRequest(messages: [])) { _ in }
        XCTAssertEqual(added.map(\.role), [.assistant, .tool, .assistant])
        XCTAssertEqual(added[1].toolResult?.denied, true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/ran"))
    }

    func testRoundLimit() async {
        let backend = ScriptedBackend([[.toolCall(call("c", "list_dir", [])), .finished(.toolCalls)]], repeatLast: true)
        var s = ToolLoop.Settings(); s.maxRounds = 3
        let log = EventLog()
        let loop = ToolLoop(backend: backend, tools: tools, approver: HeadlessApprover(), settings: s)
        let added = await loop.run([.user("go")], template: ChatRequest(messages: [])) { log.add($0) }
        XCTAssertEqual(added.count, 6)
        XCTAssertEqual(added.last?.role, .tool)   // every call still has its result
        XCTAssertEqual(log.stops.count, 1)
        XCTAssertTrue(log.stops[0].contains("after 3 rounds"))
    }

    func testLoopGuardStopsADegenerateReply() async {
        let spam = [ChatEvent](repeating: .content("I will check. "), count: 200)
        let backend = ScriptedBackend([[.reasoning("plan")] + spam + [.toolCall(call("c", "list_dir", [])), .finished(.toolCalls)]])
        let log = EventLog()
        let loop = ToolLoop(backend: backend, tools: tools, approver: HeadlessApprover())
        let added = await loop.run([.user("go")], template: ChatRequest(messages: [])) { log.add($0) }
        XCTAssertEqual(added.count, 1)
        XCTAssertEqual(added[0].finishReason, .loop)
        XCTAssertTrue(added[0].toolCalls.isEmpty)
        XCTAssertGreaterThanOrEqual(backend.cancelCount, 1)
        XCTAssertTrue(log.stops.first?.contains("repeating itself") ?? false, "\(log.stops)")
    }

    func testFitterIsAppliedAndReported() async {
        let backend = ScriptedBackend([[.content("hi"), .finished(.stop)]])
        let loop = ToolLoop(backend: backend, tools: nil, approver: HeadlessApprover())
        let log = EventLog()
        let conv: [Message] = [.system("s"), .user("old"), .assistant("a"), .user("new")]
        let budget = ContextBudget(contextLength: 18, reservedReplyTokens: 0)
        _ = await loop.run(conv, template: ChatRequest(messages: []), fit: { m in
            let f = try budget.fit(m, template: .glm47, options: TemplateOptions(), counter: FakeCounter())
            return (f.messages, f.report)
        }) { log.add($0) }
        XCTAssertEqual(backend.requests.first?.messages.map(\.content), ["s", "new"])
    }

    func testGuardDetectorAndRethinks() {
        var g = LoopGuard()
        XCTAssertNil(g.observe(.content(String(repeating: "varied text with numbers 1 2 3 and more; ", count: 1).appending((0..<300).map { "w\($0) " }.joined()))))
        var h = LoopGuard()
        var tripped: String?
        for _ in 0..<100 where tripped == nil { tripped = h.observe(.content("abc ")) }
        XCTAssertNotNil(tripped)
        var r = LoopGuard()
        XCTAssertNil(r.observe(.reasoning("think")))
        XCTAssertNil(r.observe(.content("answer")))
        XCTAssertNotNil(r.observe(.reasoning("think again")))
        // A long repeated unit (a paragraph) is caught too; three copies are not enough.
        let para = (0..<20).map { "token\($0)" }.joined(separator: " ") + ".\n"
        var p = LoopGuard()
        var results: [String?] = []
        for _ in 0..<5 { results.append(p.observe(.content(para))) }
        XCTAssertNil(results[0] ?? results[1] ?? results[2])
        XCTAssertNotNil(results.compactMap { $0 }.first)
        XCTAssertEqual(LoopGuard.repetition(Array("xyzxyzxyz".unicodeScalars.map(\.value)), { var s = LoopGuard.Settings(); s.minSpan = 9; s.minCopies = 3; return s }())?.period, 3)
    }
}
