#!/usr/bin/env python3
"""Writes the benchmark model: GLM-4.7-Flash's real layer sizes, 6 blocks, quantized by llama.cpp (Q4_K_M, Q8_0)."""
# The F32 source comes from Tools/fixtures/make_model.py's "glm-flash-6" preset (the same tensor names, shapes
# and metadata as the engine fixtures) but is streamed to disk tensor by tensor, in chunks of rows, so memory
# stays at a few hundred MB although the file is ~15 GB. Weights are seeded random normals with the
# generator's scales; the router is random too, so tokens spread over all 64 experts. The vocabulary is the
# Llama-3 BPE test vocabulary padded with unique filler tokens up to 154880 (the benchmark never tokenizes
# text). Quantization uses llama.cpp's own quantizer (llama_model_quantize from llama-cpp-python).
# Usage: make_bench_model.py OUT_DIR [--types Q4_K_M,Q8_0] [--keep-f32]  → OUT_DIR/glm-flash-6-TYPE.gguf
from __future__ import annotations

import argparse
import ctypes
import os
import sys
import time

import numpy as np
import gguf

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import make_model as mm  # noqa: E402

PRESET = "glm-flash-6"
CHUNK_ELEMS = 1 << 24          # 64 MB of F32 per write
POOL_ELEMS = (1 << 24) + 4093  # random normals reused at random offsets (generation would dominate otherwise)


class Lazy:
    """A tensor of N(mean, std²) numbers produced chunk by chunk at write time (numpy shape order)."""
    def __init__(self, shape, std: float, mean: float = 0.0):
        self.shape = tuple(int(s) for s in shape)
        self.std, self.mean = float(std), float(mean)

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape)) * 4


class LazyRNG:
    """Passes small draws to numpy; large standard_normal draws become Lazy tensors."""
    def __init__(self, rng):
        self.rng = rng

    def standard_normal(self, shape):
        n = int(np.prod(shape))
        return Lazy(shape, 1.0) if n > CHUNK_ELEMS else self.rng.standard_normal(shape)

    def __getattr__(self, name):
        return getattr(self.rng, name)


class LazyWeights(mm.Weights):
    """make_model.Weights that records large tensors instead of drawing them."""
    def __init__(self, seed: int):
        super().__init__(seed)
        self.rng = LazyRNG(self.rng)

    def add(self, name, arr):
        self.tensors.append((name, arr if isinstance(arr, Lazy) else np.ascontiguousarray(arr, dtype=np.float32)))

    def mat(self, name, ne0, *ne_rest, scale=1.0):
        self.tensors.append((name, Lazy(tuple(reversed((ne0,) + ne_rest)), scale / np.sqrt(ne0))))


def stream_write(path: str, arch: str, meta, weights: LazyWeights):
    """make_model.write, but tensor data is written in chunks (Lazy ones generated on the fly)."""
    w = gguf.GGUFWriter(path, arch)
    meta(w)
    for name, t in weights.tensors:
        w.add_tensor_info(name, t.shape, np.dtype(np.float32), t.nbytes)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    fout = w.fout[0]
    rng = np.random.default_rng(weights_seed[0])
    pool = rng.standard_normal(POOL_ELEMS, dtype=np.float32)
    total = sum(t.nbytes for _, t in weights.tensors)
    done, t0 = 0, time.time()
    for name, t in weights.tensors:
        w.write_padding(fout, fout.tell())
        if isinstance(t, Lazy):
            n = int(np.prod(t.shape))
            for start in range(0, n, CHUNK_ELEMS):
                m = min(CHUNK_ELEMS, n - start)
                off = int(rng.integers(0, POOL_ELEMS - m + 1))
                (pool[off:off + m] * np.float32(t.std) + np.float32(t.mean)).astype(np.float32).tofile(fout)
        else:
            t.tofile(fout)
        w.write_padding(fout, t.nbytes)
        done += t.nbytes
        print(f"  {name:40s} {done / 1e9:6.2f}/{total / 1e9:.2f} GB  {time.time() - t0:5.0f}s", file=sys.stderr, flush=True)
    w.close()


weights_seed = [7]


def padded_bpe_vocab(real):
    """make_model.bpe_vocab, padded with unique filler tokens when the test vocabulary is smaller than asked."""
    def vocab(n_bpe: int):
        toks, merges = real(n_bpe)
        toks = list(toks) + [f"Ġbenchpad{i}" for i in range(n_bpe - len(toks))]
        return toks, merges
    return vocab


def write_f32(path: str):
    c = mm.PRESETS[PRESET]()
    weights_seed[0] = c.seed
    mm.Weights, mm.write, mm.bpe_vocab = LazyWeights, stream_write, padded_bpe_vocab(mm.bpe_vocab)
    tmp = path + ".part"
    mm.make_glm(tmp, c, name=PRESET)
    os.replace(tmp, path)


FTYPES = {"Q4_K_M": 15, "Q8_0": 7, "Q4_0": 2, "Q5_K_M": 17, "Q6_K": 18, "F16": 1, "BF16": 32}


def quantize(src: str, dst: str, kind: str, threads: int):
    import llama_cpp
    p = llama_cpp.llama_model_quantize_default_params()
    p.nthread = threads
    p.ftype = FTYPES[kind]
    tmp = dst + ".part"
    rc = llama_cpp.llama_model_quantize(src.encode(), tmp.encode(), ctypes.byref(p))
    if rc != 0:
        raise SystemExit(f"llama.cpp could not quantize {src} to {kind} (code {rc}).")
    os.replace(tmp, dst)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out_dir")
    ap.add_argument("--types", default="Q4_K_M,Q8_0")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep-f32", action="store_true", help="keep the ~15 GB F32 source after quantizing")
    a = ap.parse_args(argv)
    os.makedirs(a.out_dir, exist_ok=True)
    kinds = [k for k in a.types.split(",") if k]
    for k in kinds:
        if k not in FTYPES:
            raise SystemExit(f"Unknown quantization {k!r} (known: {', '.join(FTYPES)}).")
    f32 = os.path.join(a.out_dir, f"{PRESET}-F32.gguf")
    todo = [k for k in kinds if not os.path.exists(os.path.join(a.out_dir, f"{PRESET}-{k}.gguf"))]
    if todo and not os.path.exists(f32):
        print(f"writing {f32}", file=sys.stderr)
        write_f32(f32)
    for k in todo:
        out = os.path.join(a.out_dir, f"{PRESET}-{k}.gguf")
        print(f"quantizing to {out}", file=sys.stderr)
        t0 = time.time()
        quantize(f32, out, k, a.threads)
        print(f"  done in {time.time() - t0:.0f}s", file=sys.stderr)
    if not a.keep_f32 and os.path.exists(f32):
        os.remove(f32)
    for k in kinds:
        print(os.path.join(a.out_dir, f"{PRESET}-{k}.gguf"))


if __name__ == "__main__":
    sys.exit(main())
