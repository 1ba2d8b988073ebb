// Recognition over every template in the test data: nothing but GLM-4.7 is taken for GLM-4.7, every
// answer that is not exact carries a note, and nothing crashes.
import Foundation
import XCTest
@testable import Chat

final class RecognitionSurveyTests: XCTestCase {
    func testAllTestDataTemplates() throws {
        let dir = try Fixtures.testdata("templates")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".jinja") }.sorted()
        XCTAssertGreaterThan(files.count, 10)
        for f in files {
            let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            let r = TemplateRecognition.recognize(text)
            if f == "GLM-4.7-Flash.jinja" { XCTAssertEqual(r.match, .exact) } else { XCTAssertNotEqual(r.template, .glm47, f) }
            XCTAssertEqual(r.note == nil, r.match == .exact, f)
            if ProcessInfo.processInfo.environment["GLMCHAT_SHOW_RECOGNITION"] == "1" { print("\(f): \(r.match) \(r.template.name)") }
        }
    }
}

extension RecognitionSurveyTests {
    /// Qwen2.5 writes its default system prompt inside a Jinja string with an escaped newline.
    func testQwenDefaultSystemPrompt() throws {
        let t = try String(contentsOf: try Fixtures.testdata("templates/Qwen-Qwen2.5-7B-Instruct.jinja"), encoding: .utf8)
        XCTAssertEqual(TemplateRecognition.recognize(t).template,
                       .chatML(defaultSystemPrompt: "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."))
    }
}
