// Resuming a conversation from its KV snapshot on disk, on SmolLM2-135M-Instruct (test data): a new backend (a new
// process) restores the rows a reply wrote and prefills only the rest, and replies as a full prefill does; a
// damaged snapshot is refused with its reason, deleted and rewritten, one of another model file kept until the
// next reply replaces it (GLM fixtures, which also resume as a full prefill); switching conversations restores each
// from its own file, or with a memory budget from memory (the rows parked, not copied; over the budget spilled to
// the snapshot); a window (controller) resumes with the notes in its notice line; deleting a conversation deletes
// its snapshot; stale temp files go at start.
import XCTest
import Foundation
import Chat
import Engine
import Store
import TUI
@testable import App

/// The notes a backend gave for the user's notice line.
final class NoteLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    var notes: [String] { lock.lock(); defer { lock.unlock() }; return list }
    func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
}

final class KVSnapshotResumeTests: XCTestCase {
    var dir = ""
    var store: SessionStore!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "glmchat-kv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        store = SessionStore(directory: dir)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// The small GLM-4.7-Flash-layout fixtures (random weights, committed).
    static func glmFixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/engine/\(name)").path
    }

    /// A new backend (SmolLM2 unless `model` names a file) at a 512-token context, as a new process would load it;
    /// with snapshots in the store, and `memoryBudget` bytes for the rows of conversations switched away from
    /// (0: none, every switch reloads from disk).
    func backend(_ model: String? = nil, snapshots: Bool = true, memoryBudget: Int64 = 0, context: Int = 512,
                 notes: NoteLog = NoteLog()) throws -> EngineChatBackend {
        let env = ProcessInfo.processInfo.environment
        guard let path = model ?? EngineChatBackendTests.modelPath, FileManager.default.fileExists(atPath: path) else {
            if env["GLMCHAT_REQUIRE_TESTDATA"] == "1" { XCTFail("missing test data SmolLM2") }
            throw XCTSkip("test data SmolLM2 is missing (run scripts/fetch-testdata)")
        }
        let b = try EngineChatBackend(modelPath: path, threads: 2, contextLength: context)
        if snapshots { b.keepKVSnapshots(in: store, memoryBudget: memoryBudget) { notes.add($0) } }
        return b
    }

    /// Greedy, so a reply depends only on the logits.
    func request(_ messages: [Message], id: String?, maxTokens: Int = 16) -> ChatRequest {
        var sampling = SamplingParams.glmDefault
        sampling.temperature = 0
        sampling.maxTokens = maxTokens
        sampling.seed = 7
        return ChatRequest(messages: messages, sampling: sampling, thinking: false, conversationID: id)
    }

    /// One reply, and the snapshot written after it (on the backend's queue).
    func reply(_ b: EngineChatBackend, _ r: ChatRequest) -> EventLog {
        let log = EventLog()
        b.send(r) { log.add($0) }
        XCTAssertTrue(log.wait(), "the reply ended")
        b.queue.sync {}
        return log
    }

    let first: [Message] = [.system("You are brief."), .user("What is the capital of France?")]

    /// The conversation after a first reply, plus a new question.
    func secondTurn(_ firstReply: String) -> [Message] { first + [.assistant(firstReply), .user("And the capital of Italy?")] }

    func testAResumedConversationReusesItsSnapshotAndRepliesAsAFullPrefill() throws {
        let b1 = try backend()
        let one = reply(b1, request(first, id: "conv-a"))
        let path = store.kvSnapshotPath(for: "conv-a")
        let written = try KVSnapshotInfo(path: path)
        XCTAssertEqual(written.tokens, b1.queue.sync { b1.session.tokens }, "the snapshot holds the session's tokens")

        // A new process opens the conversation (measure) and sends the next message.
        let notes = NoteLog()
        let b2 = try backend(notes: notes)
        let opened = DispatchSemaphore(value: 0)
        b2.measure(request(Array(secondTurn(one.content).dropLast()), id: "conv-a")) { _ in opened.signal() }
        XCTAssertEqual(opened.wait(timeout: .now() + 60), .success)
        b2.queue.sync {}
        XCTAssertEqual(notes.notes.count, 1, "\(notes.notes)")
        let restored = b2.queue.sync { b2.session.tokens.count }
        XCTAssertGreaterThan(restored, 20, "opening the conversation restored its rows")
        XCTAssertTrue(notes.notes.first?.hasPrefix("KV cache: restored \(restored) tokens from disk") ?? false, "\(notes.notes)")

        let resumed = reply(b2, request(secondTurn(one.content), id: "conv-a"))
        let stats = try XCTUnwrap(resumed.stats)
        let prompt = b2.queue.sync { Array(b2.session.tokens.prefix(stats.promptTokens ?? 0)) }
        let shared = zip(written.tokens, prompt).prefix { $0 == $1 }.count
        XCTAssertEqual(stats.cachedTokens, min(shared, prompt.count - 1), "the snapshot's prefix of the prompt came from disk")
        XCTAssertEqual(stats.cachedTokens, restored)
        XCTAssertEqual(notes.notes.last, "KV cache from disk: reused \(restored) of \(prompt.count) prompt tokens")
        XCTAssertEqual(try KVSnapshotInfo(path: path).tokens, b2.queue.sync { b2.session.tokens }, "the reply was appended")

        // The same reply as a backend that prefills the whole prompt, and as the first backend from memory.
        let full = reply(try backend(snapshots: false), request(secondTurn(one.content), id: "conv-a"))
        XCTAssertEqual(full.stats?.cachedTokens, 0)
        XCTAssertFalse(resumed.content.isEmpty)
        XCTAssertEqual(resumed.content, full.content)
        XCTAssertEqual(reply(b1, request(secondTurn(one.content), id: "conv-a")).content, full.content)
    }

    func testAForkStartsFromTheSnapshotOfItsOrigin() throws {
        let one = reply(try backend(), request(first, id: "conv-o"))
        let notes = NoteLog()
        // A new process opens the fork (no snapshot of its own): the origin's rows serve the prefix they share.
        let forked = reply(try backend(notes: notes), request(secondTurn(one.content), id: "conv-o-fork"))
        let held = try XCTUnwrap(one.stats?.promptTokens) + (try XCTUnwrap(one.stats?.completionTokens)) - 1
        XCTAssertEqual(notes.notes.first, "KV cache: \(held) tokens from another conversation with the same start",
                       "\(notes.notes)")
        XCTAssertTrue(notes.notes.last?.hasPrefix("KV cache from another conversation's snapshot: reused ") ?? false, "\(notes.notes)")
        XCTAssertGreaterThan(forked.stats?.cachedTokens ?? 0, 20)
        let full = reply(try backend(snapshots: false), request(secondTurn(one.content), id: nil))
        XCTAssertEqual(forked.events.filter(\.isText), full.events.filter(\.isText), "the same reply as a full prefill")
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.kvSnapshotPath(for: "conv-o-fork")), "the fork now has its own")
        // A conversation that shares nothing worth reading borrows nothing.
        let quiet = NoteLog()
        _ = reply(try backend(notes: quiet), request([.user("Name three colours.")], id: "conv-other"))
        XCTAssertTrue(quiet.notes.isEmpty, "\(quiet.notes)")
    }

    func testADamagedSnapshotIsRefusedDeletedAndRewritten() throws {
        let one = reply(try backend(), request(first, id: "conv-d"))
        let path = store.kvSnapshotPath(for: "conv-d")
        // Damage the middle of the file (the rows).
        let h = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
        let size = try h.seekToEnd()
        try h.seek(toOffset: size / 2)
        try h.write(contentsOf: Data(repeating: 0xA5, count: 64))
        try h.close()

        let notes = NoteLog()
        let b2 = try backend(notes: notes)
        let log = EventLog()
        b2.send(request(secondTurn(one.content), id: "conv-d")) { e in
            // The refused file is gone before the prefill starts.
            if case .prefillProgress = e, FileManager.default.fileExists(atPath: path) { log.add(.warning("the damaged file is still there")) }
            log.add(e)
        }
        XCTAssertTrue(log.wait())
        b2.queue.sync {}
        XCTAssertFalse(log.events.contains(.warning("the damaged file is still there")))
        XCTAssertFalse(log.content.isEmpty, "the reply still works")
        XCTAssertEqual(log.stats?.cachedTokens, 0)
        XCTAssertEqual(notes.notes.count, 1, "\(notes.notes)")
        XCTAssertTrue(notes.notes.first?.hasPrefix("KV cache not used: the KV snapshot is damaged: ") ?? false, "\(notes.notes)")
        XCTAssertEqual(try KVSnapshotInfo(path: path).tokens, b2.queue.sync { b2.session.tokens }, "rewritten after the reply")
    }

    func testASnapshotOfAnotherModelFileIsRefusedKeptAndThenReplaced() throws {
        let one = reply(try backend(Self.glmFixture("glm-f32.gguf")), request(first, id: "conv-m", maxTokens: 4))
        let path = store.kvSnapshotPath(for: "conv-m")
        let before = try KVSnapshotInfo(path: path)
        let notes = NoteLog()
        let b = try backend(Self.glmFixture("glm-q8_0.gguf"), notes: notes)
        let log = reply(b, request(secondTurn(one.content), id: "conv-m", maxTokens: 4))
        XCTAssertEqual(notes.notes, ["KV cache not used: the KV snapshot was made for another model file"])
        XCTAssertEqual(log.stats?.cachedTokens, 0)
        XCTAssertTrue(log.events.contains { if case .finished = $0 { return true }; return false }, "the reply still works")
        let after = try KVSnapshotInfo(path: path)
        XCTAssertNotEqual(after.identity, before.identity, "rewritten for the model in use")
        XCTAssertEqual(after.tokens, b.queue.sync { b.session.tokens })
    }

    func testAResumedGLMConversationRepliesAsAFullPrefill() throws {
        let glm = Self.glmFixture("glm-q8_0.gguf")
        let one = reply(try backend(glm), request(first, id: "conv-g", maxTokens: 6))
        let resumed = reply(try backend(glm), request(secondTurn(one.content), id: "conv-g", maxTokens: 6))
        let full = reply(try backend(glm, snapshots: false), request(secondTurn(one.content), id: "conv-g", maxTokens: 6))
        XCTAssertGreaterThan(resumed.stats?.cachedTokens ?? 0, 10)
        XCTAssertEqual(resumed.events.filter(\.isText), full.events.filter(\.isText))
    }

    func testSwitchingConversationsRestoresEachFromItsOwnFile() throws {
        let notes = NoteLog()
        let b = try backend(notes: notes)
        let a = reply(b, request(first, id: "conv-a"))
        let other: [Message] = [.user("Name three colours.")]
        _ = reply(b, request(other, id: "conv-b"))
        XCTAssertTrue(notes.notes.isEmpty, "\(notes.notes)")
        // Back to the first: the session holds the other one, so its rows come from conv-a's file.
        let back = reply(b, request(secondTurn(a.content), id: "conv-a"))
        XCTAssertTrue(notes.notes.first?.hasPrefix("KV cache: restored ") ?? false, "\(notes.notes)")
        XCTAssertGreaterThan(back.stats?.cachedTokens ?? 0, 20)
        let full = reply(try backend(snapshots: false), request(secondTurn(a.content), id: nil))
        XCTAssertEqual(back.content, full.content)
    }

    /// Times the conversation came back from memory.
    func memoryHits(_ b: EngineChatBackend) -> Int { b.queue.sync { b.snapshots?.memory.hits ?? -1 } }

    func testGoingBackToAConversationReusesItsRowsFromMemory() throws {
        let notes = NoteLog()
        let b = try backend(memoryBudget: 1 << 30, notes: notes)
        let a = reply(b, request(first, id: "conv-a"))
        let aTokens = b.queue.sync { b.session.tokens }
        let other: [Message] = [.user("Name three colours.")]
        let b1 = reply(b, request(other, id: "conv-b"))
        XCTAssertEqual(memoryHits(b), 0)
        XCTAssertEqual(b.queue.sync { b.snapshots?.memory.parked.map(\.id) }, ["conv-a"])
        // Back to the first with its snapshot gone: the rows can only come from memory.
        XCTAssertEqual(unlink(store.kvSnapshotPath(for: "conv-a")), 0)
        let back = reply(b, request(secondTurn(a.content), id: "conv-a"))
        XCTAssertEqual(memoryHits(b), 1, "conv-a's rows came back from memory")
        let stats = try XCTUnwrap(back.stats)
        let prompt = b.queue.sync { Array(b.session.tokens.prefix(stats.promptTokens ?? 0)) }
        let shared = zip(aTokens, prompt).prefix { $0 == $1 }.count
        XCTAssertGreaterThan(shared, 20)
        XCTAssertEqual(stats.cachedTokens, min(shared, prompt.count - 1), "conv-a's rows were reused")
        XCTAssertEqual(notes.notes.last, "KV cache from memory: reused \(stats.cachedTokens ?? 0) of \(prompt.count) prompt tokens")
        XCTAssertEqual(b.queue.sync { b.snapshots?.memory.parked.map(\.id) }, ["conv-b"], "conv-b's rows were parked in turn")
        let full = reply(try backend(snapshots: false), request(secondTurn(a.content), id: nil))
        XCTAssertFalse(full.content.isEmpty)
        XCTAssertEqual(back.content, full.content, "the reply from memory equals a full prefill's")
        // And to the second again.
        let bBack = reply(b, request(other + [.assistant(b1.content), .user("And two more?")], id: "conv-b"))
        XCTAssertEqual(memoryHits(b), 2)
        let bFull = reply(try backend(snapshots: false), request(other + [.assistant(b1.content), .user("And two more?")], id: nil))
        XCTAssertEqual(bBack.content, bFull.content)
    }

    func testRowsOverTheMemoryBudgetAreSpilledToTheirSnapshot() throws {
        let notes = NoteLog()
        let b = try backend(memoryBudget: 1, notes: notes)       // no room: every parked conversation is spilled
        let a = reply(b, request(first, id: "conv-a"))
        let aTokens = b.queue.sync { b.session.tokens }
        // The conversation is saved (rows are spilled only for one that is), its snapshot gone.
        XCTAssertTrue(FileManager.default.createFile(atPath: store.path(for: "conv-a"), contents: Data("{}".utf8)))
        XCTAssertEqual(unlink(store.kvSnapshotPath(for: "conv-a")), 0)
        _ = reply(b, request([.user("Name three colours.")], id: "conv-b"))
        XCTAssertEqual(b.queue.sync { b.snapshots?.memory.parked.count }, 0)
        XCTAssertEqual(try KVSnapshotInfo(path: store.kvSnapshotPath(for: "conv-a")).tokens, aTokens, "conv-a's rows were spilled to its snapshot")
        let back = reply(b, request(secondTurn(a.content), id: "conv-a"))
        XCTAssertEqual(memoryHits(b), 0)
        // From disk: what the session does not already hold of the prompt (it holds conv-b's, sharing the template's start).
        XCTAssertTrue(notes.notes.contains { $0.hasPrefix("KV cache: restored ") && $0.hasSuffix(" tokens from disk") }, "\(notes.notes)")
        XCTAssertGreaterThan(back.stats?.cachedTokens ?? 0, 20)
        let full = reply(try backend(snapshots: false), request(secondTurn(a.content), id: nil))
        XCTAssertEqual(back.content, full.content)
    }

    /// A→B→A with a long first conversation: the time to open A again (fit its prompt and get its rows back) and to
    /// the first token of its next reply, with the rows reloaded from disk and kept in memory (printed for
    /// docs/KV-SNAPSHOTS.md, not asserted).
    func testSwitchBackTimesArePrinted() throws {
        let long: [Message] = [.system(String(repeating: "You answer briefly and precisely, in plain words. ", count: 300)),
                               .user("What is the capital of France?")]
        var ttft: [String: Double] = [:], open: [String: Double] = [:]
        for (label, budget) in [("memory", Int64(1) << 30), ("disk", Int64(0))] {
            let b = try backend(memoryBudget: budget, context: 4096)
            let a = reply(b, request(long, id: "long-\(label)", maxTokens: 4))
            _ = reply(b, request([.user("Hi.")], id: "other-\(label)", maxTokens: 4))
            let next = long + [.assistant(a.content), .user("And of Italy?")]
            let t0 = DispatchTime.now().uptimeNanoseconds
            b.measure(request(Array(next.dropLast()), id: "long-\(label)")) { _ in }
            b.queue.sync {}
            open[label] = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let back = reply(b, request(next, id: "long-\(label)", maxTokens: 4))
            XCTAssertGreaterThan(back.stats?.cachedTokens ?? 0, 3000, label)
            ttft[label] = back.stats?.ttftSeconds
        }
        print(String(format: "A→B→A on SmolLM2, back on A (3,000+ tokens): opening it %.4f s from disk, %.4f s from memory; "
                     + "first token of the next reply %.3f s / %.3f s", open["disk"] ?? -1, open["memory"] ?? -1, ttft["disk"] ?? -1, ttft["memory"] ?? -1))
    }

    func testAConversationNotSavedWritesNoSnapshot() throws {
        _ = reply(try backend(), request(first, id: nil))
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: store.kvDirectory)) ?? [], [])
    }

    func testDeletingAConversationDeletesItsSnapshot() throws {
        let persistence = StorePersistence(store: store)
        let id = try persistence.save(StoredConversation(id: "", title: "t", messages: [.user("hi")], model: nil, readOnly: nil), partial: false)
        let other = try persistence.save(StoredConversation(id: "", title: "u", messages: [.user("yo")], model: nil, readOnly: nil), partial: false)
        try AtomicFile.makeDirectory(store.kvDirectory)
        for i in [id, other] { XCTAssertTrue(FileManager.default.createFile(atPath: store.kvSnapshotPath(for: i), contents: Data([1, 2, 3]))) }
        try persistence.delete(id)                 // the picker's Del
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.kvSnapshotPath(for: id)))
        try persistence.close()
        try store.delete(other)                    // glmchat sessions delete
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.kvSnapshotPath(for: other)))
    }

    func testStaleTempFilesAreRemovedAtStart() throws {
        try AtomicFile.makeDirectory(store.kvDirectory)
        // pid 2^22 + 1 is above Linux's pid_max: no such process.
        let stale = store.kvDirectory + "/.conv-a.kv.4194305.17.tmp", live = store.kvDirectory + "/.conv-b.kv.\(getpid()).18.tmp"
        for p in [stale, live] { XCTAssertTrue(FileManager.default.createFile(atPath: p, contents: Data([0]))) }
        let b = try backend()
        b.queue.sync {}
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
        XCTAssertTrue(FileManager.default.fileExists(atPath: live), "a running glmchat may be writing it")
    }

    /// Applies what the backend posts until `done` holds (or a minute passes).
    func pump(_ c: ChatController, until done: () -> Bool) {
        let deadline = Date() + 60
        while !done(), Date() < deadline { if !c.processQueued() { usleep(5000) } }
        XCTAssertTrue(done(), "timed out; notice: \(c.state.notice ?? "none")")
    }

    /// A window: a controller on a new engine backend and the store, keeping snapshots as `glmchat` does.
    func window() throws -> ChatController {
        var state = AppState(modelName: "", contextLength: 0, theme: .plain, width: 120, height: 30)
        state.settings.sampling.maxTokens = 8
        let c = ChatController(state: state, backend: try backend(snapshots: false), persistence: StorePersistence(store: store))
        c.keepKVSnapshots()
        return c
    }

    func say(_ c: ChatController, _ text: String) {
        for ch in text { c.handle(.key(KeyPress(.char(ch)))) }
        c.handle(.key(KeyPress(.enter)))
        pump(c) { c.state.streaming == nil && c.state.messages.last?.role == .assistant }
    }

    func testAWindowResumesAConversationFromItsSnapshot() throws {
        let first = try window()
        say(first, "What is the capital of France?")
        let id = try XCTUnwrap(first.state.sessionID)
        first.quit()
        try (first.persistence as? StorePersistence)?.close()

        let second = try window()
        try second.open(id)
        pump(second) { second.state.notice?.contains("KV cache: restored ") ?? false }
        say(second, "And of Italy?")
        pump(second) { second.state.notice?.hasPrefix("KV cache from disk: reused ") ?? false }
        let reused = try XCTUnwrap(second.state.lastStats?.cachedTokens)
        XCTAssertTrue(second.state.notice?.hasPrefix("KV cache from disk: reused \(reused) of ") ?? false, second.state.notice ?? "")
        XCTAssertGreaterThan(reused, 10)
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.kvSnapshotPath(for: id)))
    }

    func testTheControllerNamesTheConversationOfEachRequest() throws {
        let script = Script(model: "m", contextLength: 4096, pace: 0, chunk: 4,
                            turns: [Script.Turn(match: nil, steps: [.content("ok")], finish: .stop)])
        let recorder = RequestRecorder(ScriptedBackend(script: script))
        let c = ChatController(state: AppState(modelName: "", contextLength: 0, theme: .plain, width: 80, height: 24),
                               backend: recorder, persistence: InMemoryPersistence())
        for ch in "hi" { c.handle(.key(KeyPress(.char(ch)))) }
        c.handle(.key(KeyPress(.enter)))
        let id = try XCTUnwrap(c.state.sessionID)
        XCTAssertEqual(recorder.requests.map(\.conversationID), [id], "the first request of a new conversation carries the id its save gave")
    }
}

