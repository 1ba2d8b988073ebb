#!/usr/bin/env python3
"""Golden vectors for the Kernels tests, made with gguf-py (gguf==0.19.0) and numpy.

Run: ~/.cache/glmchat/refvenv/bin/python Tools/kernels/make_goldens.py   (writes Tests/Fixtures/kernels/)

Per weight type T (ROWS x COLS matrix):
  T.w.bin      raw ggml blocks: gguf-py quantize() of seeded Gaussian data where gguf-py can quantize T,
               otherwise seeded random bytes with valid finite f16 scale fields
  T.deq.f32    gguf-py dequantize() of those blocks (float32, ROWS*COLS)
  T.y64.f64    exact math: dequantized W (float64) @ x (float64)
  T.yq.f64     llama.cpp's quantized path in float64: W_deq @ dequant(xq) with xq = x quantized to T's
               vec_dot type by the reference quantizer (Q8_1 types also use the block sums s as ggml does)
Shared:
  x.f32        the activation (COLS)
  act.f32      an activation of ACT_N numbers with an all-zero 256-block (quantizer edge case)
  act.q8_0.bin gguf-py quantize(act, Q8_0)
  act.q8_1.bin / act.q8_K.bin  act quantized by numpy ports of ggml's quantize_row_q8_1_ref / q8_K_ref
  manifest.json  shapes and the type list
With llama.cpp's own libraries (llama-cpp-python==0.3.36 in the same venv), also:
  T.yllama.f64  llama.cpp's x86 ggml_vec_dot_* (the SIMD kernels it runs) on activations quantized by ggml's
                reference quantizer (quantize_row_*_ref: the same bytes our quantizer makes)
  T.ynative.f64 llama.cpp end to end on this CPU: its runtime activation quantizer (quantize_row_q8_0 etc.)
                plus its vec_dot
and the script asserts that ggml's dequantize_row_* equals gguf-py's and ggml's reference quantizers equal
the numpy ports above byte for byte.
"""
import ctypes
import json, os, sys
import numpy as np
from gguf import GGMLQuantizationType as Q, quants, GGML_QUANT_SIZES

ROWS, COLS, ACT_N, SEED = 8, 512, 1024, 20261123
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Fixtures", "kernels")

QUANTIZABLE = ["F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0"]
# type -> [(byte offset in block, kind)] of f16 scales to overwrite in random blocks ("d": signed, "m": positive)
RANDOM_BYTES = {
    "Q2_K": [(80, "d"), (82, "m")], "Q3_K": [(108, "d")], "Q4_K": [(0, "d"), (2, "m")],
    "Q5_K": [(0, "d"), (2, "m")], "Q6_K": [(208, "d")], "IQ4_NL": [(0, "d")], "IQ4_XS": [(0, "d")],
}
VEC_DOT = {"F32": "F32", "F16": "F16", "BF16": "BF16", "Q4_0": "Q8_0", "Q5_0": "Q8_0", "Q8_0": "Q8_0",
           "IQ4_NL": "Q8_0", "Q4_1": "Q8_1", "Q5_1": "Q8_1", "Q2_K": "Q8_K", "Q3_K": "Q8_K", "Q4_K": "Q8_K",
           "Q5_K": "Q8_K", "Q6_K": "Q8_K", "IQ4_XS": "Q8_K"}
TYPES = ["F32"] + QUANTIZABLE + list(RANDOM_BYTES)


def np_roundf(n):  # C roundf: half away from zero
    a = np.abs(n); f = np.floor(a)
    return np.sign(n) * (f + np.floor(2 * (a - f)))


def q8_1(x):
    """ggml quantize_row_q8_1_ref: per 32: d = amax/127, q = roundf(x/d), s = f16(sum(q)*d). -> (bytes, d32, q, s16)"""
    b = x.astype(np.float32).reshape(-1, 32)
    d = (np.abs(b).max(axis=1, keepdims=True) / np.float32(127)).astype(np.float32)
    with np.errstate(divide="ignore"):
        idv = np.where(d == 0, np.float32(0), np.float32(1) / d).astype(np.float32)
    q = np_roundf((b * idv).astype(np.float32)).astype(np.int8)
    s = (q.astype(np.int32).sum(axis=1, keepdims=True).astype(np.float32) * d).astype(np.float32)
    out = np.concatenate([d.astype(np.float16).view(np.uint8), s.astype(np.float16).view(np.uint8), q.view(np.uint8)], axis=1)
    return out.tobytes(), d.astype(np.float16).astype(np.float64), q, s.astype(np.float16).astype(np.float64)


