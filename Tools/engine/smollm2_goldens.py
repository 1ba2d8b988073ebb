#!/usr/bin/env python3
"""Greedy goldens for SmolLM2-135M-Instruct Q4_1 from llama.cpp (llama-cpp-python 0.3.36).

For a few fixed prompts (ChatML and raw text, tokenized by llama.cpp itself): the prompt token ids,
the 64 token ids llama.cpp generates greedily (argmax of its logits; F32 KV cache, no flash attention),
and the top-5 (id, logit) at every step. Writes Tests/Fixtures/engine/smollm2/greedy.json.

Run: ~/.cache/glmchat/refvenv/bin/python Tools/engine/smollm2_goldens.py [testdata-dir]
"""
import json, os, sys
import numpy as np
from llama_cpp import Llama

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
testdata = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("GLMCHAT_TESTDATA", os.path.expanduser("~/.cache/glmchat/testdata"))
model = os.path.join(testdata, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")
STEPS = 64

def chatml(user):
    return f"<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"

prompts = [
    ("chat-capital", chatml("What is the capital of France?")),
    ("chat-code", chatml("Write a Python function that reverses a string.")),
    ("chat-story", chatml("Tell me a short story about a robot who learns to paint.")),
    ("raw-text", "The quick brown fox jumps over the lazy dog. Once upon a time, in a small village,"),
]

llm = Llama(model_path=model, n_ctx=512, n_batch=512, n_ubatch=512, n_threads=2, n_threads_batch=2,
            type_k=0, type_v=0, flash_attn=False, logits_all=True, verbose=False, seed=1)
cases = []
for name, text in prompts:
    ids = llm.tokenize(text.encode(), add_bos=False, special=True)
    llm.reset()
    llm.eval(ids)
    out, top = [], []
    for _ in range(STEPS):
        logits = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float32)
        order = np.argsort(-logits, kind="stable")[:5]
        nxt = int(order[0])
        out.append(nxt)
        top.append([[int(i), float(logits[i])] for i in order])
        llm.eval([nxt])
    cases.append({"name": name, "prompt": ids, "generated": out, "top5": top})
    print(name, len(ids), "prompt tokens →", llm.detokenize(out).decode(errors="replace")[:80].replace("\n", " "))

dst = os.path.join(root, "Tests", "Fixtures", "engine", "smollm2", "greedy.json")
with open(dst, "w") as f:
    json.dump({"model": "SmolLM2-135M-Instruct.Q4_1.gguf", "reference": "llama-cpp-python 0.3.36, F32 KV cache, flash_attn off, greedy argmax",
               "steps": STEPS, "cases": cases}, f)
print("wrote", dst)
