#!/usr/bin/env bash
# End-to-end: reading the transcript — a 300-line paste is sent whole but shown folded (Enter on it opens it), and
# with --mouse a click selects a block and a click on the thinking's header opens it.
set -uo pipefail
NAME=tui-reading
source "$(dirname "$0")/lib/tmux-harness.bash"
SCRIPT=$TMP/script.json
cat > "$SCRIPT" <<'JSON'
{"model": "scripted-reading", "pace_ms": 1, "turns": [
 {"steps": [{"echo": "prompt_end"}]},
 {"steps": [{"reasoning": "Weighing it up-8812."}, {"content": "The answer is 42."}]}
]}
JSON

start_in_workspace --mouse
wait_for "Type a message and press Enter"
# 1. A 300-line paste (bracketed): folded in the transcript, sent whole (the echo shows its last line).
seq -f "pasted line %g" 1 300 > "$TMP/paste.txt"
T load-buffer -b p "$TMP/paste.txt"
T paste-buffer -p -b p -t e2e
sleep 0.5
T send-keys -t e2e Enter
wait_for "▸ … 297 more lines, 300 in all (select and press Enter)"
pane | grep -qF "› pasted line 1" || fail "the folded message should start with its first line"
wait_for "<|assistant|><think>]"
pane | grep -qF "pasted line 300" || fail "the whole paste should be sent (the prompt's end is echoed)"
T send-keys -t e2e Tab Up
sleep 0.2
T send-keys -t e2e Enter
wait_for "pasted line 27"
T send-keys -t e2e Enter Tab
wait_for "297 more lines"

# 2. Clicks (SGR mouse reports, press then release): the thinking's header opens it.
T send-keys -t e2e "question" Enter
wait_for "The answer is 42."
row=$(pane | grep -n "▸ Thought" | cut -d: -f1)
[ -n "$row" ] || fail "no folded thinking block"
T send-keys -t e2e -l $'\e'"[<0;10;${row}M"
T send-keys -t e2e -l $'\e'"[<0;10;${row}m"
wait_for "▾ Thought"
wait_for "│ Weighing it up-8812."
pane | grep -q "^▌ ▾ Thought" || fail "the clicked block should be selected"
echo "tui-reading: ok"
