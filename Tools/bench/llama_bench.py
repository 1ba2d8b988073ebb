#!/usr/bin/env python3
"""llama.cpp's prefill and decode speed on a GGUF through llama-cpp-python's low-level API, as llama-bench measures it."""
# Per repetition: clear the KV cache, decode P prompt tokens as one batch (ubatch 512, like llama-bench's
# defaults), then N single tokens (no sampling: the token fed is fixed, as llama-bench's tg test does).
# One warm-up repetition is run first and not counted (it faults in the mmap'd weights). Prints one JSON
# object shaped like `glmchat bench --json`.
# Usage: llama_bench.py MODEL.gguf [-p 512] [-n 128] [-t THREADS] [-r 3]
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import llama_cpp as L


_quiet = None


def stats(xs):
    return {"min": min(xs), "median": statistics.median(xs), "max": max(xs)} if xs else {"min": 0, "median": 0, "max": 0}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("model")
    ap.add_argument("-p", type=int, default=512)
    ap.add_argument("-n", type=int, default=128)
    ap.add_argument("-t", type=int, default=1)
    ap.add_argument("-r", type=int, default=3)
    ap.add_argument("--ubatch", type=int, default=512)
    a = ap.parse_args(argv)

    global _quiet
    _quiet = L.llama_log_callback(lambda level, text, data: None)  # kept alive: llama.cpp holds the pointer
    L.llama_log_set(_quiet, None)
    L.llama_backend_init()
    mp = L.llama_model_default_params()
    model = L.llama_model_load_from_file(a.model.encode(), mp)
    if not model:
        raise SystemExit(f"llama.cpp could not load {a.model}.")
    cp = L.llama_context_default_params()
    cp.n_ctx = a.p + a.n + 16
    cp.n_batch = max(a.p, 1)
    cp.n_ubatch = min(a.ubatch, max(a.p, 1))
    cp.n_threads = a.t
    cp.n_threads_batch = a.t
    cp.no_perf = True
    ctx = L.llama_init_from_model(model, cp)
    if not ctx:
        raise SystemExit("llama.cpp could not create a context.")
    vocab = L.llama_model_get_vocab(model)
    n_vocab = L.llama_vocab_n_tokens(vocab)
    mem = L.llama_get_memory(ctx)

    # the same pseudo-random prompt as `glmchat bench` (ids 16 ..< vocab)
    rng, prompt = 0x12345678, []
    for _ in range(a.p):
        rng = (rng * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
        prompt.append(16 + (rng >> 33) % max(1, n_vocab - 16))
    toks = (L.llama_token * a.p)(*prompt)
    one = (L.llama_token * 1)(prompt[-1])

    pp, tg, pp_cpu, tg_cpu = [], [], [], []
    for rep in range(a.r + 1):
        L.llama_memory_clear(mem, True)
        c0 = time.process_time()  # CPU time of all threads: robust to a busy machine's time-sharing
        t0 = time.perf_counter()
        if L.llama_decode(ctx, L.llama_batch_get_one(toks, a.p)) != 0:
            raise SystemExit("llama.cpp failed to decode the prompt.")
        L.llama_synchronize(ctx)
        t1, c1 = time.perf_counter(), time.process_time()
        for _ in range(a.n):
            if L.llama_decode(ctx, L.llama_batch_get_one(one, 1)) != 0:
                raise SystemExit("llama.cpp failed to decode a token.")
        L.llama_synchronize(ctx)
        t2, c2 = time.perf_counter(), time.process_time()
        if rep == 0:
            continue  # warm-up
        pp.append(a.p / (t1 - t0))
        pp_cpu.append((c1 - c0) / a.p)
        if a.n > 0:
            tg.append(a.n / (t2 - t1))
            tg_cpu.append((c2 - c1) / a.n)
    L.llama_free(ctx)
    L.llama_model_free(model)
    print(json.dumps({"model": a.model, "engine": "llama.cpp", "version": L.__version__, "threads": a.t,
                      "prompt_tokens": a.p, "gen_tokens": a.n, "repetitions": a.r,
                      "prefill_tps": stats(pp), "decode_tps": stats(tg),
                      "prefill_cpu_s_per_token": statistics.median(pp_cpu) if pp_cpu else 0,
                      "decode_cpu_s_per_token": statistics.median(tg_cpu) if tg_cpu else 0}))


if __name__ == "__main__":
    sys.exit(main())
