#!/usr/bin/env python3
"""Reads GGUF files with gguf-py (gguf==0.19.0) and writes what it sees as JSON: the independent reference
the Swift GGUF tests compare with. Usage: read_reference.py OUT.json FILE.gguf [FILE.gguf ...]"""
import json, os, sys
from gguf import GGUFReader, GGUFValueType

def value(field):
    t = field.types[0]
    if t == GGUFValueType.ARRAY:
        sub = field.types[1] if len(field.types) > 1 else None
        n = len(field.data)
        if sub == GGUFValueType.STRING:
            return {"array": "string", "count": n, "first": [bytes(field.parts[i]).decode("utf-8", "replace") for i in field.data[:3]]}
        if sub == GGUFValueType.ARRAY:
            return {"array": "array", "count": n}
        return {"array": sub.name.lower(), "count": n, "first": [field.parts[i].tolist()[0] for i in field.data[:3]]}
    if t == GGUFValueType.STRING:
        return bytes(field.parts[-1]).decode("utf-8", "replace")
    v = field.parts[-1].tolist()[0]
    return bool(v) if t == GGUFValueType.BOOL else v

out = {}
for path in sys.argv[2:]:
    r = GGUFReader(path)
    meta = {}
    for name, f in r.fields.items():
        if name.startswith("GGUF."):
            continue
        meta[name] = value(f)
    out[os.path.basename(path)] = {
        "metadata": meta,
        "tensors": [{"name": t.name, "type": t.tensor_type.name, "shape": [int(x) for x in t.shape],
                     "offset": int(t.data_offset), "bytes": int(t.n_bytes)} for t in r.tensors],
    }
json.dump(out, open(sys.argv[1], "w"), indent=1, sort_keys=True)
