// RemoteBackend against a loopback server: a recorded stream sent in pieces, HTTP errors, a server that dies
// mid-reply, cancellation that closes the connection, refused connections, silence, and /v1/models.
import XCTest
import Chat
@testable import Remote

/// Collects a backend's events from its background thread (the fit reports apart, in `fits`).
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [ChatEvent] = []
    private var fitList: [PromptFit] = []
    private let ended = DispatchSemaphore(value: 0)
    private let firstText = DispatchSemaphore(value: 0)
    private var sawText = false
    var onEvent: @Sendable (ChatEvent) -> Void {
        { [self] e in
            if case .promptFitted(let f) = e { lock.lock(); fitList.append(f); lock.unlock(); return }
            lock.lock(); list.append(e)
            var isText = false
            switch e { case .content, .reasoning: isText = true; default: break }
            let signalText = isText && !sawText
            if signalText { sawText = true }
            lock.unlock()
            if signalText { firstText.signal() }
            switch e { case .finished, .failed: ended.signal(); default: break }
        }
    }
    var events: [ChatEvent] { lock.lock(); defer { lock.unlock() }; return list }
    var fits: [PromptFit] { lock.lock(); defer { lock.unlock() }; return fitList }
    /// Waits (at most 30 s) for the reply to end; false if it did not.
    func waitForEnd() -> Bool { ended.wait(timeout: .now() + 30) == .success }
    func waitForText() -> Bool { firstText.wait(timeout: .now() + 30) == .success }
    var terminal: ChatEvent? { events.last }
}

final class RemoteBackendTests: XCTestCase {
    private func backend(_ server: LoopbackServer, key: String? = nil, readTimeout: Int = 30, model: String? = "glm") throws -> RemoteBackend {
        var c = RemoteConfiguration(endpoint: server.endpoint, apiKey: key, apiKeyVariable: key == nil ? nil : "GLM_TEST_KEY", model: model)
        c.readTimeoutSeconds = readTimeout
        return try RemoteBackend(c)
    }

    private func run(_ b: RemoteBackend, _ req: ChatRequest = ChatRequest(messages: [.user("hi")], tools: weatherTools)) -> EventLog {
        let log = EventLog()
        b.send(req, onEvent: log.onEvent)
        XCTAssertTrue(log.waitForEnd(), "the reply ended")
        return log
    }

    private func failure(_ log: EventLog) -> String {
        if case .failed(let m)? = log.terminal { return m }
        XCTFail("expected a failure, got \(log.events)")
        return ""
    }

    func testRecordedStreamInPiecesGivesTheRecordedEventsAndSendsTheRequest() throws {
        let bytes = try fixtureBytes("vllm-reasoning-toolcalls.sse")
        let server = try LoopbackServer { _ in
            var steps: [LoopbackServer.Step] = [.write(LoopbackServer.streamHead())]
            var i = 0
            while i < bytes.count { steps.append(.write(Array(bytes[i..<min(bytes.count, i + 97)]))); i += 97 }  // cuts mid-line and mid-UTF-8
            return steps
        }
        defer { server.stop() }
        let log = run(try backend(server, key: "s3cret"))
        let events = merged(log.events)
        XCTAssertEqual(events.first, .reasoning("The user asks for the weather in Zürich and the local time. I will call both tools."))
        XCTAssertEqual(events.compactMap { if case .toolCall(let c) = $0 { return c.name }; return nil }, ["get_weather", "get_time"])
        guard case .stats(let s)? = events.dropLast().last else { return XCTFail("\(events)") }
        XCTAssertEqual(s.promptTokens, 412); XCTAssertEqual(s.completionTokens, 77); XCTAssertEqual(s.cachedTokens, 384)
        XCTAssertNotNil(s.ttftSeconds)
        XCTAssertEqual(events.last, .finished(.toolCalls))
        let req = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(req.method, "POST")
        XCTAssertEqual(req.path, "/v1/chat/completions")
        XCTAssertEqual(req.headers["authorization"], "Bearer s3cret")
        XCTAssertEqual(req.headers["accept"], "text/event-stream")
        let body = try JSONValue.parse(req.body)
        XCTAssertEqual(body["model"], .string("glm"))
        XCTAssertEqual(body["stream"], .bool(true))
        XCTAssertEqual(body["messages"], .array([.object([("role", .string("user")), ("content", .string("hi"))])]))
    }

