// The file format: exact layout, unknown fields kept on rewrite, the JSON coder's edge cases.
import Chat
import Foundation
import XCTest
@testable import Store

final class FormatTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_767_323_045.5)   // 2026-01-02T03:04:05.500Z

    func testFileLayoutIsPrettyStableAndComplete() throws {
        var sampling = SamplingParams.glmTools
        sampling.seed = 42
        var stats = GenerationStats()
        stats.promptTokens = 12; stats.decodeSeconds = 0.25
        let call = ToolCall(id: "c1", name: "bash", arguments: .object([("cmd", .string("ls")), ("all", .bool(true))]))
        let s = Session(id: "abc", title: "Café ☕", created: t0, updated: t0.addingTimeInterval(60),
                        model: SessionModel(name: "GLM-4.7-Flash", size: 123),
                        settings: SessionSettings(sampling: sampling, thinking: true, workspace: "/w"),
                        messages: [
                            Message(id: "u1", role: .user, content: "ls please\n\"now\"", created: t0),
                            Message(id: "a1", role: .assistant, content: "", reasoning: "run ls", toolCalls: [call],
                                    finishReason: .toolCalls, stats: stats, created: nil),
                            Message(id: "t1", role: .tool, content: "a\tb", toolResult: ToolResult(callID: "c1", name: "bash", exitStatus: 0), created: nil),
                            Message(id: "a2", role: .assistant, content: "Two fi", incomplete: true, created: nil),
                        ])
        let text = String(decoding: try SessionCodec.current.encode(s), as: UTF8.self)
        let want = """
        {
          "format": "glmchat.session",
          "version": 1,
          "id": "abc",
          "title": "Café ☕",
          "created": "2026-01-02T03:04:05.500Z",
          "updated": "2026-01-02T03:05:05.500Z",
          "model": {
            "name": "GLM-4.7-Flash",
            "size": 123
          },
          "settings": {
            "sampling": {
              "temperature": 0.7,
              "top_p": 1.0,
              "top_k": 0,
              "min_p": 0.01,
              "repeat_penalty": 1.0,
              "presence_penalty": 0.0,
              "seed": 42
            },
            "thinking": true,
            "workspace": "/w"
          },
          "messages": [
            {
              "id": "u1",
              "role": "user",
              "content": "ls please\\n\\"now\\"",
              "created": "2026-01-02T03:04:05.500Z"
            },
            {
              "id": "a1",
              "role": "assistant",
              "content": "",
              "reasoning_content": "run ls",
              "tool_calls": [
                {
                  "id": "c1",
                  "name": "bash",
                  "arguments": {
                    "cmd": "ls",
                    "all": true
                  }
                }
              ],
              "finish_reason": "tool_calls",
              "stats": {
                "prompt_tokens": 12,
                "decode_s": 0.25
              }
            },
            {
              "id": "t1",
              "role": "tool",
              "content": "a\\tb",
              "tool_result": {
                "call_id": "c1",
                "name": "bash",
                "exit_status": 0
              }
            },
            {
              "id": "a2",
              "role": "assistant",
              "content": "Two fi",
              "incomplete": true
            }
          ]
        }

        """
        XCTAssertEqual(text, want)
        // Foundation's parser agrees it is JSON, and reading it back gives the same session.
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(text.utf8)))
        XCTAssertEqual(try SessionCodec.current.decode(Array(text.utf8), id: "abc").get(), s)
    }

    func testCachedEncodingMatchesAFullEncoding() throws {
        var s = Session(id: "c", created: t0, messages: (0..<6).map { Message(id: "m\($0)", role: .user, content: "text \($0)\n\"q\"", created: t0) })
        let cache = MessageCache()
        let full = { (s: Session) in Array((try JSONValue.parse(SessionCodec.current.encode(s))).serialized(.pretty).utf8) + [0x0A] }
        XCTAssertEqual(try SessionCodec.current.encode(s, cache: cache), try full(s))
        s.messages[2].content = "changed"
        s.messages.remove(at: 0)
        s.messages.append(.assistant("new", reasoning: "r"))
        s.title = "T"
        XCTAssertEqual(try SessionCodec.current.encode(s, cache: cache), try SessionCodec.current.encode(s))
        XCTAssertEqual(try SessionCodec.current.encode(s, cache: cache), try full(s))
        XCTAssertEqual(cache.entries.count, 6, "entries of removed messages are dropped")
        s.messages = []
        XCTAssertEqual(try SessionCodec.current.encode(s, cache: cache), try full(s))
    }

    func testUnknownFieldsSurviveARewrite() throws {
        let dir = try makeTempDir()
        let file = """
        {"format": "glmchat.session", "version": 1, "id": "keep", "title": "", "x_top": {"a": [1, 2.5, null]},
         "created": "2026-01-02T03:04:05Z", "updated": "2026-01-02T03:04:05Z",
         "model": {"name": "m", "quant": "Q4_K_M"},
         "settings": {"thinking": false, "x_theme": "dark", "sampling": {"temperature": 0.5, "x_mirostat": 2}},
         "messages": [
           {"id": "u1", "role": "user", "content": "first question", "x_pinned": true, "x_attachments": [{"path": "/a"}]},
           {"id": "a1", "role": "assistant", "content": "answer", "stats": {"prompt_tokens": 5, "x_gpu": "none"},
            "tool_calls": [{"id": "c", "name": "f", "arguments": {}, "x_call": 1}]}
         ],
         "x_after": "tail"}
        """
        try Data(file.utf8).write(to: URL(fileURLWithPath: "\(dir)/keep.json"))
        let store = SessionStore(directory: dir)
        let s = try store.open("keep")
        XCTAssertEqual(s.session.settings.thinking, false)
        XCTAssertEqual(s.session.settings.sampling?.temperature, 0.5)
        var msgs = s.messages
        msgs[1].content = "answer, edited"
        msgs.append(.user("next"))
        try s.save(msgs)
        try s.update { $0.settings.thinking = true }
        try s.close()

        // Checked with Foundation's parser, independent of the store's.
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/keep.json"))
        let top = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual((top["x_top"] as? [String: Any])?["a"] as? NSArray, [1, 2.5, NSNull()] as NSArray)
        XCTAssertEqual(top["x_after"] as? String, "tail")
        XCTAssertEqual((top["model"] as? [String: Any])?["quant"] as? String, "Q4_K_M")
        let settings = try XCTUnwrap(top["settings"] as? [String: Any])
        XCTAssertEqual(settings["x_theme"] as? String, "dark")
        XCTAssertEqual(settings["thinking"] as? Bool, true, "a field the program sets wins over the kept value")
        XCTAssertEqual((settings["sampling"] as? [String: Any])?["x_mirostat"] as? Int, 2)
        let m = try XCTUnwrap(top["messages"] as? [[String: Any]])
        XCTAssertEqual(m.count, 3)
        XCTAssertEqual(m[0]["x_pinned"] as? Bool, true)
        XCTAssertEqual((m[0]["x_attachments"] as? [[String: Any]])?.first?["path"] as? String, "/a")
        XCTAssertEqual(m[1]["content"] as? String, "answer, edited")
        XCTAssertEqual((m[1]["stats"] as? [String: Any])?["x_gpu"] as? String, "none")
        XCTAssertEqual(((m[1]["tool_calls"] as? [[String: Any]])?.first)?["x_call"] as? Int, 1)
        XCTAssertEqual(top["title"] as? String, "first question", "the default title is filled in")
        // Known keys first in their fixed order, kept unknown ones after them, messages last.
        let keys = try JSONValue.parse(Array(data)).objectValue?.map(\.0)
        XCTAssertEqual(keys, ["format", "version", "id", "title", "created", "updated", "model", "settings", "x_top", "x_after", "messages"])

        // A second load and save changes nothing more.
        let again = try store.open("keep")
        try again.save(again.messages)
        try again.close()
        let data2 = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/keep.json"))
        let strip = { (d: Data) in String(decoding: d, as: UTF8.self).split(separator: "\n").filter { !$0.contains("\"updated\"") } }
        XCTAssertEqual(strip(data2), strip(data))
    }

    func testCoderEdgeCases() throws {
        // Seeds above Int64.max have no JSONValue integer: written as digits in a string and read back exactly.
        var p = SamplingParams()
        p.seed = UInt64.max
        let j = try JSONValueEncoder.encode(p)
        XCTAssertEqual(j["seed"], .string("18446744073709551615"))
        XCTAssertEqual(try JSONValueDecoder.decode(SamplingParams.self, from: j).seed, UInt64.max)
        // Non-finite numbers become null (JSON has no NaN) and read back as absent.
        var st = GenerationStats()
        st.decodeSeconds = .nan
        st.prefillSeconds = .infinity
        let sj = try JSONValueEncoder.encode(st)
        XCTAssertEqual(sj.serialized(), #"{"prefill_s":null,"decode_s":null}"#)
        XCTAssertEqual(try JSONValueDecoder.decode(GenerationStats.self, from: sj), GenerationStats())
        // Dates: with or without fractional seconds, or Unix seconds.
        XCTAssertEqual(try JSONValueDecoder.decode(Date.self, from: .string("2026-01-02T03:04:05Z")), Date(timeIntervalSince1970: 1_767_323_045))
        XCTAssertEqual(try JSONValueDecoder.decode(Date.self, from: .string("2026-01-02T03:04:05.250Z")), Date(timeIntervalSince1970: 1_767_323_045.25))
        XCTAssertEqual(try JSONValueDecoder.decode(Date.self, from: .int(86400)), Date(timeIntervalSince1970: 86400))
        XCTAssertEqual(ISODate.parse("2026-01-02T04:34:05.5+01:30"), Date(timeIntervalSince1970: 1_767_323_045.5))
        XCTAssertEqual(ISODate.format(Date(timeIntervalSince1970: -0.5)), "1969-12-31T23:59:59.500Z")
        XCTAssertEqual(ISODate.format(Date(timeIntervalSince1970: 951_782_400.0994)), "2000-02-29T00:00:00.099Z")
        for bad in ["2026-01-02", "2026-13-02T00:00:00Z", "2026-01-02T00:00:00", "2026-01-02T00:00:00.Z", "x"] {
            XCTAssertNil(ISODate.parse(bad), bad)
        }
        var rng = SplitMix(seed: 7)
        for _ in 0..<2000 {   // formatting a parsed date gives the same text
            let text = ISODate.format(Date(timeIntervalSince1970: Double(rng.next() % 4_000_000_000_000) / 1000))
            XCTAssertEqual(ISODate.format(try XCTUnwrap(ISODate.parse(text))), text)
        }
        // Integers that do not fit are errors, not wrapped values.
        XCTAssertThrowsError(try JSONValueDecoder.decode(UInt8.self, from: .int(300))) {
            XCTAssertEqual(JSONValueDecoder.describe($0), "the top level: 300 does not fit in UInt8")
        }
        XCTAssertThrowsError(try JSONValueDecoder.decode([Int].self, from: .array([.int(1), .string("x")]))) {
            XCTAssertEqual(JSONValueDecoder.describe($0), "[1]: expected an integer, found a string")
        }
    }

    func testDefaultTitles() {
        func t(_ s: String) -> String? { SessionTitle.default(for: [.system("sys"), .user(s)]) }
        XCTAssertEqual(t("  \n\n  Fix   the\tbuild \nplease"), "Fix the build")
        XCTAssertEqual(t("## Why does `swift build` fail?"), "Why does `swift build` fail?")
        XCTAssertEqual(t("Refactor the tokenizer so that pre-tokenization happens in one pass over the bytes"),
                       "Refactor the tokenizer so that pre-tokenization happens in…")
        XCTAssertEqual(t(String(repeating: "x", count: 80)), String(repeating: "x", count: 59) + "…")
        XCTAssertEqual(t("\u{1B}[31mred\u{07} alert"), "[31mred alert", "no escape sequences reach the terminal")
        XCTAssertNil(t("   \n "))
        XCTAssertNil(SessionTitle.default(for: [.system("only a system prompt")]))
        XCTAssertEqual(Session(id: "e").displayTitle, "(empty conversation)")
    }
}

