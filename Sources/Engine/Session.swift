// One KV timeline of a model: prefill (reusing a common prefix), decode, truncate, teacher-forced logits.
import Foundation
import GGUF
import Kernels

public final class Session {
    public let model: Model
    public let config: ModelConfig
    /// Tokens the cache can hold.
    public let contextLength: Int
    /// Tokens evaluated per forward call during prefill.
    public let batchSize: Int
    /// deepseek2 attention in llama.cpp's exact float order (its non-flash x86 CPU path), bit for bit, instead of
    /// the flash-style kernel (~3× faster on long prompts; logits agree to float rounding). The llama path is always exact.
    public let exactAttention: Bool
    /// deepseek2's attention kernel (CK_MLA_*), the options' choice for this CPU.
    let attentionKernel: Int32
    /// What the KV cache holds. deepseek2's latent cache: IEEE f16 by default (as llama.cpp's default KV cache), half
    /// the memory (54 KB instead of 108 KB per token for GLM-4.7-Flash) and half the cache reads per decoded token;
    /// q8_0 halves it again (29 KB); f32 with exact attention. llama caches: f32.
    public var cacheType: EngineOptions.KVCacheType { cache.type }
    /// Bytes one cached token takes over all layers.
    public var cacheBytesPerToken: Int { cache.bytesPerToken }
    /// What the KV cache holds, in order.
    public internal(set) var tokens: [Int] = []

    /// The rows of `tokens` (swapped with a parked conversation's by `exchange`, see Session+Parking).
    var cache: KVCache
    let scratch: Scratch
    let rope: Rope
    let pool: ThreadPool
    /// The forward pass in flight is one token: `product` queues instead of running.
    private(set) var decoding = false
    /// (batch, vocab) logits of every row of a batch, allocated on first use by `evaluate`.
    private var allLogits: UnsafeMutablePointer<Float>?
    /// Called after each layer of a prefill batch with the layers done; false stops the batch (prefill's progress and
    /// its stop within a batch: a 512-token batch of a 47-layer model takes many seconds on a CPU).
    private var layerDone: ((Int) -> Bool)?

    /// Prompt tokens per forward pass, as llama.cpp's n_ubatch: more tokens per expert amortize each weight tile
    /// (Q8_0 prefill +2–3 % against 256), and deepseek2's expanded prompt attention expands the cache once per batch:
    /// 2,048 against 1,024 +7–24 % for an 8,192-token prompt (docs/PERFORMANCE.md session 24). Scratch grows ~0.2 MB a
    /// token at GLM-4.7-Flash sizes; a stopped prefill loses the batch it was in.
    public static let defaultBatchSize = 2048

    /// `contextLength` nil: the model's training context (reserved lazily: memory is committed as it fills).
    /// `cacheType` nil: the model's options (kvCache) for deepseek2 unless `exactAttention` (always f32, as llama).
    public init(model: Model, contextLength: Int?, batchSize: Int = Session.defaultBatchSize, exactAttention: Bool = false,
                cacheType: EngineOptions.KVCacheType? = nil) throws {
        self.model = model
        self.exactAttention = exactAttention
        config = model.config
        let n = contextLength ?? config.contextLength
        guard n > 0 else { throw EngineError.invalidConfig("the context length must be positive, not \(n).") }
        guard n <= config.contextLength else {
            throw EngineError.invalidConfig("the context length \(n) is larger than the model's \(config.contextLength) tokens.")
        }
        self.contextLength = n
        tokens.reserveCapacity(n)
        self.batchSize = max(1, min(batchSize, n))
        pool = model.pool
        attentionKernel = model.options.attentionKernel
        switch model.weights {
        case .deepseek2:
            cache = try KVCache(layers: config.blockCount, capacity: n, kWidth: config.kvLoraRank + config.ropeDims, vWidth: 0,
                                type: exactAttention ? .f32 : cacheType ?? model.options.kvCache)
            rope = Rope(config.rope)
        case .llama(let w):
            let width = config.headCountKV * config.keyLength
            cache = try KVCache(layers: config.blockCount, capacity: n, kWidth: width, vWidth: width)
            rope = Rope(config.rope, freqFactors: w.ropeFreqs)
        }
        let expands = Session.expandsAttention(model, exactAttention: exactAttention, tokens: self.batchSize)
        scratch = Scratch(config: config, batch: self.batchSize, context: n, threads: pool.threadCount,
                          exactScores: exactAttention || config.arch == .llama,
                          absorbed: expands ? (model.options.expandedPromptTokens ?? 1) - 1 : self.batchSize, expanded: expands)
    }

    deinit { allLogits?.deallocate() }