def q8_K(x):
    """ggml quantize_row_q8_K_ref: per 256: iscale = -127/max (signed max by |x|), q = min(127, rint(iscale*x)),
    d = 1/iscale (f32), bsums over 16. All-zero blocks: everything 0. -> (bytes, dequantized float64)"""
    b = x.astype(np.float32).reshape(-1, 256)
    out, deq = bytearray(), []
    for blk in b:
        idx = int(np.argmax(np.abs(blk)))  # first index of the largest |x|, as the C loop (strict >)
        mx = blk[idx]
        if mx == 0:
            out += b"\0" * 292; deq.append(np.zeros(256)); continue
        iscale = np.float32(-127.0) / mx
        q = np.minimum(127, np.rint((iscale * blk).astype(np.float32))).astype(np.int8)
        d = np.float32(1.0) / iscale
        bs = q.astype(np.int32).reshape(16, 16).sum(axis=1).astype(np.int16)
        out += np.float32(d).tobytes() + q.tobytes() + bs.tobytes()
        deq.append(np.float64(d) * q.astype(np.float64))
    return bytes(out), np.concatenate(deq)


def q8_0(x):
    raw = quants.quantize(x.astype(np.float32).reshape(1, -1), Q.Q8_0)
    return raw.tobytes(), quants.dequantize(raw, Q.Q8_0).astype(np.float64).ravel()


def make_weights(name, rng):
    t = Q[name]
    if name == "F32":
        w = rng.standard_normal((ROWS, COLS)).astype(np.float32)
        return w.tobytes(), w
    if name in QUANTIZABLE:
        w = (rng.standard_normal((ROWS, COLS)) * 0.5).astype(np.float32)
        raw = quants.quantize(w, t)
    else:
        bs, ts = GGML_QUANT_SIZES[t]
        nb = ROWS * COLS // bs
        raw = rng.integers(0, 256, size=(nb, ts), dtype=np.uint8)
        for off, kind in RANDOM_BYTES[name]:
            v = rng.uniform(0.002, 0.05, size=nb)
            if kind == "d":
                v *= rng.choice([-1.0, 1.0], size=nb)
            raw[:, off:off + 2] = v.astype(np.float16).view(np.uint8).reshape(nb, 2)
        raw = raw.reshape(ROWS, -1)
    deq = quants.dequantize(raw, t).astype(np.float32).reshape(ROWS, COLS)
    return raw.tobytes(), deq


