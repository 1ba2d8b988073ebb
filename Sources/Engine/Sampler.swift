// Token sampling: penalties, top-k, top-p, min-p, temperature (llama.cpp's chain order), greedy at temp 0, seeded RNG.
import Foundation

public struct SamplerParams: Sendable, Equatable {
    public var temperature: Float
    public var topK: Int                 // 0: off
    public var topP: Float               // 1: off
    public var minP: Float               // 0: off
    public var repeatPenalty: Float      // 1: off
    public var presencePenalty: Float    // 0: off
    public var frequencyPenalty: Float   // 0: off
    public var penaltyLastN: Int         // history tokens the penalties look at
    public var seed: UInt64

    public init(temperature: Float = 1.0, topK: Int = 0, topP: Float = 0.95, minP: Float = 0.01,
                repeatPenalty: Float = 1.0, presencePenalty: Float = 0, frequencyPenalty: Float = 0,
                penaltyLastN: Int = 64, seed: UInt64 = 0) {
        self.temperature = temperature; self.topK = topK; self.topP = topP; self.minP = minP
        self.repeatPenalty = repeatPenalty; self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty; self.penaltyLastN = penaltyLastN; self.seed = seed
    }

    /// GLM-4.7-Flash's recommended settings: temp 1.0, top-p 0.95, min-p 0.01, no penalties.
    public static let glmDefaults = SamplerParams()
    /// Always the most likely token.
    public static let greedy = SamplerParams(temperature: 0, topK: 0, topP: 1, minP: 0)
}

public struct Sampler {
    public let params: SamplerParams
    private var rng: SplitMix64
    // Reused across calls so sampling does not allocate per token once warmed up.
    private var work: [Float] = []
    private var cand: [Int] = []
    private var counts: [Int: Int] = [:]

    public init(params: SamplerParams) {
        self.params = params
        rng = SplitMix64(seed: params.seed)
    }

    public mutating func sample(_ logits: [Float], history: [Int]) -> Int {
        logits.withUnsafeBufferPointer { sample($0, history: history) }
    }

    public mutating func sample(_ logits: UnsafeBufferPointer<Float>, history: [Int]) -> Int {
        let n = logits.count
        guard n > 0 else { return 0 }
        let p = params
        let penalize = p.repeatPenalty != 1 || p.presencePenalty != 0 || p.frequencyPenalty != 0
        if work.count != n { work = [Float](repeating: 0, count: n) }
        work.withUnsafeMutableBufferPointer { w in _ = w.update(fromContentsOf: logits) }
        if penalize {
            counts.removeAll(keepingCapacity: true)
            for id in history.suffix(max(0, p.penaltyLastN)) where id >= 0 && id < n { counts[id, default: 0] += 1 }
            for (id, c) in counts {
                var l = work[id]
                if p.repeatPenalty != 1 { l = l > 0 ? l / p.repeatPenalty : l * p.repeatPenalty }
                l -= Float(c) * p.frequencyPenalty + p.presencePenalty
                work[id] = l
            }
        }
        if p.temperature <= 0 {
            var best = 0
            for i in 1..<n where work[i] > work[best] { best = i }
            return best
        }
        // Candidates that can matter: within 30 nats of the best (the rest weigh < n·e⁻³⁰ in total).
        var maxL = -Float.infinity
        for i in 0..<n where work[i] > maxL { maxL = work[i] }
        guard maxL.isFinite else { return 0 }
        var total = 0.0
        for i in 0..<n { total += Double(expf(work[i] - maxL)) }
        cand.removeAll(keepingCapacity: true)
        for i in 0..<n where work[i] >= maxL - 30 { cand.append(i) }
        cand.sort { work[$0] > work[$1] || (work[$0] == work[$1] && $0 < $1) }
        var keep = cand.count
        if p.topK > 0, p.topK < keep {
            keep = p.topK
            total = 0
            for i in 0..<keep { total += Double(expf(work[cand[i]] - maxL)) }
        }
        if p.topP < 1 {
            var cum = 0.0
            for i in 0..<keep {
                cum += Double(expf(work[cand[i]] - maxL)) / total
                if cum >= Double(p.topP) { keep = i + 1; break }
            }
        }
        if p.minP > 0 {
            let cut = maxL + logf(p.minP)
            var k = 0
            while k < keep, work[cand[k]] >= cut { k += 1 }
            keep = max(1, k)
        }
        // temperature, then draw
        var z = 0.0
        for i in 0..<keep { z += Double(expf((work[cand[i]] - maxL) / p.temperature)) }
        var u = rng.nextUnit() * z
        for i in 0..<keep {
            u -= Double(expf((work[cand[i]] - maxL) / p.temperature))
            if u <= 0 { return cand[i] }
        }
        return cand[keep - 1]
    }
}

/// A small seeded generator (SplitMix64): the same seed gives the same samples on every machine.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
