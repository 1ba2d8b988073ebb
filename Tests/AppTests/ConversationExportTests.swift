// /export: the conversation as Markdown or OpenAI JSON in a new file named after its title, never over another file.
import XCTest
import Foundation
import Chat
@testable import App
@testable import TUI

final class ConversationExportTests: XCTestCase {
    func testExportWritesNewFilesNamedAfterTheTitle() throws {
        let dir = try tempDir()
        let c = StoredConversation(id: "", title: "Fix the build: linker!", messages: [.user("why?"), .assistant("a flag")])
        XCTAssertEqual(try ConversationExport.write(c, json: false, into: dir), "glmchat-fix-the-build-linker.md")
        XCTAssertEqual(try ConversationExport.write(c, json: false, into: dir), "glmchat-fix-the-build-linker-2.md")
        XCTAssertEqual(try ConversationExport.write(c, json: true, into: dir), "glmchat-fix-the-build-linker.json")
        let md = try String(contentsOfFile: dir + "/glmchat-fix-the-build-linker.md", encoding: .utf8)
        XCTAssertTrue(md.contains("why?") && md.contains("a flag"), md)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/glmchat-fix-the-build-linker.json")))
        XCTAssertNotNil(json)
        XCTAssertEqual(ConversationExport.slug("   "), "conversation")
        XCTAssertEqual(ConversationExport.slug("Ünïcode — ok"), "ünïcode-ok")
    }

    func testSlashExportAndModel() {
        var s = AppState(modelName: "GLM-4.7-Flash", contextLength: 32768, theme: .plain)
        s.width = 80; s.height = 24
        for ch in "/export" { _ = update(&s, .key(KeyPress(.char(ch)))) }
        _ = update(&s, .key(KeyPress(.enter)))
        XCTAssertEqual(s.notice, "nothing to export yet")
        s.messages = [.user("hi")]
        for ch in "/export json" { _ = update(&s, .key(KeyPress(.char(ch)))) }
        let fx = update(&s, .key(KeyPress(.enter)))
        XCTAssertTrue(fx.contains { if case .export(_, json: true) = $0 { return true }; return false })
        for ch in "/model" { _ = update(&s, .key(KeyPress(.char(ch)))) }
        _ = update(&s, .key(KeyPress(.enter)))
        XCTAssertEqual(s.notice, "model: GLM-4.7-Flash · context 32,768 tokens")
    }
}