def quantized_path(name, raw, deq, x):
    """y as ggml's reference vec_dot computes it, in float64 (only the float summation order differs)."""
    W = deq.astype(np.float64)
    vt = VEC_DOT[name]
    if vt == "F32":
        return W @ x.astype(np.float64)
    if vt == "F16":
        return W @ x.astype(np.float16).astype(np.float64)
    if vt == "BF16":
        xb = quants.dequantize(quants.quantize(x.reshape(1, -1), Q.BF16), Q.BF16).astype(np.float64).ravel()
        return W @ xb
    if vt == "Q8_0":
        return W @ q8_0(x)[1]
    if vt == "Q8_K":
        return W @ q8_K(x)[1]
    # Q8_1: sum_j W_j * xq_j, except that the min term m*dx*sum(q) is m*s in ggml
    _, d, q, s = q8_1(x)
    xq = (d * q.astype(np.float64)).ravel()
    y = W @ xq
    bs, ts = GGML_QUANT_SIZES[Q[name]]
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(ROWS, COLS // bs, ts)
    m = blocks[:, :, 2:4].copy().view(np.float16).astype(np.float64)[:, :, 0]  # (rows, nblocks)
    corr = (s.ravel() - d.ravel() * q.astype(np.int64).sum(axis=1))  # s - dx*sum(q) per block
    return y + (m * corr[None, :]).sum(axis=1)


class GGML:
    """ctypes access to llama.cpp's libggml-base / libggml-cpu from the llama_cpp package."""
    def __init__(self):
        import llama_cpp
        d = os.path.join(os.path.dirname(llama_cpp.__file__), "lib")
        self.base = ctypes.CDLL(os.path.join(d, "libggml-base.so"), mode=ctypes.RTLD_GLOBAL)
        self.cpu = ctypes.CDLL(os.path.join(d, "libggml-cpu.so"), mode=ctypes.RTLD_GLOBAL)
        self.cpu.ggml_cpu_init()

    @staticmethod
    def ptr(a):
        return a.ctypes.data_as(ctypes.c_void_p)

    def quantize(self, vt, x, native):
        if vt == "F32":
            return x.astype(np.float32).copy()
        if vt == "F16":
            return x.astype(np.float16)  # F16C / round-to-nearest-even, as ggml
        if vt == "BF16":
            return quants.quantize(x.reshape(1, -1), Q.BF16).ravel()
        bs, ts = GGML_QUANT_SIZES[Q[vt]]
        if vt == "Q8_1":
            ts = 36  # ggml's block_q8_1 is {f16 d, f16 s, 32 x i8}; gguf-py's table still says 40 (old f32 layout)
        out = np.zeros(len(x) // bs * ts, dtype=np.uint8)
        name = "quantize_row_" + vt.lower().replace("q8_k", "q8_K")
        fn = getattr(self.cpu, name) if native else getattr(self.base, name + "_ref")
        fn(self.ptr(np.ascontiguousarray(x, dtype=np.float32)), self.ptr(out), ctypes.c_int64(len(x)))
        return out

    def vec_dot(self, name, vt, raw_row, xq, n):
        if name in ("F32", "F16", "BF16"):
            fn = getattr(self.cpu, "ggml_vec_dot_" + name.lower())
        else:
            fn = getattr(self.cpu, f"ggml_vec_dot_{name.lower().replace('_k', '_K')}_{vt.lower().replace('q8_k', 'q8_K')}")
        s = ctypes.c_float(0)
        fn(ctypes.c_int(n), ctypes.byref(s), ctypes.c_size_t(0), self.ptr(raw_row), ctypes.c_size_t(0), self.ptr(xq), ctypes.c_size_t(0), ctypes.c_int(1))
        return float(s.value)

    def dequantize(self, name, raw_rows, n):
        out = np.zeros(n, dtype=np.float32)
        getattr(self.base, "dequantize_row_" + name.lower().replace("_k", "_K"))(self.ptr(raw_rows), self.ptr(out), ctypes.c_int64(n))
        return out


def llama_goldens(ggml, rng_x, act):
    x = rng_x
    for name in TYPES:
        vt = VEC_DOT[name]
        raw = np.fromfile(os.path.join(OUT, f"{name}.w.bin"), dtype=np.uint8).reshape(ROWS, -1)
        if name not in ("F32", "F16", "BF16"):
            deq = np.fromfile(os.path.join(OUT, f"{name}.deq.f32"), dtype=np.float32)
            mine = ggml.dequantize(name, np.ascontiguousarray(raw), ROWS * COLS)
            ulps = np.abs(mine.view(np.int32).astype(np.int64) - deq.view(np.int32).astype(np.int64))
            assert ulps.max() <= 1, f"{name}: ggml dequantize differs from gguf-py by {ulps.max()} ulp"
        for native, suffix in ((False, "yllama"), (True, "ynative")):
            xq = ggml.quantize(vt, x, native)
            y = [ggml.vec_dot(name, vt, np.ascontiguousarray(raw[r]), xq, COLS) for r in range(ROWS)]
            np.array(y, dtype=np.float64).tofile(os.path.join(OUT, f"{name}.{suffix}.f64"))
    for vt, port in (("Q8_1", q8_1(act)[0]), ("Q8_K", q8_K(act)[0]), ("Q8_0", q8_0(act)[0])):
        ref = ggml.quantize(vt, act, native=False).tobytes()
        assert ref == port, f"ggml quantize_row_{vt}_ref differs from the numpy port"


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal(COLS).astype(np.float32)
    x.tofile(os.path.join(OUT, "x.f32"))
    for name in TYPES:
        raw, deq = make_weights(name, rng)
        open(os.path.join(OUT, f"{name}.w.bin"), "wb").write(raw)
        deq.astype(np.float32).tofile(os.path.join(OUT, f"{name}.deq.f32"))
        (deq.astype(np.float64) @ x.astype(np.float64)).tofile(os.path.join(OUT, f"{name}.y64.f64"))
        quantized_path(name, raw, deq, x).astype(np.float64).tofile(os.path.join(OUT, f"{name}.yq.f64"))
    act = (rng.standard_normal(ACT_N) * 3).astype(np.float32)
    act[256:512] = 0
    act[40] = -abs(act).max() * 1.5  # a negative maximum in the first Q8_K block
    act.tofile(os.path.join(OUT, "act.f32"))
    open(os.path.join(OUT, "act.q8_0.bin"), "wb").write(q8_0(act)[0])
    open(os.path.join(OUT, "act.q8_1.bin"), "wb").write(q8_1(act)[0])
    open(os.path.join(OUT, "act.q8_K.bin"), "wb").write(q8_K(act)[0])
    try:
        ggml = GGML()
    except (ImportError, OSError) as e:
        sys.exit(f"llama.cpp's libraries are needed for the llama.cpp goldens: {e}")
    llama_goldens(ggml, x, act)
    json.dump({"rows": ROWS, "cols": COLS, "act_n": ACT_N, "seed": SEED, "types": TYPES, "vec_dot": VEC_DOT},
              open(os.path.join(OUT, "manifest.json"), "w"), indent=1)
    print("wrote", len(TYPES), "types to", os.path.normpath(OUT))


if __name__ == "__main__":
    sys.exit(main())
