#!/usr/bin/env python3
"""Writes Tests/Fixtures/tokenizer/goldens.tsv: llama.cpp's token ids for the corpus (Tools/tokenizer/corpus.py).

Run with the reference venv (llama-cpp-python 0.3.36):
  ~/.cache/glmchat/refvenv/bin/python Tools/tokenizer/make-goldens.py
Format (tab-separated): first the corpus as `T <index> <base64 bytes>` lines, then one line per case:
  `C <vocab name> <text index> <add_bos 0/1> <parse_special 0/1> <ids space-separated>`
and a header line per vocabulary: `V <name> <path relative to the test data folder> <pre override or ->`.
Per vocabulary also: `B <name> <bos id or -1> <add_bos 0/1>`, `E <name> <end-of-generation ids>`,
`K <name> <control token ids>` and `P <name> <id> <special 0/1> <base64 piece>` (llama_token_to_piece) for
every control/user-defined token and a seeded sample of others.
"""
import base64, ctypes, os, pathlib, random, sys
sys.path.insert(0, str(pathlib.Path(__file__).parent))
from corpus import corpus
import llama_cpp
from llama_cpp import Llama

DATA = pathlib.Path(os.environ.get("GLMCHAT_TESTDATA", pathlib.Path.home() / ".cache/glmchat/testdata"))
VOCABS = [
    ("llama-bpe", "vocab/ggml-vocab-llama-bpe.gguf", None),
    ("glm4-on-llama-bpe", "vocab/ggml-vocab-llama-bpe.gguf", "glm4"),
    ("qwen2", "vocab/ggml-vocab-qwen2.gguf", None),
    ("gpt-2", "vocab/ggml-vocab-gpt-2.gguf", None),
    ("deepseek-llm", "vocab/ggml-vocab-deepseek-llm.gguf", None),
    ("deepseek-v3-on-deepseek-llm", "vocab/ggml-vocab-deepseek-llm.gguf", "deepseek-v3"),
    ("smollm2", "models/SmolLM2-135M-Instruct.Q4_1.gguf", None),
]

def main():
    texts = corpus()
    out = pathlib.Path(__file__).resolve().parents[2] / "Tests/Fixtures/tokenizer/goldens.tsv"
    lines = [f"T\t{i}\t{base64.b64encode(t).decode()}" for i, t in enumerate(texts)]
    for name, rel, pre in VOCABS:
        kw = {"kv_overrides": {"tokenizer.ggml.pre": pre}} if pre else {}
        llm = Llama(model_path=str(DATA / rel), vocab_only=True, verbose=False, **kw)
        lines.append(f"V\t{name}\t{rel}\t{pre or '-'}")
        v = llama_cpp.llama_model_get_vocab(llm._model.model)
        n = llama_cpp.llama_vocab_n_tokens(v)
        lines.append(f"B\t{name}\t{llama_cpp.llama_vocab_bos(v)}\t{int(llama_cpp.llama_vocab_get_add_bos(v))}")
        lines.append(f"E\t{name}\t{' '.join(str(i) for i in range(n) if llama_cpp.llama_vocab_is_eog(v, i))}")
        controls = [i for i in range(n) if llama_cpp.llama_vocab_is_control(v, i)]
        lines.append(f"K\t{name}\t{' '.join(map(str, controls))}")
        attrs = [llama_cpp.llama_token_get_attr(v, i) for i in range(n)]
        sample = sorted(set([i for i in range(n) if attrs[i] & (8 | 16 | 1)] + random.Random(5).sample(range(n), 300)))
        buf = ctypes.create_string_buffer(1024)
        for i in sample:
            for special in (0, 1):
                k = llama_cpp.llama_token_to_piece(v, i, buf, 1024, 0, bool(special))
                lines.append(f"P\t{name}\t{i}\t{special}\t{base64.b64encode(buf.raw[:k]).decode()}")
        for i, t in enumerate(texts):
            # every text plain; the hand-written and invalid ones also with BOS and with special tokens parsed
            modes = [(False, False)] + ([(True, False), (False, True)] if i < 80 else [])
            for add_bos, special in modes:
                ids = llm.tokenize(t, add_bos=add_bos, special=special)
                lines.append(f"C\t{name}\t{i}\t{int(add_bos)}\t{int(special)}\t{' '.join(map(str, ids))}")
        del llm
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out} ({out.stat().st_size} bytes, {len(texts)} texts, {len(VOCABS)} vocabularies)")

main()
