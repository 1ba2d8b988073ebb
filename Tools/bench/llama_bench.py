#!/usr/bin/env python3
"""A reference engine's prefill and decode speed on a GGUF, as llama-bench measures it, optionally at depths."""
# The engine (llama.cpp or ik_llama.cpp, Tools/bench/ref_engines.py) is driven through its low-level API.
# Per depth D (ascending): the cache is extended to the first D tokens of one pseudo-random token stream in
# batches of n_ubatch, not timed (each depth reuses the cache of the one before). Then per repetition: keep
# the first D cached tokens, decode the next P tokens as one batch (ubatch 512, like llama-bench's defaults),
# then N single tokens (no sampling: the token fed is fixed, as llama-bench's tg test does). One warm-up
# repetition at the first depth is run first and not counted (it faults in the weights). Prints one JSON
# object per depth, one per line, shaped like `glmchat bench --json`.
# Usage: llama_bench.py MODEL.gguf [--engine llama.cpp|ik_llama.cpp] [-p 512] [-n 128] [-d 0,8192] [-t THREADS] [-r 3]
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ref_engines import ENGINES  # noqa: E402


def stats(xs):
    return {"min": min(xs), "median": statistics.median(xs), "max": max(xs)} if xs else {"min": 0, "median": 0, "max": 0}


def depth_list(text: str) -> list[int]:
    """`0,8192,32768` ascending without repeats; SystemExit with one sentence for anything else."""
    try:
        ds = sorted({int(x) for x in text.split(",")})
    except ValueError:
        ds = [-1]
    if not ds or ds[0] < 0:
        raise SystemExit(f"--depths takes whole numbers of at least 0 separated by commas (0,8192), not '{text}'.")
    return ds


def token_stream(count: int, n_vocab: int) -> list[int]:
    """The same pseudo-random tokens as `glmchat bench` (ids 16 ..< vocab)."""
    rng, out = 0x12345678, []
    for _ in range(count):
        rng = (rng * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
        out.append(16 + (rng >> 33) % max(1, n_vocab - 16))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("model")
    ap.add_argument("--engine", choices=sorted(ENGINES), default="llama.cpp")
    ap.add_argument("-p", type=int, default=512)
    ap.add_argument("-n", type=int, default=128)
    ap.add_argument("-d", "--depths", default="0", help="tokens already in the cache, comma-separated")
    ap.add_argument("-t", type=int, default=1)
    ap.add_argument("-r", type=int, default=3)
    ap.add_argument("--ubatch", type=int, default=512)
    a = ap.parse_args(argv)
    depths = depth_list(a.depths)
    if a.p < 1 or a.n < 0 or a.t < 1 or a.r < 1 or a.ubatch < 1:
        raise SystemExit("-p, -t, -r and --ubatch must be at least 1, -n at least 0.")

    ubatch = a.ubatch
    eng = ENGINES[a.engine](a.model, a.t, n_ctx=depths[-1] + a.p + a.n + 16, n_batch=max(a.p, ubatch), n_ubatch=ubatch)
    stream = token_stream(depths[-1] + a.p, eng.n_vocab)
    cached = 0  # tokens of `stream` the cache holds
    for i, d in enumerate(depths):
        eng.truncate(min(cached, d))
        cached = min(cached, d)
        while cached < d:  # not timed
            k = min(ubatch, d - cached)
            eng.decode(stream[cached:cached + k], cached)
            cached += k
        eng.synchronize()
        prompt, one = stream[d:d + a.p], [stream[d + a.p - 1]]
        pp, tg, pp_cpu, tg_cpu = [], [], [], []
        for rep in range(a.r + (1 if i == 0 else 0)):
            eng.truncate(d)
            c0 = time.process_time()  # CPU time of all threads: robust to a busy machine's time-sharing
            t0 = time.perf_counter()
            eng.decode(prompt, d)
            eng.synchronize()
            t1, c1 = time.perf_counter(), time.process_time()
            for j in range(a.n):
                eng.decode(one, d + a.p + j)
            eng.synchronize()
            t2, c2 = time.perf_counter(), time.process_time()
            if i == 0 and rep == 0:
                continue  # warm-up
            pp.append(a.p / (t1 - t0))
            pp_cpu.append((c1 - c0) / a.p)
            if a.n > 0:
                tg.append(a.n / (t2 - t1))
                tg_cpu.append((c2 - c1) / a.n)
        cached = d + a.p  # the decoded tokens after it are not the stream's
        print(json.dumps({"model": a.model, "engine": eng.name, "version": eng.version, "settings": eng.settings,
                          "threads": a.t, "prompt_tokens": a.p, "gen_tokens": a.n, "depth": d, "repetitions": a.r,
                          "prefill_tps": stats(pp), "decode_tps": stats(tg),
                          "prefill_cpu_s_per_token": statistics.median(pp_cpu) if pp_cpu else 0,
                          "decode_cpu_s_per_token": statistics.median(tg_cpu) if tg_cpu else 0}), flush=True)
    eng.free()


if __name__ == "__main__":
    sys.exit(main())
