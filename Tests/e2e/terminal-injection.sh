#!/usr/bin/env bash
# Stored and downloaded text cannot drive the terminal: `sessions show/export` under a pty (script -qc) escape ESC, BEL,
# C1 and bidi controls and keep JSON valid; piped, they write the exact text. `info` escapes a GGUF's strings always.
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=.build/release/glmchat; [ -x "$bin" ] || bin=.build/debug/glmchat
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "terminal-injection: $*" >&2; exit 1; }
command -v script > /dev/null || { echo "terminal-injection: skipped (no script(1))"; exit 0; }

dir=$tmp/sessions
cat > "$tmp/conv.json" <<'JSON'
{"messages": [
  {"role": "user", "content": "hi \u001b]0;pwned\u0007 there \u202egnp.exe"},
  {"role": "assistant", "content": "ok \u009b31m red", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "run_command", "arguments": "{\"command\": \"echo \\u001b[2J\"}"}}]},
  {"role": "tool", "tool_call_id": "c1", "content": "\u001b[2Jcleared\r\u007f"}
]}
JSON
id=$("$bin" sessions import "$tmp/conv.json" --sessions-dir "$dir") || fail "import failed"

# Under a pty: no raw control bytes, escapes instead; JSON stays valid with the same text.
tty_run() { script -qec "$1" /dev/null < /dev/null > "$2" 2>&1 || fail "'$1' failed under a pty: $(cat "$2")"; }
tty_run "$bin sessions show $id --sessions-dir $dir" "$tmp/show.tty"
tty_run "$bin sessions export $id --sessions-dir $dir" "$tmp/md.tty"
tty_run "$bin sessions export $id --format json --sessions-dir $dir" "$tmp/json.tty"
"$bin" sessions show "$id" --sessions-dir "$dir" > "$tmp/show.pipe" || fail "show failed"
"$bin" sessions export "$id" --sessions-dir "$dir" > "$tmp/md.pipe" || fail "export failed"
"$bin" sessions export "$id" --format json --sessions-dir "$dir" > "$tmp/json.pipe" || fail "export --format json failed"

python3 - "$tmp" <<'PY' || fail "escaping check failed"
import json, sys
d = sys.argv[1]
def read(n): return open(f"{d}/{n}", "rb").read()
raw = ["\x1b".encode(), b"\x07", "\u009b".encode(), "\u202e".encode(), b"\x7f"]
for n in ["show.tty", "md.tty", "json.tty"]:
    # The pty turns \n into \r\n; any other CR is the text's own and must be escaped.
    b = read(n).replace(b"\r\n", b"\n")
    bad = [r for r in raw + [b"\r"] if r in b]
    assert not bad, f"{n}: raw {bad} reached the terminal"
for n in ["show.tty", "md.tty"]:
    b = read(n)
    assert b"\\u{1B}]0;pwned\\u{7}" in b and b"\\u{202E}gnp.exe" in b and b"\\u{9B}31m" in b, f"{n}: escapes missing: {b!r}"
want = json.load(open(f"{d}/json.pipe"))
got = json.loads(read("json.tty").replace(b"\r\n", b"\n"))
assert got == want, "the JSON shown on a terminal differs from the exported JSON"
assert want["messages"][0]["content"] == "hi \x1b]0;pwned\x07 there \u202egnp.exe"
for n in ["show.pipe", "md.pipe"]:
    b = read(n)
    assert "hi \x1b]0;pwned\x07 there \u202egnp.exe".encode() in b and "\x1b[2Jcleared\r\x7f".encode() in b, f"{n}: not the exact text"
PY

# An error quoting file text: one short line, escaped.
python3 -c 'import json; print(json.dumps({"messages": [{"role": "\x1b]0;pwned\x07" + "r" * 5000, "content": ""}]}))' > "$tmp/bad.json"
"$bin" sessions import "$tmp/bad.json" --sessions-dir "$dir" > /dev/null 2> "$tmp/err" && fail "a message with an unknown role was imported"
python3 - "$tmp/err" <<'PY' || fail "the import error is not one short escaped line: $(head -c 300 "$tmp/err")"
import sys
b = open(sys.argv[1], "rb").read()
assert b.count(b"\n") == 1 and len(b) < 400 and b"\x1b" not in b and b"\x07" not in b and b"\\u{1B}]0;pwned" in b, b
PY

# info: a GGUF whose strings and key names carry control characters.
python3 - "$tmp/hostile.gguf" <<'PY' || fail "could not write the hostile GGUF"
import struct, sys
def s(x): b = x.encode(); return struct.pack("<Q", len(b)) + b
kv = [("general.architecture", "llama"), ("general.name", "evil\x1b]0;pwned\x07\u202e"), ("x.\x1b[31mkey", "v\x9b")]
out = b"GGUF" + struct.pack("<IQQ", 3, 0, len(kv))
for k, v in kv: out += s(k) + struct.pack("<I", 8) + s(v)
open(sys.argv[1], "wb").write(out)
PY
for args in "" "--all" "--json"; do
  "$bin" info -m "$tmp/hostile.gguf" $args > "$tmp/info.out" 2>&1 || fail "info $args failed: $(cat "$tmp/info.out")"
  python3 - "$tmp/info.out" "$args" <<'PY' || fail "info $args printed raw control characters"
import json, sys
b = open(sys.argv[1], "rb").read()
assert not any(r in b for r in [b"\x1b", b"\x07", "\u009b".encode(), "\u202e".encode()]), b
if sys.argv[2] == "--json": assert json.loads(b)["metadata"]["general.name"] == "evil\x1b]0;pwned\x07\u202e"
PY
done
exit 0
