// Compaction with a server: the request body's messages are the system message with the summary after the
// conversation's prompt, then only the turns after the ones it covers (the OpenAI JSON written out here).
import XCTest
import Chat
@testable import Remote

final class CompactionBodyTests: XCTestCase {
    func testTheBodyHoldsSystemSummaryAndTheRecentTurns() throws {
        let server = try LoopbackServer { _ in
            LoopbackServer.json(200, "OK", #"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Blue."},"finish_reason":"stop"}]}"#)
        }
        defer { server.stop() }
        let b = try RemoteBackend(RemoteConfiguration(endpoint: server.endpoint, model: "glm"))
        let m = [Message(id: "s", role: .system, content: "Be brief.", created: nil), Message(id: "u1", role: .user, content: "red", created: nil),
                 Message(id: "a1", role: .assistant, content: "Red noted.", created: nil), Message(id: "u2", role: .user, content: "blue", created: nil)]
        let log = EventLog()
        b.send(ChatRequest(messages: m, compaction: Compaction(summary: "- The user said red.", through: "a1", messages: 2)), onEvent: log.onEvent)
        XCTAssertTrue(log.waitForEnd())
        XCTAssertEqual(log.fits.first?.compactedMessages, 3)
        let body = try JSONValue.parse(try XCTUnwrap(server.requests.first).body)
        let system = "Be brief.\n\n# Summary of the earlier conversation\n\nThe messages before the ones below were summarised to save context; "
            + "this summary stands in for them.\n\n- The user said red."
        XCTAssertEqual(body["messages"], .array([.object([("role", .string("system")), ("content", .string(system))]),
                                                 .object([("role", .string("user")), ("content", .string("blue"))])]))
    }
}
