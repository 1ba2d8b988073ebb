// What a server can make glmchat hold or say is bounded: one SSE event, a JSON answer and an error body have caps
// (a clear error, not gigabytes of memory), server text in messages is short and escaped, a redirect is never
// followed (the conversation is not posted elsewhere), and a key sent over plain http:// to another host is warned of.
import XCTest
import Chat
import Quote
@testable import Remote

final class RemoteLimitsTests: XCTestCase {
    func backend(_ endpoint: String, key: String? = nil) throws -> RemoteBackend {
        var c = RemoteConfiguration(endpoint: endpoint, apiKey: key, model: "glm")
        c.readTimeoutSeconds = 30
        return try RemoteBackend(c)
    }

    /// The failure sentence the reply ended with.
    func failure(_ b: RemoteBackend) -> String {
        let log = EventLog()
        b.send(ChatRequest(messages: [.user("hi")]), onEvent: log.onEvent)
        XCTAssertTrue(log.waitForEnd(), "the reply ended")
        if case .failed(let m)? = log.terminal { return m }
        XCTFail("expected a failure, got \(log.events.suffix(3))")
        return ""
    }

    /// `count` pieces of `piece` after `head` (the server stops once the client hangs up).
    static func endless(_ head: [UInt8], _ piece: String, count: Int) -> [LoopbackServer.Step] {
        let p = Array(piece.utf8)
        return [.write(head)] + Array(repeating: LoopbackServer.Step.write(p), count: count)
    }

    func testDataLinesWithoutABlankLineStopAtTheEventCap() throws {
        let line = "data: " + String(repeating: "a", count: 64 << 10) + "\n"
        let server = try LoopbackServer { _ in Self.endless(LoopbackServer.streamHead(), line, count: 400) }   // 25 MiB
        defer { server.stop() }
        let m = failure(try backend(server.endpoint))
        XCTAssertTrue(m.contains("larger than 8 MiB"), m)
    }

    func testAnEndlessJSONAnswerStopsAtTheCap() throws {
        let head = LoopbackServer.head(200, "OK", contentType: "application/json")
        let server = try LoopbackServer { _ in Self.endless(head, "{\"a\":\"" + String(repeating: "b", count: 64 << 10), count: 400) }
        defer { server.stop() }
        let m = failure(try backend(server.endpoint))
        XCTAssertTrue(m.contains("larger than 8 MiB"), m)
    }

    func testAHugeErrorBodyGivesAShortEscapedSentence() throws {
        let head = LoopbackServer.head(500, "Internal Server Error", contentType: "application/json")
        let server = try LoopbackServer { _ in
            Self.endless(head, String(repeating: "\u{1B}[2J\u{9B}1m\u{202E} boom ", count: 4000), count: 400)
        }
        defer { server.stop() }
        let m = failure(try backend(server.endpoint))
        XCTAssertTrue(m.hasPrefix("The server failed (HTTP 500"), m)
        XCTAssertLessThan(m.utf8.count, 300, m)
        XCTAssertFalse(m.unicodeScalars.contains { isUnsafeForTerminal($0) }, m)
    }

    func testARedirectToAnotherHostIsNotFollowed() throws {
        let elsewhere = try LoopbackServer { _ in LoopbackServer.json(200, "OK", "{}") }
        defer { elsewhere.stop() }
        let target = elsewhere.endpoint + "/chat/completions"
        let server = try LoopbackServer { _ in
            [.write(LoopbackServer.head(307, "Temporary Redirect", contentType: "text/plain", length: 0, extra: ["Location: \(target)"]))]
        }
        defer { server.stop() }
        let m = failure(try backend(server.endpoint, key: "secret"))
        XCTAssertTrue(m.contains("redirected the request to \(target)"), m)
        XCTAssertTrue(m.contains("does not follow redirects"), m)
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertEqual(elsewhere.requests.count, 0, "the conversation was posted to where the redirect pointed")
    }

    func testAKeyOverPlainHTTPToAnotherHostIsWarnedOf() {
        func warning(_ endpoint: String, key: String? = "k") -> String? {
            RemoteConfiguration(endpoint: endpoint, apiKey: key).plainHTTPKeyWarning()
        }
        XCTAssertNotNil(warning("http://gpu-box.example:8000/v1"))
        XCTAssertNotNil(warning("http://10.0.0.7:8000/v1"))
        XCTAssertTrue(warning("http://gpu-box.example:8000/v1")?.contains("gpu-box.example") ?? false)
        XCTAssertNil(warning("https://gpu-box.example/v1"))
        XCTAssertNil(warning("http://gpu-box.example:8000/v1", key: nil))
        XCTAssertNil(warning("http://127.0.0.1:8000/v1"))
        XCTAssertNil(warning("http://localhost:8000/v1"))
        XCTAssertNil(warning("http://[::1]:8000/v1"))
    }

    func testTheSSEParserCapsOneEvent() {
        var p = SSEParser()
        let line = Array(("data: " + String(repeating: "x", count: 1 << 20) + "\n").utf8)
        var events = 0
        for _ in 0..<9 where !p.overflow { events += p.feed(line).count }
        XCTAssertTrue(p.overflow)
        XCTAssertEqual(events, 0)
        var q = SSEParser()
        XCTAssertEqual(q.feed(Array("data: a\n\ndata: b\n\n".utf8)).map(\.data), ["a", "b"])
        XCTAssertFalse(q.overflow)
    }
}
