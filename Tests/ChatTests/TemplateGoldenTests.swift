// Our GLM-4.7 and ChatML rendering against jinja2's rendering of the real templates (goldens made by
// Tools/templates/render_goldens.py), byte for byte, plus template recognition.
import Foundation
import XCTest
@testable import Chat

final class TemplateGoldenTests: XCTestCase {
    func template(_ key: String) throws -> ChatTemplate {
        let file = key == "glm47" ? "templates/GLM-4.7-Flash.jinja" : "templates/SmolLM2-135M-Instruct.jinja"
        let r = TemplateRecognition.recognize(try Fixtures.text(file))
        XCTAssertEqual(r.match, .exact, file)
        return r.template
    }

    func testEveryConversationMatchesJinja() throws {
        let dir = Fixtures.url("conversations")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 20)
        var glm = 0
        for f in files {
            let json = try JSONValue.parse(try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8))
            let conv = try OpenAIConversation(json: json)
            let key = json["template"]?.stringValue ?? ""
            if key == "glm47" { glm += 1 }
            let options = TemplateOptions(addGenerationPrompt: json["add_generation_prompt"]?.boolValue ?? true,
                                          thinking: json["enable_thinking"]?.boolValue ?? true,
                                          keepThinking: !(json["clear_thinking"]?.boolValue ?? true))
            let ours = try template(key).render(conv.messages, tools: conv.tools, options: options)
            let golden = try Data(contentsOf: Fixtures.url("goldens/" + f.replacingOccurrences(of: ".json", with: ".txt")))
            XCTAssertEqual(Array(ours.utf8), Array(golden), "\(f): ours\n\(ours)\n--- jinja2\n\(String(decoding: golden, as: UTF8.self))")
        }
        XCTAssertGreaterThanOrEqual(glm, 20)
    }

    func testRealTemplateFromTestData() throws {
        let t = try String(contentsOf: try Fixtures.testdata("templates/GLM-4.7-Flash.jinja"), encoding: .utf8)
        XCTAssertEqual(TemplateRecognition.recognize(t), TemplateRecognition(template: .glm47, match: .exact, note: nil))
    }

    func testSmolLM2DefaultSystemPrompt() throws {
        let r = TemplateRecognition.recognize(try Fixtures.text("templates/SmolLM2-135M-Instruct.jinja"))
        XCTAssertEqual(r.template, .chatML(defaultSystemPrompt: "You are a helpful AI assistant named SmolLM, trained by Hugging Face"))
    }

    func testVariantsAndUnknownTemplates() throws {
        let glm = try Fixtures.text("templates/GLM-4.7-Flash.jinja")
        let variant = TemplateRecognition.recognize(glm.replacingOccurrences(of: "# Tools", with: "# Functions"))
        XCTAssertEqual(variant.template, .glm47); XCTAssertEqual(variant.match, .family); XCTAssertNotNil(variant.note)
        // Trailing whitespace does not matter.
        XCTAssertEqual(TemplateRecognition.recognize(glm + "\n\n").match, .exact)

        let qwen = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
        let q = TemplateRecognition.recognize(qwen)
        XCTAssertEqual(q.template, .chatML(defaultSystemPrompt: nil)); XCTAssertEqual(q.match, .family)

        for unknown in ["{{ bos_token }}{% for m in messages %}[INST] {{ m.content }} [/INST]{% endfor %}", "", nil] as [String?] {
            let u = TemplateRecognition.recognize(unknown)
            XCTAssertEqual(u.match, .fallback)
            XCTAssertEqual(u.template, .chatML(defaultSystemPrompt: nil))
            XCTAssertTrue(u.note?.contains("ChatML") ?? false)
        }
        // GLM-4.6 renders differently (newlines, /nothink): not taken for GLM-4.7.
        if let g46 = try? String(contentsOf: try Fixtures.testdata("templates/GLM-4.6.jinja"), encoding: .utf8) {
            XCTAssertNotEqual(TemplateRecognition.recognize(g46).template, .glm47)
        }
    }

    func testReplyStartsInReasoning() {
        XCTAssertTrue(ChatTemplate.glm47.replyStartsInReasoning(TemplateOptions()))
        XCTAssertFalse(ChatTemplate.glm47.replyStartsInReasoning(TemplateOptions(thinking: false)))
        XCTAssertFalse(ChatTemplate.chatML(defaultSystemPrompt: nil).replyStartsInReasoning(TemplateOptions()))
    }
}

final class ToolDeclarationTests: XCTestCase {
    /// The built-in tools as declared to the model are the ones in the golden conversation that jinja2 rendered.
    func testBuiltinDeclarationsMatchTheGoldenConversation() throws {
        let json = try JSONValue.parse(try Fixtures.text("conversations/glm_27_builtin_tools.json"))
        XCTAssertEqual(json["tools"]?.arrayValue, CodingTools.declarations)
        XCTAssertEqual(CodingTools.declarations.compactMap { $0["function"]?["name"]?.stringValue }, CodingTools.names)
    }
}
