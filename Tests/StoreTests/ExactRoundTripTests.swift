// What glmchat rewrites keeps what it read: numbers as their exact text (1e999, 0.10, 1E+5, integers beyond 64 bits),
// strings with their escapes as written (\u00e9, a lone surrogate), unknown fields with the message they belong to even when ids repeat.
// Python's json module is the independent reader: the rewritten file holds the same values as the original (title and
// updated aside), and a second rewrite is byte-identical to the first — over hand-written and generated files.
import XCTest
import Foundation
@testable import Store
import Chat

final class ExactRoundTripTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "glmchat-exact-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// python3: every value of `a` is in `b`, equal (see `code`).
    func pythonSameValues(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let py = Process()
        py.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Everything the original holds is in the rewrite with an equal value (the rewrite may add defaults); the
        // title was renamed and the times are rewritten in full ISO 8601.
        let code = """
        import json, sys
        def covered(a, b, top):
            if isinstance(a, dict):
                return isinstance(b, dict) and all(k in b and covered(v, b[k], False) for k, v in a.items()
                                                   if not (top and k in ('title', 'updated', 'created')))
            if isinstance(a, list):
                return isinstance(b, list) and len(a) == len(b) and all(covered(x, y, False) for x, y in zip(a, b))
            return type(a) == type(b) and a == b
        a, b = (json.load(open(p, encoding='utf-8')) for p in sys.argv[1:3])
        sys.exit(0 if covered(a, b, True) else 1)
        """
        py.arguments = ["python3", "-c", code, a, b]
        try py.run(); py.waitUntilExit()
        XCTAssertEqual(py.terminationStatus, 0, "python3 reads the same values in \(b) as in \(a)", file: file, line: line)
    }

    /// Writes `text` as session `id`, has the store rewrite it twice (renames), and checks the values and bytes.
    @discardableResult
    func roundTrip(_ id: String, _ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let original = dir + "/original-\(id).json", path = dir + "/\(id).json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: original))
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let store = SessionStore(directory: dir)
        let before = try store.load(id)
        try store.rename(id, to: "renamed")
        let first = try Data(contentsOf: URL(fileURLWithPath: path))
        try pythonSameValues(original, path, file: file, line: line)
        let after = try store.load(id)
        XCTAssertEqual(after.messages, before.messages, "the rewritten file loads to the same messages", file: file, line: line)
        try store.rename(id, to: "renamed")
        // Only the time of the change moves.
        let second = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        let text = String(decoding: first, as: UTF8.self)
        func timeless(_ t: String) -> String { t.split(separator: "\n").filter { !$0.hasPrefix("  \"updated\": ") }.joined(separator: "\n") }
        XCTAssertEqual(timeless(second), timeless(text), "a second rewrite changes no other byte", file: file, line: line)
        return text
    }

    func testNumbersAndLoneSurrogatesKeepTheirText() throws {
        let text = try roundTrip("exact", """
        {"format": "glmchat.session", "version": 1, "id": "exact", "title": "t", "future_field": 1e999, "x_neg": -2e400,
         "tenth": 0.10, "big": 12345678901234567890, "upper": 1E+5, "tiny": 1e-400, "escaped": "caf\\u00e9 \\ud83d\\ude00",
         "created": "2026-01-02T03:04:05Z", "updated": "2026-01-02T03:04:05Z",
         "settings": {"sampling": {"temperature": 0.70, "top_p": 1e0}},
         "messages": [{"id": "u1", "role": "user", "content": "half \\ud800 a pair", "x_n": 1e999},
                      {"id": "a1", "role": "assistant", "content": "ok", "x_list": [1.50, "\\udc00", {"deep": 2.50e3}]}]}
        """)
        for kept in ["\"future_field\": 1e999", "\"x_neg\": -2e400", "\"tenth\": 0.10", "\"big\": 12345678901234567890", "\"upper\": 1E+5",
                     "\"tiny\": 1e-400", "\"temperature\": 0.70", "\"top_p\": 1e0", "\"content\": \"half \\ud800 a pair\"", "\"x_n\": 1e999",
                     "1.50", "\"\\udc00\"", "\"deep\": 2.50e3", "\"escaped\": \"caf\\u00e9 \\ud83d\\ude00\""] {
            XCTAssertTrue(text.contains(kept), "\(kept) kept in\n\(text)")
        }
        XCTAssertFalse(text.contains("Infinity"))
        // The program reads them as values: the temperature is 0.7, the content has U+FFFD where the surrogate was.
        let s = try SessionStore(directory: dir).load("exact")
        XCTAssertEqual(s.settings.sampling?.temperature, 0.7)
        XCTAssertEqual(s.messages[0].content, "half \u{FFFD} a pair")
    }

    func testAChangedValueIsWrittenAsTheProgramHasIt() throws {
        try Data("""
        {"format": "glmchat.session", "version": 1, "id": "chg", "title": "t", "created": "2026-01-02T03:04:05Z",
         "updated": "2026-01-02T03:04:05Z", "messages": [{"id": "u1", "role": "user", "content": "bad \\ud800"}]}
        """.utf8).write(to: URL(fileURLWithPath: dir + "/chg.json"))
        let store = SessionStore(directory: dir)
        let open = try store.open("chg")
        var messages = open.session.messages
        messages[0].content = "fixed"
        try open.save(messages)
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir + "/chg.json")), as: UTF8.self)
        XCTAssertTrue(text.contains("\"content\": \"fixed\""), text)
    }

    func testUnknownFieldsStayWithTheirMessageWhenIdsRepeat() throws {
        let text = try roundTrip("dup", """
        {"format": "glmchat.session", "version": 1, "id": "dup", "title": "t", "created": "2026-01-02T03:04:05Z",
         "updated": "2026-01-02T03:04:05Z", "messages": [
           {"id": "m1", "role": "user", "content": "one", "note": "first"},
           {"id": "m1", "role": "assistant", "content": "two", "note": "second", "only_here": true},
           {"id": "m1", "role": "user", "content": "three"}]}
        """)
        let one = try XCTUnwrap(text.range(of: "\"one\"")), two = try XCTUnwrap(text.range(of: "\"two\"")), three = try XCTUnwrap(text.range(of: "\"three\""))
        let first = try XCTUnwrap(text.range(of: "\"first\"")), second = try XCTUnwrap(text.range(of: "\"second\""))
        XCTAssertTrue(one.upperBound < first.lowerBound && first.lowerBound < two.lowerBound, text)
        XCTAssertTrue(two.upperBound < second.lowerBound && second.lowerBound < three.lowerBound, text)
        XCTAssertEqual(text.components(separatedBy: "only_here").count, 2, "not copied to the other messages")
    }

    /// Generated files: unknown fields of random shapes (numbers in every spelling, strings with every kind of
    /// escape) in the header, the messages and nested objects; each must survive a rewrite exactly.
    func testGeneratedFilesRoundTrip() throws {
        var rng = SplitMix(seed: 0x5EED)
        let numbers = ["0", "-0", "7", "-12", "0.10", "1.5", "2.50e3", "1E5", "1e+20", "-1e-7", "1e999", "-2e400", "1e-400",
                       "12345678901234567890", "-98765432109876543210", "3.141592653589793238462643", "0.1e1", "100E-2"]
        let strings = ["\"plain\"", "\"caf\\u00e9\"", "\"\\ud83d\\ude00\"", "\"\\ud800\"", "\"x\\udc00y\"", "\"\\ud800\\ud800\"",
                       "\"tab\\tnew\\nline\"", "\"quote\\\" slash\\\\ \\/\"", "\"\\u0000\\u001b\"", "\"é😀\""]
        func value(_ depth: Int) -> String {
            switch rng.next() % (depth > 2 ? 3 : 6) {
            case 0: return numbers[Int(rng.next() % UInt64(numbers.count))]
            case 1: return strings[Int(rng.next() % UInt64(strings.count))]
            case 2: return ["true", "false", "null"][Int(rng.next() % 3)]
            case 3: return "[" + (0..<Int(rng.next() % 4)).map { _ in value(depth + 1) }.joined(separator: ", ") + "]"
            default: return "{" + (0..<Int(rng.next() % 4)).map { i in "\"k\(i)\": " + value(depth + 1) }.joined(separator: ", ") + "}"
            }
        }
        func extras(_ n: Int) -> String { (0..<n).map { i in ", \"x_\(i)\": " + value(0) }.joined() }
        for f in 0..<25 {
            let id = "gen\(f)"
            let messages = (0..<Int(2 + rng.next() % 4)).map { i in
                let content = rng.next() % 3 == 0 ? strings[Int(rng.next() % UInt64(strings.count))] : "\"message \(i)\""
                let mid = rng.next() % 4 == 0 ? "same" : "m\(i)"
                return "{\"id\": \"\(mid)\", \"role\": \"\(i % 2 == 0 ? "user" : "assistant")\", \"content\": \(content)\(extras(Int(rng.next() % 3)))}"
            }
            let sampling = "{\"temperature\": \(["1.0", "0.70", "7e-1", "1"][Int(rng.next() % 4)])\(extras(Int(rng.next() % 2)))}"
            try roundTrip(id, """
            {"format": "glmchat.session", "version": 1, "id": "\(id)", "title": "t"\(extras(Int(rng.next() % 4))),
             "created": "2026-01-02T03:04:05Z", "updated": "2026-01-02T03:04:05Z", "settings": {"sampling": \(sampling)},
             "messages": [\(messages.joined(separator: ", "))]}
            """)
        }
    }
}
