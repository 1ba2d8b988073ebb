#!/usr/bin/env python3
"""Tiny GGUF files that must be rejected with a one-sentence error (Tests/Fixtures/engine/errors/).

ok.gguf: a valid 1-block llama-layout model (F32, random); the others break one thing each:
wrong-arch (gpt2), missing-tensor (no blk.0.attn_k.weight), bad-shape (attn_q is 32x16),
unsupported-type (ffn_down stored as IQ2_XXS), missing-key (no llama.attention.head_count).
Run: ~/.cache/glmchat/refvenv/bin/python Tools/engine/make_error_fixtures.py
"""
import os
import numpy as np
import gguf

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
out = os.path.join(root, "Tests", "Fixtures", "engine", "errors")
os.makedirs(out, exist_ok=True)
E, V, FF, H, HKV = 32, 64, 256, 4, 2
HD = E // H

def write(name, arch="llama", drop=None, shapes=None, iq=None, drop_key=None):
    rng = np.random.default_rng(7)
    w = gguf.GGUFWriter(os.path.join(out, name), arch)
    w.add_context_length(64); w.add_embedding_length(E); w.add_block_count(1); w.add_feed_forward_length(FF)
    if drop_key != "head_count": w.add_head_count(H)
    w.add_head_count_kv(HKV); w.add_layer_norm_rms_eps(1e-5); w.add_rope_freq_base(10000.0); w.add_vocab_size(V)
    tensors = {
        "token_embd.weight": (V, E), "output_norm.weight": (E,), "blk.0.attn_norm.weight": (E,),
        "blk.0.attn_q.weight": (H * HD, E), "blk.0.attn_k.weight": (HKV * HD, E), "blk.0.attn_v.weight": (HKV * HD, E),
        "blk.0.attn_output.weight": (E, H * HD), "blk.0.ffn_norm.weight": (E,),
        "blk.0.ffn_gate.weight": (FF, E), "blk.0.ffn_up.weight": (FF, E), "blk.0.ffn_down.weight": (E, FF),
    }
    for n, shape in tensors.items():
        if n == drop: continue
        shape = (shapes or {}).get(n, shape)
        if n == iq:
            # IQ2_XXS: 66 bytes per 256 elements; raw bytes, shape given in elements (numpy order).
            w.add_tensor(n, np.zeros((shape[0], shape[1] // 256 * 66), dtype=np.uint8), raw_dtype=gguf.GGMLQuantizationType.IQ2_XXS)
            continue
        a = (rng.standard_normal(shape) * (1.0 if len(shape) == 1 else 0.2)).astype(np.float32)
        if len(shape) == 1: a = 1.0 + 0.1 * a
        w.add_tensor(n, a)
    w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()

write("ok.gguf")
write("wrong-arch.gguf", arch="gpt2")
write("missing-tensor.gguf", drop="blk.0.attn_k.weight")
write("bad-shape.gguf", shapes={"blk.0.attn_q.weight": (16, E)})
write("unsupported-type.gguf", iq="blk.0.ffn_down.weight")
write("missing-key.gguf", drop_key="head_count")
print("wrote", sorted(os.listdir(out)))
