#!/usr/bin/env python3
"""Writes the 6-block real-size benchmark model as Q8_0 with gguf-py alone (no llama.cpp build needed)."""
# The same tensors, shapes, metadata and seeded weights as make_bench_model.py's F32 source, but every large
# tensor (the ones make_bench_model streams: experts, embeddings, output head, block 0's dense FFN) is written
# as Q8_0, quantized chunk by chunk here in numpy (round to nearest, scale = max|x| / 127 per block of 32, as
# ggml's reference quantizer); the small ones (attention, shared expert, norms, router) stay F32. About 4 GB,
# a few minutes, memory a few hundred MB. The resume benchmark (Tools/bench/resume.sh) uses it when
# llama.cpp's quantizer (scripts/refvenv) is not built.
# Usage: make_bench_model_q8.py OUT_DIR  → OUT_DIR/glm-flash-6-Q8_0-ggufpy.gguf
from __future__ import annotations

import os
import sys
import time

import numpy as np
import gguf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_bench_model as mb  # noqa: E402

QK = 32


def q8_0(x: np.ndarray) -> np.ndarray:
    """(n,) f32, n a multiple of 32 → (n / 32, 34) bytes: f16 scale then 32 int8."""
    b = x.reshape(-1, QK)
    d = np.abs(b).max(axis=1, keepdims=True) / np.float32(127)
    inv = np.divide(np.float32(1), d, out=np.zeros_like(d), where=d != 0)
    out = np.empty((b.shape[0], 2 + QK), dtype=np.uint8)
    out[:, :2] = d.astype(np.float16).view(np.uint8)
    out[:, 2:] = np.rint(b * inv).astype(np.int8).view(np.uint8)
    return out


def stream_write_q8(path: str, arch: str, meta, weights):
    """make_bench_model.stream_write with the Lazy (large) tensors stored as Q8_0."""
    w = gguf.GGUFWriter(path, arch)
    meta(w)
    for name, t in weights.tensors:
        if isinstance(t, mb.Lazy):
            assert t.shape[-1] % QK == 0 and mb.CHUNK_ELEMS % QK == 0
            n = int(np.prod(t.shape))
            w.add_tensor_info(name, t.shape, np.dtype(np.float32), n // QK * (2 + QK), raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        else:
            w.add_tensor_info(name, t.shape, np.dtype(np.float32), t.nbytes)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    fout = w.fout[0]
    rng = np.random.default_rng(mb.weights_seed[0])
    pool = rng.standard_normal(mb.POOL_ELEMS, dtype=np.float32)
    t0 = time.time()
    for name, t in weights.tensors:
        w.write_padding(fout, fout.tell())
        if isinstance(t, mb.Lazy):
            n = int(np.prod(t.shape))
            for start in range(0, n, mb.CHUNK_ELEMS):
                m = min(mb.CHUNK_ELEMS, n - start)
                off = int(rng.integers(0, mb.POOL_ELEMS - m + 1))
                q8_0(pool[off:off + m] * np.float32(t.std) + np.float32(t.mean)).tofile(fout)
            nbytes = n // QK * (2 + QK)
        else:
            t.tofile(fout)
            nbytes = t.nbytes
        w.write_padding(fout, nbytes)
        print(f"  {name:40s} {time.time() - t0:5.0f}s", file=sys.stderr, flush=True)
    w.close()


def main(argv=None):
    out_dir = (argv or sys.argv[1:] or [None])[0]
    if not out_dir:
        raise SystemExit("usage: make_bench_model_q8.py OUT_DIR")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{mb.PRESET}-Q8_0-ggufpy.gguf")
    if not os.path.exists(path):
        c = mb.mm.PRESETS[mb.PRESET]()
        mb.weights_seed[0] = c.seed
        mb.mm.Weights, mb.mm.write, mb.mm.bpe_vocab = mb.LazyWeights, stream_write_q8, mb.padded_bpe_vocab(mb.mm.bpe_vocab)
        tmp = path + ".part"
        mb.mm.make_glm(tmp, c, name=mb.PRESET)
        os.replace(tmp, path)
    print(path)


if __name__ == "__main__":
    sys.exit(main())