/// A number too large for a double (a future field's `1e999`) survives a rewrite as valid JSON that reads the same.
final class HugeNumberTests: XCTestCase {
    func testAHugeNumberStaysJSONAfterARename() throws {
        let dir = NSTemporaryDirectory() + "glmchat-huge-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = """
        {"format": "glmchat.session", "version": 1, "id": "big", "title": "t", "future_field": 1e999, "x_neg": -2e400,
         "created": "2026-01-02T03:04:05Z", "updated": "2026-01-02T03:04:05Z",
         "messages": [{"id": "u1", "role": "user", "content": "hi", "x_n": 1e999}]}
        """
        try Data(file.utf8).write(to: URL(fileURLWithPath: dir + "/big.json"))
        let store = SessionStore(directory: dir)
        try store.rename("big", to: "renamed")
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/big.json"))
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertFalse(text.contains("Infinity"), text)
        // Python's parser, independent of the store's (Foundation's refuses numbers a double cannot hold).
        let py = Process()
        py.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        py.arguments = ["python3", "-c", "import json, sys; d = json.load(open(sys.argv[1])); assert d['future_field'] == float('inf')", dir + "/big.json"]
        try py.run(); py.waitUntilExit()
        XCTAssertEqual(py.terminationStatus, 0, "python3's json reads the file")
        XCTAssertEqual(try store.load("big").title, "renamed")
        XCTAssertTrue(text.contains("\"future_field\": 1e999") && text.contains("\"x_neg\": -2e400") && text.contains("\"x_n\": 1e999"), text)
        // The template's tojson keeps Python's spelling.
        XCTAssertEqual(JSONValue.double(.infinity).serialized(.python), "Infinity")
        XCTAssertEqual(JSONValue.double(.nan).serialized(.compact), "null")
    }
}