    /// Bytes of the KV cache when full, and of the session's working buffers.
    public var cacheBytes: Int { cache.bytes }
    public var scratchBytes: Int { scratch.bytes }

    /// Forgets every cached token from position `count` on.
    public func truncate(to count: Int) {
        if count < tokens.count { tokens.removeSubrange(max(0, count)...) }
    }

    /// Reuses the longest common prefix with `tokens`, computes the rest; returns logits(vocab) of the last token.
    public func prefill(_ prompt: [Int], progress: ((Int, Int) -> Void)? = nil, shouldStop: (() -> Bool)? = nil) throws -> [Float] {
        try prefill(prompt, progress: progress, shouldStop: shouldStop) { Array($0) }
    }

    /// As `prefill`, handing the last token's logits to `body` without copying them. `progress(done, total)` comes
    /// after every layer (fractions of a batch count as the tokens they stand for), so it moves at least every few
    /// seconds even on a 47-layer model; `shouldStop`, asked after every layer, ends it with `EngineError.stopped`,
    /// keeping the batches completed so far in the cache (the next prefill of the same prompt starts after them).
    public func prefill<R>(_ prompt: [Int], progress: ((Int, Int) -> Void)? = nil, shouldStop: (() -> Bool)? = nil,
                           _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        guard !prompt.isEmpty else { throw EngineError.emptyInput }
        try validate(prompt, extra: 0, replacing: true)
        var common = 0
        while common < tokens.count, common < prompt.count, tokens[common] == prompt[common] { common += 1 }
        // The last prompt token is always recomputed: its logits are the result.
        common = min(common, prompt.count - 1)
        truncate(to: common)
        var done = common
        progress?(done, prompt.count)
        defer { layerDone = nil }
        let layers = config.blockCount
        while done < prompt.count {
            if shouldStop?() == true { throw EngineError.stopped(computed: done) }
            let n = min(batchSize, prompt.count - done), base = done
            if progress != nil || shouldStop != nil {
                layerDone = { l in
                    if l < layers { progress?(base + n * l / layers, prompt.count) }
                    return shouldStop?() != true
                }
            }
            try prompt.withUnsafeBufferPointer { p in
                try run(UnsafeBufferPointer(rebasing: p[done..<done + n]), allRows: nil)
            }
            done += n
            progress?(done, prompt.count)
        }
        return try body(UnsafeBufferPointer(start: scratch.logits, count: config.vocabSize))
    }

    /// Appends one token; returns the logits(vocab) for the next position.
    public func decode(_ token: Int) throws -> [Float] { try decode(token) { Array($0) } }

    /// As `decode`, handing the logits to `body` without copying them (no allocation per token).
    public func decode<R>(_ token: Int, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        var t = token
        try validate(CollectionOfOne(token), extra: tokens.count, replacing: false)
        try withUnsafePointer(to: &t) { try run(UnsafeBufferPointer(start: $0, count: 1), allRows: nil) }
        return try body(UnsafeBufferPointer(start: scratch.logits, count: config.vocabSize))
    }

    /// Appends `input` (batched) and returns the logits of every one of its positions: (input.count, vocab) row-major.
    public func evaluate(_ input: [Int]) throws -> [Float] {
        guard !input.isEmpty else { throw EngineError.emptyInput }
        try validate(input, extra: tokens.count, replacing: false)
        let v = config.vocabSize
        if allLogits == nil { allLogits = .allocate(capacity: batchSize * v) }
        guard let buf = allLogits else { return [] }
        var out = [Float](repeating: 0, count: input.count * v)
        var done = 0
        while done < input.count {
            let n = min(batchSize, input.count - done)
            try input.withUnsafeBufferPointer { p in try run(UnsafeBufferPointer(rebasing: p[done..<done + n]), allRows: buf) }
            out.withUnsafeMutableBufferPointer { o in o.baseAddress!.advanced(by: done * v).update(from: buf, count: n * v) }
            done += n
        }
        return out
    }

    func validate<C: Collection>(_ ids: C, extra: Int, replacing: Bool) throws where C.Element == Int {
        let needed = (replacing ? 0 : extra) + ids.count
        guard needed <= contextLength else { throw EngineError.contextOverflow(needed: needed, limit: contextLength) }
        for id in ids where id < 0 || id >= config.vocabSize { throw EngineError.invalidToken(id: id, vocabSize: config.vocabSize) }
    }

