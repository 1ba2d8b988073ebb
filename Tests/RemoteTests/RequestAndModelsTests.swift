// The request body sent to /v1/chat/completions, /v1/models answers of vLLM, SGLang and llama-server, and
// the mapping of HTTP error answers to sentences.
import XCTest
import Chat
@testable import Remote

final class RequestAndModelsTests: XCTestCase {
    func testBodyCarriesMessagesToolsSamplingAndTemplateKwargs() throws {
        var sampling = SamplingParams.glmDefault
        sampling.topK = 40; sampling.seed = 7; sampling.maxTokens = 256
        let call = ToolCall(id: "call_1", name: "get_time", arguments: .object([("tz", .string("UTC"))]))
        let msgs: [Message] = [
            .system("Be brief."), .user("first"), .assistant("old answer", reasoning: "old thoughts"),
            .user("what time is it?"), .assistant("", reasoning: "need the tool", toolCalls: [call]),
            .tool("12:00", callID: "call_1", name: "get_time"),
        ]
        let req = ChatRequest(messages: msgs, tools: [weatherTools[1]], sampling: sampling, thinking: true, keepThinking: false)
        let body = ChatCompletionBody.make(req, model: "glm")
        let expected = #"""
        {"model":"glm","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"first"},\#
        {"role":"assistant","content":"old answer"},{"role":"user","content":"what time is it?"},\#
        {"role":"assistant","content":"","reasoning_content":"need the tool","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_time","arguments":"{\"tz\":\"UTC\"}"}}]},\#
        {"role":"tool","content":"12:00","tool_call_id":"call_1","name":"get_time"}],\#
        "tools":[{"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"tz":{"type":"string"}}}}}],\#
        "temperature":1.0,"top_p":0.95,"top_k":40,"min_p":0.01,"seed":7,"max_tokens":256,"stream":true,\#
        "stream_options":{"include_usage":true},"chat_template_kwargs":{"enable_thinking":true,"clear_thinking":true}}
        """#
        XCTAssertEqual(body.serialized(), expected)
    }

    func testKeepThinkingSendsEveryReasoningAndNoThinkTurnsItOff() {
        let msgs: [Message] = [.user("a"), .assistant("b", reasoning: "r1"), .user("c")]
        var req = ChatRequest(messages: msgs, thinking: false, keepThinking: true)
        req.sampling.minP = 0
        let body = ChatCompletionBody.make(req, model: nil)
        XCTAssertNil(body["model"])
        XCTAssertNil(body["min_p"])
        XCTAssertNil(body["tools"])
        XCTAssertEqual(body["messages"]?.arrayValue?[1]["reasoning_content"], .string("r1"))
        XCTAssertEqual(body["chat_template_kwargs"], .object([("enable_thinking", .bool(false)), ("clear_thinking", .bool(false))]))
    }

    func testModelsListsOfVLLMSGLangLlamaServerAndLlamaCppPython() throws {
        let vllm = #"{"object":"list","data":[{"id":"zai-org/GLM-4.7-Flash","object":"model","created":1763905000,"owned_by":"vllm","root":"/models/glm","parent":null,"max_model_len":131072,"permission":[]}]}"#
        let sglang = #"{"object":"list","data":[{"id":"zai-org/GLM-4.7-Flash","object":"model","created":1763905000,"owned_by":"sglang","root":"zai-org/GLM-4.7-Flash","max_model_len":202752}]}"#
        let llamaServer = #"{"models":[{"name":"glm.gguf","model":"glm.gguf"}],"object":"list","data":[{"id":"glm.gguf","object":"model","created":1763905000,"owned_by":"llamacpp","meta":{"vocab_type":2,"n_vocab":154880,"n_ctx_train":202752,"n_embd":2048}}]}"#
        let llamaCppPython = #"{"object":"list","data":[{"id":"/models/smol.gguf","object":"model","owned_by":"me","permissions":[]}]}"#
        XCTAssertEqual(try RemoteModelInfo.list(.parse(vllm)), [RemoteModelInfo(id: "zai-org/GLM-4.7-Flash", contextLength: 131072, owner: "vllm")])
        XCTAssertEqual(try RemoteModelInfo.list(.parse(sglang)).first?.contextLength, 202752)
        XCTAssertEqual(try RemoteModelInfo.list(.parse(llamaServer)), [RemoteModelInfo(id: "glm.gguf", contextLength: 202752, owner: "llamacpp")])
        XCTAssertEqual(try RemoteModelInfo.list(.parse(llamaCppPython)), [RemoteModelInfo(id: "/models/smol.gguf", contextLength: nil, owner: "me")])
        XCTAssertThrowsError(try RemoteModelInfo.list(.parse(#"{"object":"list"}"#)))
    }

    func testChoosingAModelByNameOrTheFirst() throws {
        let ms = [RemoteModelInfo(id: "a"), RemoteModelInfo(id: "b", contextLength: 4096)]
        XCTAssertEqual(try RemoteModelInfo.choose(ms, wanted: "b").contextLength, 4096)
        XCTAssertEqual(try RemoteModelInfo.choose(ms, wanted: nil).id, "a")
        XCTAssertThrowsError(try RemoteModelInfo.choose(ms, wanted: "glm")) { e in
            XCTAssertEqual("\(e)", #"The server has no model named "glm"; it serves a, b."#)
        }
    }

    private func map(_ status: Int, _ body: String, key: String? = "GLM_KEY") -> RemoteError {
        RemoteError.from(status: status, body: Array(body.utf8), url: "http://h/v1/chat/completions", model: "glm", keyVariable: key)
    }

    func testHTTPErrorsBecomeTheRightCase() {
        XCTAssertEqual(map(401, #"{"detail":"Invalid API key"}"#), .unauthorized(status: 401, keyVariable: "GLM_KEY", message: "Invalid API key"))
        XCTAssertEqual("\(map(401, #"{"detail":"Invalid API key"}"#, key: nil))",
                       "The server refused the API key (HTTP 401: Invalid API key); pass the key's environment variable with --api-key-env.")
        XCTAssertEqual(map(404, #"{"error":{"message":"The model `glm` does not exist.","type":"NotFoundError","param":"model","code":404}}"#),
                       .modelNotFound(model: "glm", available: [], message: "The model `glm` does not exist."))
        XCTAssertEqual(map(404, #"{"detail":"Not Found"}"#), .notFound(url: "http://h/v1/chat/completions", message: "Not Found"))
        // vLLM, llama-cpp-python, llama-server and SGLang phrasings of an overflowing prompt.
        for body in [#"{"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4900 in the messages, 100 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400}"#,
                     #"{"error":{"message":"Requested tokens (5000) exceed context window of 2048","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
                     #"{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error","n_prompt_tokens":5000,"n_ctx":4096}}"#,
                     #"{"object":"error","message":"The input (5000 tokens) is longer than the model's context length (4096 tokens).","type":"BadRequestError","param":null,"code":400}"#] {
            guard case .contextTooLong = map(400, body) else { return XCTFail(body) }
        }
        XCTAssertEqual(map(400, #"{"error":{"message":"temperature must be positive"}}"#), .badRequest(status: 400, message: "temperature must be positive"))
        XCTAssertEqual(map(503, "overloaded"), .serverError(status: 503, message: "overloaded"))
        XCTAssertEqual("\(map(500, #"{"detail":"boom\nline2."}"#))", "The server failed (HTTP 500: boom line2).")
    }

    func testLlamaServerSizesReachTheContextManager() {
        let body = #"{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error","n_prompt_tokens":5000,"n_ctx":4096}}"#
        let e = map(400, body)
        XCTAssertEqual("\(e)", "The conversation is too long for the model's context (the request exceeds the available context size, try increasing it (n_prompt_tokens 5000, n_ctx 4096)).")
        XCTAssertEqual(ContextOverflow(message: "\(e)"), ContextOverflow(contextLength: 4096, promptTokens: 5000))
    }

    func testContextOverflowFailureIsMarkedForTheContextManager() {
        let e = RemoteError.contextTooLong(message: "Requested tokens (5000) exceed context window of 2048.")
        XCTAssertEqual("\(e)", "The conversation is too long for the model's context (Requested tokens (5000) exceed context window of 2048).")
        XCTAssertTrue(ChatEvent.failed("\(e)").isContextTooLong)
        XCTAssertFalse(ChatEvent.failed("The server failed (HTTP 500).").isContextTooLong)
    }

    func testEndpointMustBeHTTP() {
        XCTAssertThrowsError(try RemoteBackend(RemoteConfiguration(endpoint: "ftp://x/v1"))) { e in
            XCTAssertEqual(e as? RemoteError, .invalidEndpoint("ftp://x/v1"))
        }
        XCTAssertThrowsError(try RemoteBackend(RemoteConfiguration(endpoint: "127.0.0.1:8000")))
    }

    func testApproximateCounterOverCountsAndLearnsFromUsage() {
        let c = ApproximateTokenCounter()
        XCTAssertFalse(c.isExact)
        XCTAssertEqual(c.countTokens(String(repeating: "a", count: 300)), 100)
        c.calibrate(bytes: 4000, tokens: 1000)     // 4 bytes/token observed → keeps 3.6
        XCTAssertEqual(c.countTokens(String(repeating: "a", count: 350)), 98)   // 350 / 3.6 = 97.2
        c.calibrate(bytes: 100, tokens: 1000)      // absurd figures stay within 2–4 bytes/token
        XCTAssertEqual(c.countTokens(String(repeating: "a", count: 200)), 100)
    }
}