extension ChatEvent {
    /// Reply text (content or reasoning).
    var isText: Bool {
        switch self { case .content, .reasoning: return true; default: return false }
    }
}

/// Keeps the requests sent through it.
final class RequestRecorder: ChatBackend, @unchecked Sendable {
    let inner: ChatBackend
    private let lock = NSLock()
    private var list: [ChatRequest] = []
    init(_ inner: ChatBackend) { self.inner = inner }
    var requests: [ChatRequest] { lock.lock(); defer { lock.unlock() }; return list }
    var modelName: String { inner.modelName }
    var contextLength: Int { inner.contextLength }
    func send(_ request: ChatRequest, onEvent: @escaping @Sendable (ChatEvent) -> Void) {
        lock.lock(); list.append(request); lock.unlock()
        inner.send(request, onEvent: onEvent)
    }
    func cancel() { inner.cancel() }
    func measure(_ request: ChatRequest, completion: @escaping @Sendable (PromptFit) -> Void) { inner.measure(request, completion: completion) }
}

/// The kv folder's byte budget as the backend keeps it: the least recently used conversation's snapshot goes first,
/// and one alone over the budget is not kept (with a note saying so).
final class KVSnapshotBudgetTests: XCTestCase {
    func testTheFolderIsKeptUnderItsBudget() throws {
        let dir = try tempDir()
        let store = SessionStore(directory: dir)
        let env = ProcessInfo.processInfo.environment
        guard let path = EngineChatBackendTests.modelPath, FileManager.default.fileExists(atPath: path) else {
            if env["GLMCHAT_REQUIRE_TESTDATA"] == "1" { XCTFail("missing test data SmolLM2") }
            throw XCTSkip("test data SmolLM2 is missing (run scripts/fetch-testdata)")
        }
        func reply(_ b: EngineChatBackend, _ id: String) {
            var sampling = SamplingParams.glmDefault
            sampling.temperature = 0; sampling.maxTokens = 4
            let log = EventLog()
            b.send(ChatRequest(messages: [.user("Name a colour, \(id).")], sampling: sampling, thinking: false, conversationID: id)) { log.add($0) }
            XCTAssertTrue(log.wait())
            b.queue.sync {}
        }
        // Room for about one snapshot: each new conversation's reply evicts the one before.
        let probe = try EngineChatBackend(modelPath: path, threads: 2, contextLength: 512)
        probe.keepKVSnapshots(in: store) { _ in }
        reply(probe, "probe")
        let one = store.kvCacheBytes(for: "probe")
        XCTAssertGreaterThan(one, 0)
        _ = store.removeKVCache()

        let notes = NoteLog()
        let b = try EngineChatBackend(modelPath: path, threads: 2, contextLength: 512)
        b.keepKVSnapshots(in: store, budget: one * 3 / 2) { notes.add($0) }
        reply(b, "first")
        XCTAssertGreaterThan(store.kvCacheBytes(for: "first"), 0)
        reply(b, "second")
        XCTAssertEqual(store.kvCacheFiles().map(\.id), ["second"])

        // A budget smaller than one snapshot keeps none, and says so.
        let tight = try EngineChatBackend(modelPath: path, threads: 2, contextLength: 512)
        tight.keepKVSnapshots(in: store, budget: one / 2) { notes.add($0) }
        reply(tight, "third")
        XCTAssertEqual(store.kvCacheBytes(for: "third"), 0)
        XCTAssertTrue(notes.notes.contains { $0.hasPrefix("KV cache not kept: this conversation's ") && $0.hasSuffix("(kv_cache_max_bytes)") }, "\(notes.notes)")
    }
}
