// Unsent text is never lost: the editor's text and queued messages are kept in the store (at most a second
// behind while typing, at once at exit) and come back in the editor when the conversation is opened again.
import XCTest
import Foundation
import Chat
import Store
@testable import App
@testable import TUI

final class DraftTests: XCTestCase {
    func controller(_ p: ConversationPersistence, turns: [Script.Turn] = []) -> ChatController {
        let script = Script(model: "m", contextLength: 4096, pace: 0, chunk: 4, turns: turns)
        let c = ChatController(state: AppState(modelName: "", contextLength: 0, theme: .plain), backend: ScriptedBackend(script: script),
                               persistence: p)
        c.handle(.resize(width: 80, height: 24))
        return c
    }

    func type(_ c: ChatController, _ text: String) { for ch in text { c.handle(.key(KeyPress(ch == "\n" ? .enter : .char(ch)))) } }

    func testTypedTextIsKeptAtMostASecondBehindAndClearedWhenSent() {
        let p = InMemoryPersistence()
        let c = controller(p, turns: [Script.Turn(match: nil, steps: [.content("ok")], finish: .stop)])
        type(c, "half a thought")
        c.handle(.tick(10))
        XCTAssertEqual(p.loadDraft(for: nil), "half a thought")
        type(c, ", more")
        c.handle(.tick(10.5))
        XCTAssertEqual(p.loadDraft(for: nil), "half a thought", "written at most once a second")
        c.handle(.tick(11.1))
        XCTAssertEqual(p.loadDraft(for: nil), "half a thought, more")
        c.handle(.key(KeyPress(.enter)))                     // sent: the conversation gets its file
        c.handle(.tick(12.2))
        let id = c.state.sessionID
        XCTAssertNotNil(id)
        XCTAssertNil(p.loadDraft(for: nil), "the new conversation's draft went with the text")
        XCTAssertNil(p.loadDraft(for: id), "nothing is left unsent")
    }

    func testQueuedMessagesAndTheEditorAreKeptAtQuitAndComeBackOnResume() throws {
        let dir = NSTemporaryDirectory() + "glmchat-drafts-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = SessionStore(directory: dir)
        let saved = try store.create(title: "t", messages: [.user("hello"), .assistant("hi")])
        try saved.close()

        let first = StorePersistence(store: store)
        let c = controller(first, turns: [Script.Turn(match: nil, steps: [.content("a long answer")], finish: .stop)])
        try c.open(saved.id)
        c.handle(.tick(1))
        type(c, "question\n")                                  // sent; its reply is still streaming (events not processed)
        XCTAssertTrue(c.state.isBusy)
        type(c, "queued one\n")
        XCTAssertEqual(c.state.queued, ["queued one"])
        c.handle(.tick(1.2))
        XCTAssertEqual(store.readDraft(for: saved.id), "queued one")
        type(c, "still typing")
        c.handle(.tick(1.5))
        let unsent = c.state.unsentText ?? ""
        XCTAssertEqual(unsent, "queued one\n\nstill typing")
        c.quit()                                               // kept at once, not a second later
        try first.close()
        XCTAssertEqual(store.readDraft(for: saved.id), unsent)
        XCTAssertNil(store.readDraft(for: nil))

        let again = controller(StorePersistence(store: store))
        try again.open(saved.id)
        XCTAssertEqual(again.state.input.text, unsent)
        XCTAssertTrue(again.state.notice?.contains("restored the text you had not sent") == true, again.state.notice ?? "")
        again.handle(.tick(5))
        XCTAssertEqual(again.state.input.text, unsent, "opening it again does not duplicate the text")
    }

    func testANewConversationsDraftComesBackOnTheFirstTick() {
        let p = InMemoryPersistence()
        try? p.saveDraft("left over", for: nil)
        let c = controller(p)
        type(c, "and new")
        c.handle(.tick(1))
        XCTAssertEqual(c.state.input.text, "left over\n\nand new")
        XCTAssertEqual(p.loadDraft(for: nil), "left over\n\nand new")
    }

    func testDraftFilesLiveBesideTheSessionsAndEmptyRemovesThem() throws {
        let dir = NSTemporaryDirectory() + "glmchat-drafts-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = SessionStore(directory: dir)
        try store.writeDraft("ünïcode ✓\n2nd line", for: nil)
        XCTAssertEqual(store.readDraft(for: nil), "ünïcode ✓\n2nd line")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/drafts/+new.txt"))
        try store.writeDraft("", for: nil)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/drafts/+new.txt"))
        XCTAssertNil(store.readDraft(for: nil))
        XCTAssertThrowsError(try store.writeDraft("x", for: "../escape"))
        XCTAssertTrue(store.list().isEmpty, "a draft is not a session")
    }

    func conversation(_ p: ConversationPersistence, _ text: String) throws -> String {
        try p.save(StoredConversation(id: "", title: text, messages: [.user(text)], model: "m"), partial: false)
    }

    /// Switching conversations (opening one, Ctrl-N) leaves the editor's text as the draft of the one left.
    func testEachConversationKeepsItsOwnDraft() throws {
        let p = InMemoryPersistence()
        let a = try conversation(p, "A"), b = try conversation(p, "B")
        try p.saveDraft("for A", for: a)
        let c = controller(p)
        try c.open(a)
        c.handle(.tick(1))
        XCTAssertEqual(c.state.input.text, "for A")
        type(c, " more")
        try c.open(b)
        XCTAssertEqual(c.state.input.text, "")
        c.handle(.tick(3))
        XCTAssertEqual(p.loadDraft(for: a), "for A more")
        XCTAssertNil(p.loadDraft(for: b))
        type(c, "for B")
        c.handle(.key(KeyPress(.ctrl("n"))))
        c.handle(.tick(5))
        XCTAssertEqual(c.state.input.text, "")
        XCTAssertEqual(p.loadDraft(for: b), "for B")
        XCTAssertEqual(p.loadDraft(for: a), "for A more")
        try c.open(a)
        XCTAssertEqual(c.state.input.text, "for A more")
    }

    /// Deleting the open conversation in the picker starts an empty one: what is sent next is saved alone.
    func testDeletingTheOpenConversationThenSendingSavesOnlyTheNewMessage() throws {
        let p = InMemoryPersistence()
        let a = try conversation(p, "old")
        let c = controller(p, turns: [Script.Turn(match: nil, steps: [.content("ok")], finish: .stop)])
        try c.open(a)
        for k in [Key.function(2), .delete, .char("y"), .escape] { c.handle(.key(KeyPress(k))) }
        XCTAssertEqual(try p.list().map(\.id), [])
        type(c, "new\n")
        let ids = try p.list().map(\.id)
        XCTAssertEqual(ids.count, 1)
        XCTAssertNotEqual(ids.first, a)
        XCTAssertEqual(try p.load(ids[0]).messages.map(\.content), ["new"])
    }
}
