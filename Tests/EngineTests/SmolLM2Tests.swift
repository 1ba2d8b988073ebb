// Real weights: SmolLM2-135M-Instruct Q4_1 must greedy-generate llama.cpp's 64 tokens for fixed prompts.
import XCTest
@testable import Engine

final class SmolLM2Tests: XCTestCase {
    func testGreedyMatchesLlamaCpp() throws {
        let path = try TestData.file("models/SmolLM2-135M-Instruct.Q4_1.gguf")
        guard let golden = try TestData.json("smollm2/greedy.json", own: true) as? [String: Any],
              let cases = golden["cases"] as? [[String: Any]] else { return XCTFail("greedy.json is malformed") }
        let model = try Model(path: path, threads: 2)
        XCTAssertEqual(model.config.arch, .llama)
        let session = try Session(model: model, contextLength: 512)
        var totalMatched = 0, total = 0
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let prompt = (c["prompt"] as? [Int]) ?? [], want = (c["generated"] as? [Int]) ?? []
            let top5 = (c["top5"] as? [[[Double]]]) ?? []
            session.truncate(to: 0)
            var logits = try session.prefill(prompt)
            var got: [Int] = [], maxDiff: Float = 0
            for step in 0..<want.count {
                var best = 0
                for i in logits.indices where logits[i] > logits[best] { best = i }
                if step < top5.count, let ref = top5[step].first, Int(ref[0]) == best {
                    maxDiff = max(maxDiff, abs(logits[best] - Float(ref[1])))
                }
                got.append(best)
                if best != want[step] { break }
                logits = try session.decode(best)
            }
            let matched = zip(got, want).prefix { $0 == $1 }.count
            totalMatched += matched; total += want.count
            print("SmolLM2 \(name): \(matched)/\(want.count) tokens equal llama.cpp's; max |Δ top logit| \(maxDiff)")
            XCTAssertEqual(got, Array(want.prefix(got.count)), "\(name) diverges from llama.cpp at token \(matched)")
            XCTAssertEqual(matched, want.count, "\(name)")
        }
        print("SmolLM2 greedy: \(totalMatched)/\(total) tokens equal llama.cpp's")
    }
}
