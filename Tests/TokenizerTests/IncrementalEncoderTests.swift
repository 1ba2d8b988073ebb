// Incremental encoding reuses the ids of an unchanged prefix: on seeded random chat-like prompts and random
// edits (appends, changes near the end or in the middle, special tokens and whitespace next to them), its
// ids always equal a full encode.
import Foundation
import XCTest
@testable import Tokenizer

final class IncrementalEncoderTests: XCTestCase {
    /// A prompt of random text between the vocabulary's special tokens, as a chat template writes them.
    func randomPrompt(_ rng: inout SplitMix, specials: [String], parts: Int) -> String {
        var s = ""
        for _ in 0..<parts {
            s += specials[Int(rng.next() % UInt64(specials.count))]
            if rng.next() % 4 == 0 { s += [" ", "\n", "  \n"][Int(rng.next() % 3)] }
            s += TokenizerBehaviourTests.randomText(&rng, maxLength: 80)
        }
        return s
    }

    /// One random edit of `text`.
    func edit(_ text: String, _ rng: inout SplitMix, specials: [String]) -> String {
        var chars = Array(text)
        let at = chars.isEmpty ? 0 : Int(rng.next() % UInt64(chars.count + 1))
        switch rng.next() % 5 {
        case 0: return text + randomPrompt(&rng, specials: specials, parts: 1 + Int(rng.next() % 3))
        case 1: return String(chars.prefix(at)) + randomPrompt(&rng, specials: specials, parts: 1)
        case 2:
            let end = min(chars.count, at + Int(rng.next() % 20))
            chars.replaceSubrange(at..<end, with: Array(TokenizerBehaviourTests.randomText(&rng, maxLength: 10)))
            return String(chars)
        case 3:
            chars.insert(contentsOf: Array(specials[Int(rng.next() % UInt64(specials.count))] + " "), at: at)
            return String(chars)
        default: return String(chars.prefix(at))
        }
    }

    func testIncrementalEqualsFullOnRandomEdits() throws {
        for path in ["models/SmolLM2-135M-Instruct.Q4_1.gguf", "vocab/ggml-vocab-llama-bpe.gguf", "vocab/ggml-vocab-qwen2.gguf"] {
            let tok = try TestData.tokenizer(try TestData.path(path))
            let specials = (0..<tok.vocabSize).filter { tok.isControl($0) }.prefix(12).map { String(decoding: tok.tokenBytes($0), as: UTF8.self) }
            XCTAssertFalse(specials.isEmpty, path)
            var rng = SplitMix(seed: 21)
            var enc = IncrementalEncoder(tokenizer: tok)
            var text = randomPrompt(&rng, specials: specials, parts: 6)
            var reused = 0
            for step in 0..<300 {
                text = step % 7 == 0 ? randomPrompt(&rng, specials: specials, parts: 6) : edit(text, &rng, specials: specials)
                let full = tok.encode(text, parseSpecial: true)
                let got = enc.encode(text)
                XCTAssertEqual(got, full, "\(path) step \(step): \(text.debugDescription)")
                if got != full { break }
                if enc.encode(text) == full { reused += 1 }   // the same text again comes from memory
            }
            XCTAssertEqual(reused, 300, path)
        }
    }

    func testTheUnchangedPrefixIsNotEncodedAgain() throws {
        let tok = try TestData.tokenizer(try TestData.path("models/SmolLM2-135M-Instruct.Q4_1.gguf"))
        var enc = IncrementalEncoder(tokenizer: tok)
        let turn = "<|im_start|>user\n" + String(repeating: "tell me about tides ", count: 50) + "<|im_end|>\n"
        let long = String(repeating: turn, count: 200) + "<|im_start|>assistant\n"
        XCTAssertEqual(enc.encode(long), tok.encode(long, parseSpecial: true))
        // The next turn's prompt: everything before its last "<|im_start|>" is reused.
        let next = String(long.dropLast("<|im_start|>assistant\n".count)) + "<|im_start|>assistant\nThe moon.<|im_end|>\n" + turn + "<|im_start|>assistant\n"
        XCTAssertEqual(enc.encode(next), tok.encode(next, parseSpecial: true))
        XCTAssertGreaterThan(enc.lastReusedBytes, long.utf8.count - 40)
    }
}