    /// Runs `batch` tokens at positions tokens.count…, appends them, and writes the last row's logits to
    /// scratch.logits, or every row's logits to `allRows` (batch, vocab).
    private func run(_ batch: UnsafeBufferPointer<Int>, allRows: UnsafeMutablePointer<Float>?) throws {
        let n = batch.count, pos0 = tokens.count
        decoding = n == 1
        let s = scratch, e = config.embeddingLength
        let embd: WeightMatrix
        switch model.weights {
        case .deepseek2(let w): embd = w.tokenEmbd
        case .llama(let w): embd = w.tokenEmbd
        }
        for t in 0..<n {
            Quant.dequantizeRow(embd.type, embd.data + batch[t] * embd.rowBytes, s.x + t * e, count: e)
            rope.fillCache(pos: pos0 + t, s.ropeCache + t * config.ropeDims)
        }
        let norm: FloatVector, output: WeightMatrix
        switch model.weights {
        case .deepseek2(let w):
            for l in 0..<config.blockCount {
                deepseek2Layer(w.layers[l], l, n: n, pos0: pos0)
                if layerDone?(l + 1) == false { throw EngineError.stopped(computed: pos0) }
            }
            norm = w.outputNorm; output = w.output
        case .llama(let w):
            for l in 0..<config.blockCount {
                llamaLayer(w.layers[l], l, n: n, pos0: pos0)
                if layerDone?(l + 1) == false { throw EngineError.stopped(computed: pos0) }
            }
            norm = w.outputNorm; output = w.output
        }
        if let allRows {
            for t in 0..<n { Ops.rmsNorm(s.x + t * e, norm.pointer, s.xn + t * e, count: e, eps: config.rmsEps) }
            linear(output, s.xn, n: n, allRows)
            tokens.append(contentsOf: batch)
            let v = config.vocabSize
            s.logits.update(from: allRows + (n - 1) * v, count: v)
        } else {
            Ops.rmsNorm(s.x + (n - 1) * e, norm.pointer, s.xn, count: e, eps: config.rmsEps)
            matvec(output, s.xn, s.logits, pool: pool)
            tokens.append(contentsOf: batch)
        }
    }

    /// y(n, w.rows) = x(n, w.cols) · wᵀ: a matvec for one row, a matmul for more.
    @inline(__always) func linear(_ w: WeightMatrix, _ x: UnsafePointer<Float>, n: Int, _ y: UnsafeMutablePointer<Float>) {
        if n == 1 { matvec(w, x, y, pool: pool) } else { matmul(w, x, n: n, y, pool: pool) }
    }

    /// out(n, nEmbd) = rmsnorm of each row of x with `weight`.
    @inline(__always) func normRows(_ x: UnsafePointer<Float>, _ weight: FloatVector, _ out: UnsafeMutablePointer<Float>, n: Int, width: Int) {
        for t in 0..<n { Ops.rmsNorm(x + t * width, weight.pointer, out + t * width, count: width, eps: config.rmsEps) }
    }

    /// Y(q.n, ldy)[:, 0..<w.rows] = X · Wᵀ. While decoding one token the product is only queued: every queued
    /// product runs at the next `flush()`, in one parallel region.
    func product(_ w: WeightMatrix, _ q: QuantizedActivations, _ y: UnsafeMutablePointer<Float>, ldy: Int? = nil) {
        if decoding {
            precondition(q.n == 1, "a queued product takes one activation row")
            scratch.queued.append(MatvecJob(w, q, y))
        } else {
            matmulRows(w, q, n: q.n, y, ldy: ldy ?? w.rows, pool: pool)
        }
    }

    /// Runs the queued products.
    func flush() {
        guard !scratch.queued.isEmpty else { return }
        scratch.queued.withUnsafeBufferPointer { matvecs($0, pool: pool) }
        scratch.queued.removeAll(keepingCapacity: true)
    }

    /// Dense SwiGLU FFN on the n rows of `input`: out(n, nEmbd) = down(silu(gate(x)) · up(x)), scratch.ffnRows rows at a time.
    func ffn(_ f: FFNWeights, _ input: Activations, n: Int, _ out: UnsafeMutablePointer<Float>) {
        let s = scratch, ff = f.gate.rows
        let up = input.quantized(for: f.up, pool: pool), gate = input.quantized(for: f.gate, pool: pool)
        for r0 in stride(from: 0, to: n, by: s.ffnRows) {
            let m = min(s.ffnRows, n - r0)
            product(f.up, up.every(1, from: r0, count: m), s.ff2)
            product(f.gate, gate.every(1, from: r0, count: m), s.ff1)
            flush()
            Ops.swiglu(gate: s.ff1, up: s.ff2, out: s.ff3, count: m * ff)
            linear(f.down, s.ff3, n: m, out + r0 * f.down.rows)
        }
    }
}
