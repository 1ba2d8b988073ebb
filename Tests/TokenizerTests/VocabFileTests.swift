// llama.cpp's own tokenizer tests: every BPE ggml-vocab-*.gguf with .inp/.out pairs must give the expected ids.
import Foundation
import XCTest
import GGUF
@testable import Tokenizer

final class VocabFileTests: XCTestCase {
    /// Test cases of one vocabulary: the .inp file split at "\n__ggml_vocab_test__\n", the .out file by lines.
    static func cases(_ vocabPath: String) throws -> [(input: [UInt8], ids: [Int])] {
        let inp = [UInt8](try Data(contentsOf: URL(fileURLWithPath: vocabPath + ".inp")))
        let out = try String(contentsOfFile: vocabPath + ".out", encoding: .utf8)
        let sep = Array("\n__ggml_vocab_test__\n".utf8)
        var inputs: [[UInt8]] = []
        var pos = 0
        while pos < inp.count {
            var next = -1
            var i = pos
            while i + sep.count <= inp.count {
                if inp[i] == sep[0] && Array(inp[i..<i + sep.count]) == sep { next = i; break }
                i += 1
            }
            if next < 0 { inputs.append(Array(inp[pos...])); break }
            inputs.append(Array(inp[pos..<next]))
            pos = next + sep.count
        }
        var lines = out.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        XCTAssertEqual(inputs.count, lines.count, "\(vocabPath): inputs and outputs differ in number")
        return zip(inputs, lines).map { i, l in
            (i, l.split(separator: " ").compactMap { Int($0) })
        }
    }

    func check(_ name: String) throws {
        let path = try TestData.path("vocab/ggml-vocab-\(name).gguf")
        let tok = try TestData.tokenizer(path)
        let cases = try Self.cases(path)
        XCTAssertGreaterThan(cases.count, 10)
        var failures = 0
        for c in cases {
            let got = tok.encode(bytes: c.input, parseSpecial: false, addBOS: false)
            if got != c.ids {
                failures += 1
                XCTFail("\(name): \(String(decoding: c.input, as: UTF8.self).debugDescription): got \(got), want \(c.ids)")
            }
        }
        XCTAssertEqual(failures, 0, "\(name): \(failures) of \(cases.count) cases differ")
    }

    func testLlamaBPE() throws { try check("llama-bpe") }
    func testQwen2() throws { try check("qwen2") }
    func testQwen35() throws { try check("qwen35") }
    func testGPT2() throws { try check("gpt-2") }
    func testMPT() throws { try check("mpt") }
    func testStarcoder() throws { try check("starcoder") }
    func testRefact() throws { try check("refact") }
    func testCommandR() throws { try check("command-r") }
    func testFalcon() throws { try check("falcon") }
    func testDeepseekLLM() throws { try check("deepseek-llm") }
    func testDeepseekCoder() throws { try check("deepseek-coder") }

    /// Non-BPE vocabularies are refused with a clear error, not tokenized wrongly.
    func testUnsupportedModelsAreRefused() throws {
        for (name, model) in [("llama-spm", "llama"), ("phi-3", "llama"), ("bert-bge", "bert"), ("nomic-bert-moe", "t5"), ("gemma-4", "gemma4")] {
            let path = try TestData.path("vocab/ggml-vocab-\(name).gguf")
            XCTAssertThrowsError(try Tokenizer(gguf: try GGUFFile(path: path))) { e in
                XCTAssertEqual(e as? TokenizerError, .unsupportedModel(model))
                XCTAssertTrue("\(e)".contains("not supported"))
            }
        }
    }
}
