// @path attachments: which words are mentions, how a file is shown to the model (cut files say so), that the GLM
// prompt carries them after the message's text, and that a message without them is saved as before.
import XCTest
import Foundation
@testable import Chat

final class AttachmentTests: XCTestCase {
    func testMentions() {
        XCTAssertEqual(Attachment.mentions(in: "look at @src/a.swift, then @README.md."), ["src/a.swift", "README.md"])
        XCTAssertEqual(Attachment.mentions(in: "@a.txt and again @a.txt (and @b.txt)"), ["a.txt", "b.txt"])
        XCTAssertEqual(Attachment.mentions(in: "mail me@example.com or @ alone"), [])
        XCTAssertEqual(Attachment.mentions(in: "line one\n@notes/todo.md"), ["notes/todo.md"])
    }

    func testTheModelSeesTheFilesAfterTheText() {
        var m = Message.user("review @a.swift")
        m.attachments = [Attachment(path: "a.swift", text: "let x = 1\n", fileBytes: 10),
                         Attachment(path: "big.log", text: "line", fileBytes: 40_000)]
        XCTAssertEqual(m.promptContent, "review @a.swift\n\n<file path=\"a.swift\">\nlet x = 1\n</file>\n\n<file path=\"big.log\">\nline\n"
                       + "[… the rest of big.log is left out: it is 40000 bytes and at most 32768 are attached]\n</file>")
        let prompt = ChatTemplate.glm47.render([m], tools: [], options: TemplateOptions(addGenerationPrompt: true, thinking: false, keepThinking: false))
        XCTAssertEqual(prompt, "[gMASK]<sop><|user|>" + m.promptContent + "<|assistant|></think>")
    }

    func testSavedWithTheMessageAndAbsentWhenNone() throws {
        var m = Message(id: "m1", role: .user, content: "hi", created: nil)
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(m), as: UTF8.self).contains("attachments"))
        m.attachments = [Attachment(path: "a.txt", text: "A", fileBytes: 1)]
        let data = try JSONEncoder().encode(m)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("\"file_bytes\":1"))
        XCTAssertEqual(try JSONDecoder().decode(Message.self, from: data), m)
    }
}
