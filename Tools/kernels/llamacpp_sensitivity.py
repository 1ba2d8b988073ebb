#!/usr/bin/env python3
"""How far llama.cpp moves from its own engine goldens when only float summation order changes; and a dump of its
intermediate tensors, to find where another engine first parts from it.

Run: ~/.cache/glmchat/refvenv/bin/python Tools/kernels/llamacpp_sensitivity.py [fixture ...]
     ~/.cache/glmchat/refvenv/bin/python Tools/kernels/llamacpp_sensitivity.py --dump glm-q4_0 'kqv.*-1' out.npz

Mode 1 re-runs each quantized fixture of Tests/Fixtures/engine/manifest.json with llama.cpp's CPU "repack" buffers
turned off (use_extra_bufts = False: Q4_0, Q4_K, IQ4_NL and, on AVX-512, Q2_K then go through ggml_vec_dot_* instead
of the interleaved 8x8 GEMMs). Activation quantization is the same on both paths (x86: 127/amax, round half to even),
so only the float summation order of those matmuls changes; everything else is the golden's own setting (one
256-token batch, F32 KV cache, no flash attention, 1 thread). The printed max rel / top-1 against the golden is the
part of a fixture's gap that is llama.cpp's own sensitivity to 1-ulp noise, not a kernel difference.
With GGML_CPU_TILED_MM=0 in the environment, ggml's tiled K-quant GEMM (Q2_K..Q6_K, IQ4_XS at >= 8 batch rows) is
off as well and those types go through ggml_vec_dot_* too (again the same Q8_K activations, another float order).
Mode 2 (--dump) saves every graph tensor whose name matches the regex (F32/I32, strided views copied) to an .npz,
through llama.cpp's cb_eval callback (names as in llama.cpp's graph, e.g. 'kqv-1', 'kqv_mla-1', 'ffn_moe_topk-1').
"""
import contextlib, ctypes, json, os, re, sys
import numpy as np
import llama_cpp as L

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Fixtures", "engine")


def manifest():
    with open(os.path.join(ROOT, "manifest.json")) as f:
        return {e["name"]: e for e in json.load(f)["models"]}


def golden(e):
    g = e["goldens"]["llamacpp"]
    dt = np.float16 if g["dtype"] == "f16" else np.float32
    return np.fromfile(os.path.join(ROOT, g["file"]), dtype=dt).astype(np.float32).reshape(-1, e["n_vocab"])


def logits_without_repack(e):
    mp = L.llama_model_default_params()
    mp.use_extra_bufts = False
    model = L.llama_model_load_from_file(os.path.join(ROOT, e["file"]).encode(), mp)
    ctx = new_context(model, None)
    toks = e["tokens"]
    batch = L.llama_batch_init(len(toks), 0, 1)
    batch.n_tokens = len(toks)
    for i, t in enumerate(toks):
        batch.token[i] = t; batch.pos[i] = i; batch.n_seq_id[i] = 1; batch.seq_id[i][0] = 0; batch.logits[i] = 1
    assert L.llama_decode(ctx, batch) == 0
    out = np.ctypeslib.as_array(L.llama_get_logits(ctx), shape=(len(toks), e["n_vocab"])).copy()
    L.llama_batch_free(batch); L.llama_free(ctx); L.llama_model_free(model)
    return out


def new_context(model, cb):
    cp = L.llama_context_default_params()
    cp.n_ctx = cp.n_batch = cp.n_ubatch = 256
    cp.n_threads = cp.n_threads_batch = 1
    cp.type_k = cp.type_v = 0  # F32 KV cache
    cp.flash_attn_type = 0     # off
    if cb is not None:
        cp.cb_eval = cb; cp.cb_eval_user_data = None
    return L.llama_init_from_model(model, cp)


def dump(e, pattern, path):
    base = ctypes.CDLL(os.path.join(os.path.dirname(L.__file__), "lib", "libggml-base.so"))
    base.ggml_get_name.restype = ctypes.c_char_p; base.ggml_get_name.argtypes = [ctypes.c_void_p]
    base.ggml_get_data.restype = ctypes.c_void_p; base.ggml_get_data.argtypes = [ctypes.c_void_p]
    pat, out = re.compile(pattern), {}

    @L.ggml_backend_sched_eval_callback
    def cb(t, ask, _):
        name = base.ggml_get_name(t).decode()
        if ask or not pat.fullmatch(name):
            return bool(pat.fullmatch(name)) if ask else True
        dt = {0: np.float32, 26: np.int32}.get(ctypes.c_int32.from_address(t).value)  # ggml_tensor.type
        if dt is None:
            return True
        ne = [ctypes.c_int64.from_address(t + 16 + 8 * i).value for i in range(4)]   # ggml_tensor.ne
        nb = [ctypes.c_uint64.from_address(t + 48 + 8 * i).value for i in range(4)]  # ggml_tensor.nb
        span = sum((n - 1) * s for n, s in zip(ne, nb)) + np.dtype(dt).itemsize
        raw = bytes((ctypes.c_char * span).from_address(base.ggml_get_data(t)))
        out[name] = np.lib.stride_tricks.as_strided(np.frombuffer(raw, dtype=dt), shape=ne[::-1], strides=nb[::-1]).squeeze().copy()
        return True

    model = L.llama_model_load_from_file(os.path.join(ROOT, e["file"]).encode(), L.llama_model_default_params())
    ctx = new_context(model, cb)
    toks = (L.llama_token * len(e["tokens"]))(*e["tokens"])
    assert L.llama_decode(ctx, L.llama_batch_get_one(toks, len(e["tokens"]))) == 0
    np.savez(path, **out)
    L.llama_free(ctx); L.llama_model_free(model)
    print(f"{len(out)} tensors -> {path}")


def main():
    L.llama_backend_init()
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # llama.cpp's load log
    m = manifest()
    if sys.argv[1:2] == ["--dump"]:
        return dump(m[sys.argv[2]], sys.argv[3], sys.argv[4])
    names = sys.argv[1:] or [n for n, e in m.items() if e["quant"] not in ("F32", "BF16")]
    for n in names:
        e = m[n]
        ref, got = golden(e), logits_without_repack(e)
        rel = np.abs(got - ref).max(axis=1) / np.abs(ref).max(axis=1)
        first = int(np.argmax(rel > 1e-3)) if (rel > 1e-3).any() else None
        print(f"{n:15s} llama.cpp without repack vs its golden: max rel {rel.max():.2e}, "
              f"top-1 {100 * (got.argmax(1) == ref.argmax(1)).mean():.1f}%, first position > 1e-3: {first}")


if __name__ == "__main__":
    main()
