// Reading the context length and prompt size out of servers' "prompt too long" errors, worded as the
// servers' own sources word them.
import XCTest
@testable import Chat

final class ContextOverflowTests: XCTestCase {
    func testServerPhrasings() {
        let cases: [(String, Int?, Int?)] = [
            // llama-cpp-python (llama_cpp/server/errors.py), chat completions
            ("This model's maximum context length is 2048 tokens. However, you requested 2600 tokens (2600 in the messages, None in the completion). Please reduce the length of the messages or completion.", 2048, 2600),
            // vLLM (older), with a completion budget
            ("This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4900 in the messages, 100 in the completion). Please reduce the length of the messages or completion.", 4096, 4900),
            // vLLM (newer)
            ("This model's maximum context length is 32768 tokens. However, your request has 40001 input tokens. Please reduce the length of the input messages.", 32768, 40001),
            // SGLang
            ("The input (5000 tokens) is longer than the model's context length (4096 tokens).", 4096, 5000),
            ("Requested token count exceeds the model's maximum context length of 4096 tokens. You requested a total of 5100 tokens: 5000 tokens from the input messages and 100 tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.", 4096, 5000),
            // llama.cpp (llama-cpp-python's Llama), llama-server (newer and older with its extra fields)
            ("Requested tokens (5000) exceed context window of 2048", 2048, 5000),
            ("request (13392 tokens) exceeds the available context size (8192 tokens), try increasing it", 8192, 13392),
            ("the request exceeds the available context size, try increasing it (n_prompt_tokens 5000, n_ctx 4096)", 4096, 5000),
            // OpenAI
            ("This model's maximum context length is 128,000 tokens. However, your messages resulted in 130,512 tokens. Please reduce the length of the messages.", 128_000, 130_512),
            // No numbers
            ("prompt is too long", nil, nil),
            ("the request exceeds the available context size, try increasing it", nil, nil),
        ]
        for (text, ctx, prompt) in cases {
            let o = ContextOverflow(message: text)
            XCTAssertEqual(o.contextLength, ctx, text)
            XCTAssertEqual(o.promptTokens, prompt, text)
        }
    }

    func testReadsThroughTheFailedEventsWording() {
        guard case .failed(let m) = ChatEvent.contextTooLong("Requested tokens (5000) exceed context window of 2048") else { return XCTFail() }
        XCTAssertEqual(ContextOverflow(message: m), ContextOverflow(contextLength: 2048, promptTokens: 5000))
    }
}
