#!/usr/bin/env python3
"""Writes a large random golden file (not committed) for a deeper comparison with llama.cpp.

  ~/.cache/glmchat/refvenv/bin/python Tools/tokenizer/fuzz-goldens.py /tmp/tok-fuzz.tsv [N] [SEED]
  GLMCHAT_TOKENIZER_GOLDENS=/tmp/tok-fuzz.tsv swift test --filter GoldenCorpusTests/testExternalGoldens
Texts mix the corpus pools with code points drawn from all of Unicode (assigned or not) and random bytes.
"""
import base64, os, pathlib, random, sys
sys.path.insert(0, str(pathlib.Path(__file__).parent))
import corpus
from llama_cpp import Llama

DATA = pathlib.Path(os.environ.get("GLMCHAT_TESTDATA", pathlib.Path.home() / ".cache/glmchat/testdata"))
VOCABS = [
    ("llama-bpe", "vocab/ggml-vocab-llama-bpe.gguf", None),
    ("glm4-on-llama-bpe", "vocab/ggml-vocab-llama-bpe.gguf", "glm4"),
    ("qwen2", "vocab/ggml-vocab-qwen2.gguf", None),
    ("qwen35", "vocab/ggml-vocab-qwen35.gguf", None),
    ("gpt-2", "vocab/ggml-vocab-gpt-2.gguf", None),
    ("deepseek-llm", "vocab/ggml-vocab-deepseek-llm.gguf", None),
    ("deepseek-coder", "vocab/ggml-vocab-deepseek-coder.gguf", None),
    ("deepseek-v3-on-deepseek-llm", "vocab/ggml-vocab-deepseek-llm.gguf", "deepseek-v3"),
    ("falcon", "vocab/ggml-vocab-falcon.gguf", None),
    ("default-on-falcon", "vocab/ggml-vocab-falcon.gguf", "default"),
    ("starcoder", "vocab/ggml-vocab-starcoder.gguf", None),
    ("mpt", "vocab/ggml-vocab-mpt.gguf", None),
    ("command-r", "vocab/ggml-vocab-command-r.gguf", None),
    ("smollm2", "models/SmolLM2-135M-Instruct.Q4_1.gguf", None),
]

def random_cp(rng):
    r = rng.random()
    if r < 0.3: return rng.randint(0x20, 0x7E)
    if r < 0.4: return rng.choice([0x09, 0x0A, 0x0D, 0x20, 0x20, 0x0B, 0x0C, 0x85, 0xA0, 0x3000, 0x2028, 0x200B])
    if r < 0.7: return rng.randint(0x80, 0x3000)
    if r < 0.85: return rng.randint(0x3000, 0xFFFF)
    return rng.randint(0x10000, 0x10FFFF)

def text(rng):
    kind = rng.random()
    if kind < 0.5:
        return corpus.random_cases(seed=rng.randint(0, 1 << 30), n=1)[0]
    cps = []
    for _ in range(rng.choice([1, 3, 10, 30, 100])):
        c = random_cp(rng)
        if 0xD800 <= c <= 0xDFFF: c = 0xFFFD
        cps.append(chr(c))
        if rng.random() < 0.2: cps.append(rng.choice(["'s", "'LL", " ", "  ", "\n", "\r\n", "123", "<|endoftext|>", "<|im_start|>"]))
    b = "".join(cps).encode()
    if rng.random() < 0.1:
        pos = rng.randint(0, len(b)); b = b[:pos] + bytes([rng.choice([0x80, 0xC2, 0xE2, 0xF0, 0xFF])]) + b[pos:]
    return b

def main():
    out = pathlib.Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    texts = [text(rng) for _ in range(n)]
    lines = [f"T\t{i}\t{base64.b64encode(t).decode()}" for i, t in enumerate(texts)]
    for name, rel, pre in VOCABS:
        kw = {"kv_overrides": {"tokenizer.ggml.pre": pre}} if pre else {}
        llm = Llama(model_path=str(DATA / rel), vocab_only=True, verbose=False, **kw)
        lines.append(f"V\t{name}\t{rel}\t{pre or '-'}")
        for i, t in enumerate(texts):
            special = i % 3 == 0
            ids = llm.tokenize(t, add_bos=False, special=special)
            lines.append(f"C\t{name}\t{i}\t0\t{int(special)}\t{' '.join(map(str, ids))}")
        del llm
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}: {n} texts x {len(VOCABS)} vocabularies")

main()
