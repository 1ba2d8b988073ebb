// Rotary position embedding exactly as ggml computes it (YaRN ramp, magnitude factor, per-dimension
// frequency factors), for "normal" (adjacent pairs) and "neox" (half-split pairs) layouts.
import Foundation

struct Rope {
    let params: RopeParams
    let thetaScale: Float
    let corrLow: Float, corrHigh: Float
    /// (dims/2) divisors of each pair's frequency (llama 3 rope_freqs), or nil.
    let freqFactors: [Float]?

    init(_ p: RopeParams, freqFactors: [Float]? = nil) {
        params = p
        self.freqFactors = freqFactors
        thetaScale = powf(p.base, -2 / Float(p.dims))
        func corrDim(_ nRot: Float) -> Float {
            Float(p.dims) * logf(Float(p.origContext) / (nRot * 2 * Float.pi)) / (2 * logf(p.base))
        }
        corrLow = max(0, floorf(corrDim(p.betaFast)))
        corrHigh = min(Float(p.dims - 1), ceilf(corrDim(p.betaSlow)))
    }

    /// Fills `cache` (dims) with interleaved (cos, sin) for position `pos`, as ggml_rope_cache_init.
    func fillCache(pos: Int, _ cache: UnsafeMutablePointer<Float>) {
        var theta = Float(pos)
        let p = params
        var i0 = 0
        while i0 < p.dims {
            let ff = freqFactors?[i0 / 2] ?? 1
            let extrap = theta / ff
            let interp = p.freqScale * extrap
            var t = interp
            var mscale = p.attnFactor
            if p.extFactor != 0 {
                let y = (Float(i0 / 2) - corrLow) / max(0.001, corrHigh - corrLow)
                let ramp = (1 - min(1, max(0, y))) * p.extFactor
                t = (extrap * ramp).addingProduct(interp, 1 - ramp)          // contracted as in ggml
                mscale *= Float(1).addingProduct(0.1, logf(1 / p.freqScale))
            }
            cache[i0] = cosf(t) * mscale
            cache[i0 + 1] = sinf(t) * mscale
            theta *= thetaScale
            i0 += 2
        }
    }

    /// Rotates the first `dims` numbers of `x` in place using a cache from `fillCache`.
    func apply(_ x: UnsafeMutablePointer<Float>, cache: UnsafePointer<Float>, neox: Bool = false) {
        let n = params.dims
        var i0 = 0
        while i0 < n {
            let c = cache[i0], s = cache[i0 + 1]
            let a = neox ? i0 / 2 : i0, b = neox ? i0 / 2 + n / 2 : i0 + 1
            let x0 = x[a], x1 = x[b]
            // ggml is built with FMA contraction: x0·c − x1·s → fma(x0, c, −(x1·s)), x0·s + x1·c → fma(x0, s, x1·c)
            x[a] = (-(x1 * s)).addingProduct(x0, c)
            x[b] = (x1 * c).addingProduct(x0, s)
            i0 += 2
        }
    }
}
