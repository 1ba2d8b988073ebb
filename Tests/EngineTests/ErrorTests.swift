// Bad model files are refused with a typed error of one plain sentence, and the CLI exits 1 with it.
import XCTest
import GGUF
@testable import Engine

final class ErrorTests: XCTestCase {
    func load(_ name: String) throws -> Model {
        let path = TestData.own("errors/\(name)")
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("fixture errors/\(name) is missing") }
        return try Model(path: path, threads: 1)
    }

    func expect(_ name: String, _ error: EngineError, _ sentence: String) throws {
        XCTAssertThrowsError(try load(name)) { e in
            if e is XCTSkip { return }
            XCTAssertEqual(e as? EngineError, error, name)
            XCTAssertEqual("\(e)", sentence, name)
        }
    }

    func testBadFilesGiveOneSentence() throws {
        XCTAssertNoThrow(try load("ok.gguf"))
        try expect("wrong-arch.gguf", .unsupportedArchitecture("gpt2"), "the model architecture gpt2 is not supported (only deepseek2 and llama are).")
        try expect("missing-tensor.gguf", .missingTensor("blk.0.attn_k.weight"), "the model file lacks the tensor blk.0.attn_k.weight.")
        try expect("bad-shape.gguf", .badShape(tensor: "blk.0.attn_q.weight", expected: [32, 32], found: [32, 16]),
                   "the tensor blk.0.attn_q.weight has shape {32, 16}, expected {32, 32}.")
        try expect("unsupported-type.gguf", .unsupportedType(tensor: "blk.0.ffn_down.weight", type: "IQ2_XXS"),
                   "the tensor blk.0.ffn_down.weight has type IQ2_XXS, which glmchat cannot compute with.")
        try expect("missing-key.gguf", .missingKey("llama.attention.head_count"), "the model file lacks the metadata key llama.attention.head_count.")
    }

    /// The built `glmchat` binary (next to the test bundle) prints the sentence on stderr and exits 1.
    func testCommandExitsOneWithTheSentence() throws {
        let bin = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("glmchat").path
        let candidates = [bin] + ProcessInfo.processInfo.arguments.prefix(1).map {
            URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("glmchat").path
        }
        guard let exe = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("the glmchat binary is not built next to the tests")
        }
        let cases: [(String, [String], String)] = [
            ("wrong-arch.gguf", ["--tokens", "1,2"], "glmchat: the model architecture gpt2 is not supported (only deepseek2 and llama are).\n"),
            ("missing-tensor.gguf", ["--tokens", "1,2"], "glmchat: the model file lacks the tensor blk.0.attn_k.weight.\n"),
            ("ok.gguf", ["--tokens", "1,2,64"], "glmchat: token id 64 is outside the vocabulary of 64 tokens.\n"),
            ("ok.gguf", ["--tokens", (1...65).map(String.init).joined(separator: ",").replacingOccurrences(of: "64", with: "1").replacingOccurrences(of: "65", with: "1")],
             "glmchat: the input needs 65 tokens of context but the session holds only 64.\n"),
        ]
        for (file, args, want) in cases {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: exe)
            p.arguments = ["logits", "-m", TestData.own("errors/\(file)"), "--out", NSTemporaryDirectory() + "/glmchat-logits-\(getpid()).bin"] + args
            let err = Pipe()
            p.standardError = err
            p.standardOutput = Pipe()
            try p.run()
            p.waitUntilExit()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertEqual(p.terminationStatus, 1, file)
            XCTAssertEqual(text, want, file)
        }
    }
}
