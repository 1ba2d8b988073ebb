// Our ids against llama.cpp's on the corpus of Tools/tokenizer/corpus.py (goldens made by make-goldens.py).
import Foundation
import XCTest
import GGUF
@testable import Tokenizer

final class GoldenCorpusTests: XCTestCase {
    struct Vocab { let name: String; let path: String; let pre: String? }
    struct Case { let vocab: String; let text: Int; let addBOS: Bool; let special: Bool; let ids: [Int] }
    struct Piece { let vocab: String; let id: Int; let special: Bool; let bytes: [UInt8] }
    struct Goldens {
        var texts: [[UInt8]] = [], vocabs: [Vocab] = [], cases: [Case] = [], pieces: [Piece] = []
        var bos: [String: (id: Int?, add: Bool)] = [:], eog: [String: Set<Int>] = [:], control: [String: Set<Int>] = [:]
    }

    static func ints(_ s: String) -> [Int] { s.split(separator: " ").map { Int($0)! } }

    static func load(_ url: URL = TestData.fixtures.appendingPathComponent("goldens.tsv")) throws -> Goldens {
        let s = try String(contentsOf: url, encoding: .utf8)
        var g = Goldens()
        for line in s.split(separator: "\n", omittingEmptySubsequences: true) {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch f[0] {
            case "T": g.texts.append([UInt8](Data(base64Encoded: f[2]) ?? Data()))
            case "V": g.vocabs.append(Vocab(name: f[1], path: f[2], pre: f[3] == "-" ? nil : f[3]))
            case "C": g.cases.append(Case(vocab: f[1], text: Int(f[2])!, addBOS: f[3] == "1", special: f[4] == "1", ids: ints(f[5])))
            case "B": g.bos[f[1]] = (Int(f[2])! >= 0 ? Int(f[2])! : nil, f[3] == "1")
            case "E": g.eog[f[1]] = Set(ints(f[2]))
            case "K": g.control[f[1]] = Set(ints(f[2]))
            case "P": g.pieces.append(Piece(vocab: f[1], id: Int(f[2])!, special: f[3] == "1", bytes: [UInt8](Data(base64Encoded: f[4])!)))
            default: XCTFail("bad golden line \(f[0])")
            }
        }
        return g
    }

    func check(_ name: String, goldens: URL? = nil) throws {
        let g = try goldens.map { try Self.load($0) } ?? Self.load()
        guard let v = g.vocabs.first(where: { $0.name == name }) else { return XCTFail("no goldens for \(name)") }
        let tok = try Tokenizer(gguf: try GGUFFile(path: try TestData.path(v.path)), preTokenizerOverride: v.pre)
        let cases = g.cases.filter { $0.vocab == name }
        XCTAssertGreaterThan(cases.count, goldens == nil ? 400 : 0)
        var bad = 0
        for c in cases {
            let got = tok.encode(bytes: g.texts[c.text], parseSpecial: c.special, addBOS: c.addBOS)
            if got != c.ids {
                bad += 1
                if bad <= 5 {
                    XCTFail("\(name) text \(c.text) bos=\(c.addBOS) special=\(c.special) \(String(decoding: g.texts[c.text].prefix(80), as: UTF8.self).debugDescription): got \(got.prefix(40)), want \(c.ids.prefix(40))")
                }
            }
        }
        XCTAssertEqual(bad, 0, "\(name): \(bad) of \(cases.count) cases differ from llama.cpp")

        // Vocabulary facts and token pieces, when the golden file has them.
        if let b = g.bos[name] {
            XCTAssertEqual(tok.bosID, b.id, "\(name) BOS")
            XCTAssertEqual(tok.addBOS, b.add, "\(name) add_bos")
        }
        if let e = g.eog[name] { XCTAssertEqual(tok.stopIDs, e, "\(name) end-of-generation ids") }
        if let k = g.control[name] {
            XCTAssertEqual(Set((0..<tok.vocabSize).filter { tok.isControl($0) }), k, "\(name) control tokens")
        }
        var badPieces = 0
        for p in g.pieces where p.vocab == name {
            let got = p.special ? tok.tokenBytes(p.id) : tok.decodeBytes([p.id], renderSpecial: false)
            if got != p.bytes {
                badPieces += 1
                if badPieces <= 5 { XCTFail("\(name) piece of \(p.id) special=\(p.special): got \(got), want \(p.bytes)") }
            }
        }
        XCTAssertEqual(badPieces, 0, "\(name): \(badPieces) token pieces differ from llama.cpp")
    }

    func testLlamaBPE() throws { try check("llama-bpe") }
    func testGLM4PreTokenizerOnLlamaBPE() throws { try check("glm4-on-llama-bpe") }
    func testQwen2() throws { try check("qwen2") }
    func testGPT2() throws { try check("gpt-2") }
    func testDeepseekLLM() throws { try check("deepseek-llm") }
    func testDeepseekV3PreTokenizer() throws { try check("deepseek-v3-on-deepseek-llm") }
    func testSmolLM2() throws { try check("smollm2") }

    /// A larger golden file made by Tools/tokenizer/fuzz-goldens.py, when GLMCHAT_TOKENIZER_GOLDENS names one.
    func testExternalGoldens() throws {
        guard let p = ProcessInfo.processInfo.environment["GLMCHAT_TOKENIZER_GOLDENS"], !p.isEmpty else {
            throw XCTSkip("set GLMCHAT_TOKENIZER_GOLDENS to a file made by Tools/tokenizer/fuzz-goldens.py")
        }
        let url = URL(fileURLWithPath: p)
        for v in try Self.load(url).vocabs { try check(v.name, goldens: url) }
    }
}