    func testUnauthorizedSaysWhichVariableToCheck() throws {
        let server = try LoopbackServer { _ in LoopbackServer.json(401, "Unauthorized", #"{"detail":"Invalid API key"}"#) }
        defer { server.stop() }
        let m = failure(run(try backend(server, key: "wrong")))
        XCTAssertEqual(m, "The server refused the API key (HTTP 401: Invalid API key); check the key in $GLM_TEST_KEY.")
        XCTAssertFalse(m.contains("wrong"), "the key itself is never shown")
    }

    func testForbiddenModelNotFoundAndServerErrors() throws {
        let cases: [(Int, String, String, String)] = [
            (403, "Forbidden", #"{"error":{"message":"Access denied"}}"#, "The server refused the API key (HTTP 403: Access denied); pass the key's environment variable with --api-key-env."),
            (404, "Not Found", #"{"object":"error","message":"The model `glm` does not exist.","type":"NotFoundError","param":null,"code":404}"#, "The server has no model named \"glm\": The model `glm` does not exist."),
            (500, "Internal Server Error", #"{"detail":"CUDA out of memory"}"#, "The server failed (HTTP 500: CUDA out of memory)."),
            (503, "Service Unavailable", "", "The server is not ready or is overloaded (HTTP 503)."),
        ]
        for (status, reason, body, expected) in cases {
            let server = try LoopbackServer { _ in LoopbackServer.json(status, reason, body) }
            defer { server.stop() }
            XCTAssertEqual(failure(run(try backend(server))), expected)
            XCTAssertEqual(server.requests.count, 1, "HTTP \(status) is not retried")
        }
    }

    func testContextTooLongIsAFailureTheContextManagerRecognises() throws {
        let server = try LoopbackServer { _ in
            LoopbackServer.json(400, "Bad Request", #"{"error":{"message":"Requested tokens (5000) exceed context window of 2048","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#)
        }
        defer { server.stop() }
        let log = run(try backend(server))
        XCTAssertTrue(log.terminal?.isContextTooLong ?? false, "\(log.events)")
        // The one message has nothing older to leave out, so the backend does not retry and says so.
        XCTAssertTrue(failure(log).hasPrefix("The conversation is too long for the model's context (Requested tokens (5000) exceed context window of 2048)."), failure(log))
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertEqual(log.fits.count, 1)
    }

    func testServerDyingMidStreamKeepsThePartialReplyAndFails() throws {
        let server = try LoopbackServer { _ in
            [.write(LoopbackServer.streamHead()),
             .write(Array(#"data: {"choices":[{"index":0,"delta":{"reasoning_content":"Thinking"},"finish_reason":null}]}"#.utf8) + [10, 10]),
             .write(Array(#"data: {"choices":[{"index":0,"delta":{"content":"The answer is"},"finish_reason":null}]}"#.utf8) + [10, 10]),
             .write(Array(#"data: {"choices":[{"index":0,"delta":{"content":" 4"#.utf8))]   // cut inside an event, then closed
        }
        defer { server.stop() }
        let log = run(try backend(server))
        let events = merged(log.events)
        XCTAssertEqual(Array(events.prefix(2)), [.reasoning("Thinking"), .content("The answer is")])
        XCTAssertEqual(failure(log), "The server closed the connection in the middle of the reply (the stream ended without a finish reason); the partial reply is kept.")
    }

    func testAnEmptyStreamSaysTheServerSentNothing() throws {
        // llama-cpp-python 0.3.36 streaming a prompt longer than its n_ctx: 200, then the connection closes.
        let server = try LoopbackServer { _ in [.write(LoopbackServer.streamHead())] }
        defer { server.stop() }
        let log = run(try backend(server))
        XCTAssertEqual(log.events.count, 1, "\(log.events)")
        XCTAssertTrue(failure(log).hasPrefix("The server ended the reply without sending any of it; its log says why"))
    }

    func testCancelStopsTheReplyAndClosesTheConnection() throws {
        let server = try LoopbackServer { _ in
            [.write(LoopbackServer.streamHead()),
             .write(Array(#"data: {"choices":[{"index":0,"delta":{"content":"Once upon a time"},"finish_reason":null}]}"#.utf8) + [10, 10]),
             .waitForClientClose]
        }
        defer { server.stop() }
        let b = try backend(server)
        let log = EventLog()
        b.send(ChatRequest(messages: [.user("story")], thinking: false), onEvent: log.onEvent)
        XCTAssertTrue(log.waitForText())
        b.cancel()
        XCTAssertTrue(log.waitForEnd())
        XCTAssertEqual(merged(log.events).first, .content("Once upon a time"))
        XCTAssertEqual(log.terminal, .finished(.cancelled))
        var polls = 0
        while server.clientCloses == 0 && polls < 100 { usleep(50_000); polls += 1 }   // at most 5 s for the FIN to arrive
        XCTAssertEqual(server.clientCloses, 1, "the client closed the connection")
    }

    func testRefusedConnectionIsRetriedThenReported() throws {
        let server = try LoopbackServer(maxConnections: 0) { _ in [] }
        let endpoint = server.endpoint
        server.stop()   // nothing listens on that port any more
        let b = try RemoteBackend(RemoteConfiguration(endpoint: endpoint, model: "glm"))
        let m = failure(run(b))
        XCTAssertEqual(m, "Cannot connect to the server at \(endpoint) (connection refused); is it running?")
    }

    func testSilentServerTimesOut() throws {
        let server = try LoopbackServer { _ in [.write(LoopbackServer.streamHead()), .sleep(milliseconds: 4000)] }
        defer { server.stop() }
        XCTAssertEqual(failure(run(try backend(server, readTimeout: 1))), "The server sent nothing for 1 seconds, so the reply was stopped.")
    }

    func testNonStreamedJSONAnswerIsAccepted() throws {
        let server = try LoopbackServer { _ in
            LoopbackServer.json(200, "OK", #"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hello."},"finish_reason":"stop"}]}"#)
        }
        defer { server.stop() }
        let log = run(try backend(server), ChatRequest(messages: [.user("hi")], thinking: false))
        XCTAssertEqual(merged(log.events).first, .content("Hello."))
        XCTAssertEqual(log.terminal, .finished(.stop))
    }

    func testConnectReadsModelNameAndContextLength() throws {
        let server = try LoopbackServer { r in
            r.path == "/v1/models"
                ? LoopbackServer.json(200, "OK", #"{"object":"list","data":[{"id":"zai-org/GLM-4.7-Flash","object":"model","owned_by":"vllm","max_model_len":131072}]}"#)
                : LoopbackServer.json(404, "Not Found", #"{"detail":"Not Found"}"#)
        }
        defer { server.stop() }
        let b = try RemoteBackend.connectBlocking(RemoteConfiguration(endpoint: server.endpoint + "/"))
        XCTAssertEqual(b.modelName, "zai-org/GLM-4.7-Flash")
        XCTAssertEqual(b.contextLength, 131072)
        XCTAssertEqual(b.tokenCounter?.isExact, false)
        XCTAssertThrowsError(try RemoteBackend.connectBlocking(RemoteConfiguration(endpoint: server.endpoint, model: "other"))) { e in
            XCTAssertEqual("\(e)", #"The server has no model named "other"; it serves zai-org/GLM-4.7-Flash."#)
        }
    }

    func testConnectWithoutModelsEndpointUsesTheGivenName() throws {
        let server = try LoopbackServer { _ in LoopbackServer.json(404, "Not Found", #"{"detail":"Not Found"}"#) }
        defer { server.stop() }
        var c = RemoteConfiguration(endpoint: server.endpoint, model: "mine")
        c.contextLength = 32768
        let b = try RemoteBackend.connectBlocking(c)
        XCTAssertEqual(b.modelName, "mine")
        XCTAssertEqual(b.contextLength, 32768)
    }
}
