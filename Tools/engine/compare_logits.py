#!/usr/bin/env python3
"""Compare `glmchat logits` with llama.cpp's teacher-forced logits on the same file and tokens (a debugging aid).

Usage: compare_logits.py MODEL.gguf GLMCHAT_BINARY [token ids comma-separated | "text:..."]
Prints per-position max|Δ|/max|ref| and top-1 agreement. llama.cpp runs with an F32 KV cache, no flash attention.
"""
import os, subprocess, sys, tempfile
import numpy as np
from llama_cpp import Llama

model, binary = sys.argv[1], sys.argv[2]
arg = sys.argv[3] if len(sys.argv) > 3 else "text:The quick brown fox jumps over the lazy dog. Once upon a time"
llm = Llama(model_path=model, n_ctx=2048, n_batch=512, n_ubatch=512, n_threads=2, type_k=0, type_v=0,
            flash_attn=False, logits_all=True, verbose=False)
ids = llm.tokenize(arg[5:].encode(), add_bos=False, special=True) if arg.startswith("text:") else [int(x) for x in arg.split(",")]
llm.eval(ids)
ref = np.array(llm.scores[:len(ids)], dtype=np.float32)
with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "l.bin")
    subprocess.run([binary, "logits", "-m", model, "--tokens", ",".join(map(str, ids)), "--out", out], check=True)
    got = np.fromfile(out, dtype="<f4").reshape(len(ids), -1)
worst = 0.0
for i in range(len(ids)):
    r = np.abs(got[i] - ref[i]).max() / np.abs(ref[i]).max()
    worst = max(worst, r)
    print(f"pos {i:3d} tok {ids[i]:6d}: rel {r:.2e}  top1 {int(got[i].argmax())} vs {int(ref[i].argmax())}")
print("worst rel", worst, "top1 agreement", float((got.argmax(1) == ref.argmax(1)).mean()))
