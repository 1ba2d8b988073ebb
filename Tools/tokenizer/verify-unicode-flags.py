#!/usr/bin/env python3
"""Checks Sources/Tokenizer/UnicodeFlags+Table.swift against llama.cpp's own table (src/unicode-data.cpp).

Usage: verify-unicode-flags.py LLAMA_CPP_SRC_DIR
Reads both range lists, expands them to one flag per code point and prints every difference (exit 1 if any).
It also checks the whitespace list in Sources/Tokenizer/UnicodeFlags.swift against llama.cpp's set.
"""
import bisect, pathlib, re, sys

root = pathlib.Path(__file__).resolve().parents[2]
ours_src = (root / "Sources/Tokenizer/UnicodeFlags+Table.swift").read_text()
ours = [int(x, 16) for x in re.findall(r"0x([0-9A-F]+)", ours_src.split("[", 1)[1])]
ours = [(v >> 8, v & 0xFF) for v in ours]

llama = pathlib.Path(sys.argv[1]) / "src/unicode-data.cpp"
text = llama.read_text()
body = re.search(r"unicode_ranges_flags = \{.*?\n(.*?)\};", text, re.S).group(1)
theirs = [(int(a, 16), int(b, 16)) for a, b in re.findall(r"\{0x([0-9A-F]+), 0x([0-9A-F]+)\}", body)]
ws_body = re.search(r"unicode_set_whitespace = \{(.*?)\};", text, re.S).group(1)
theirs_ws = sorted(int(x, 16) for x in re.findall(r"0x([0-9A-F]+)", ws_body))

def expand(rs):
    starts = [r[0] for r in rs]
    return lambda c: rs[bisect.bisect_right(starts, c) - 1][1]

a, b = expand(ours), expand(theirs)
diffs = [c for c in range(0x110000) if a(c) != b(c)]
for c in diffs[:50]:
    print(f"U+{c:04X}: ours 0x{a(c):02X}, llama.cpp 0x{b(c):02X}")
print(f"{len(diffs)} code points differ in category flags")

flags_src = (root / "Sources/Tokenizer/UnicodeFlags.swift").read_text()
m = re.search(r"whitespaceList: \[UInt32\] = \[(.*?)\]", flags_src, re.S)
ours_ws = sorted(int(x, 16) for x in re.findall(r"0x([0-9A-Fa-f]+)", m.group(1)))
print("whitespace sets equal" if ours_ws == theirs_ws else f"whitespace differs: ours {ours_ws} llama {theirs_ws}")
sys.exit(1 if diffs or ours_ws != theirs_ws else 0)
