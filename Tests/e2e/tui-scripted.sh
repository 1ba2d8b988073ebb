#!/usr/bin/env bash
# End-to-end: drives the real glmchat binary in tmux with the scripted backend — type, see the streamed
# answer, toggle thinking, resize, a tool call with approval, CJK, quit, restart with --resume, a second
# glmchat on the same session (read-only), a message queued while a reply streams, SIGTERM restores the
# terminal, text in the editor survives kill -9. Uses .build/release/glmchat (scripts/test builds it) and
# temp XDG dirs.
set -uo pipefail
NAME=tui-scripted
source "$(dirname "$0")/lib/tmux-harness.bash"
SCRIPT=$PWD/Tests/AppTests/Fixtures/demo-script.json
start() { # start ARGS...: a fresh session running glmchat with ARGS
  T kill-session -t e2e 2>/dev/null
  T new-session -d -s e2e -x 100 -y 30 "$ENVV sh -c 'echo \$\$ > $TMP/pid; exec $BIN --demo-script $SCRIPT --pace-ms ${PACE:-5} $*'; echo GLMCHAT-EXIT=\$?; sleep 600"
  T set -g set-clipboard on     # OSC 52 from glmchat lands in a tmux buffer
}
check_width() { # no screen line wider than $1 columns
  local w=$1
  pane | python3 -c "
import sys, unicodedata
w = int(sys.argv[1])
def cols(s): return sum(0 if unicodedata.combining(c) or c == '\u200d' else 2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in s)
bad = [l for l in sys.stdin.read().split('\n') if cols(l) > w]
sys.exit(1 if bad else 0)" "$w" || fail "a line is wider than $w columns"
}

# 1. Start, type a message, see the streamed answer with its thinking folded.
start
wait_for "Type a message and press Enter"
T send-keys -t e2e "hello there" Enter
wait_for "Hello! I am a scripted demo of glmchat."
wait_for "print(\"hi\")"
wait_for "▸ Thought"
pane | grep -qF "Keep it short." && fail "thinking should be folded once the answer is in"
wait_for "tg "                       # decode speed in the status bar
wait_for "hello there"               # the title
T capture-pane -e -p -t e2e | grep -q $'\e\[38;5;' || fail "no 256-colour output on an xterm-256color terminal"

# 2. Toggle thinking: Tab to the transcript, t opens every thinking block.
T send-keys -t e2e Tab
sleep 0.2
T send-keys -t e2e t
wait_for "▾ Thought"
wait_for "Keep it short."
T send-keys -t e2e t
wait_gone "Keep it short."
T send-keys -t e2e t
wait_for "Keep it short."
# y copies the selected block (the answer) through OSC 52; Y copies its code.
T send-keys -t e2e y
wait_for "copied"
T show-buffer 2>/dev/null | grep -qF 'Hello! I am a **scripted** demo of glmchat.' || fail "y did not put the answer on the clipboard (OSC 52)"
T send-keys -t e2e Y
wait_for "copied 1 code block"
[ "$(T show-buffer 2>/dev/null)" = 'print("hi")' ] || fail "Y did not copy the code block"
# / searches: the selection moves to the match's block (the question), so y copies it; Tab ends the search.
T send-keys -t e2e / "hello there" Enter
wait_for "/hello there  1/1  n/N next/previous"
T send-keys -t e2e y
wait_for "copied 11 characters"
[ "$(T show-buffer 2>/dev/null)" = 'hello there' ] || fail "y after a search did not copy the matched block"
T send-keys -t e2e n
wait_for "search wrapped"
T send-keys -t e2e Tab
wait_gone "/hello there"

# 3. Resize: the transcript reflows to the new width; too small gives the one-line message.
T resize-window -t e2e -x 60 -y 20
wait_for "│ and offer help."          # the thinking text re-wrapped at the new width
check_width 60
wait_for "Hello! I am a scripted demo of glmchat."
T resize-window -t e2e -x 15 -y 4
wait_for "Too small: 15×4"
T resize-window -t e2e -x 100 -y 30
wait_for "│ The user says hello. I should greet them back briefly and offer help."
check_width 100

# 4. Back to the input; wide characters and emoji wrap without breaking the layout.
T send-keys -t e2e Escape
sleep 0.3
T send-keys -t e2e "中文 please" Enter
wait_for "你好！这是一个宽字符换行测试"
check_width 100

# 5. A tool call waits for approval, runs, and the model continues.
T send-keys -t e2e "list the files" Enter
wait_for "Run a tool?"
wait_for "list_files"
T send-keys -t e2e y
wait_for "The folder holds a Swift package: sources, tests, scripts and themes."   # the whole reply: Ctrl-C below must not stop it
wait_for "✓ done"

# 6. Ctrl-C twice quits and the terminal is given back.
T send-keys -t e2e C-c
wait_for "press Ctrl-C again to quit"
T send-keys -t e2e C-c
wait_for "GLMCHAT-EXIT=0"
[ "$(T display -p -t e2e '#{alternate_on}')" = "0" ] || fail "the alternate screen is still on after quitting"
ID=$(pane | grep -oE 'glmchat --resume [0-9A-Za-z_-]+' | head -1 | awk '{print $3}')
[ -n "$ID" ] || fail "glmchat did not print the session id on exit"

# 7. Restart with --resume ID: the same conversation is back.
start --resume "$ID"
wait_for "The folder holds a Swift package"
wait_for "opened “hello there”"
T send-keys -t e2e PageUp
wait_for "Hello! I am a scripted demo of glmchat."

# 7b. A second glmchat on the same session shows it read-only, refuses to send, and never writes the file.
FILE=$TMP/data/glmchat/sessions/$ID.json
[ -f "$FILE" ] || fail "no session file at $FILE"
SUM=$(sha256sum "$FILE"); MTIME=$(stat -c %y "$FILE")
T new-session -d -s ro -x 100 -y 30 "$ENVV sh -c 'exec $BIN --demo-script $SCRIPT --pace-ms 5 --resume $ID'; echo GLMCHAT-EXIT=\$?; sleep 600"
TARGET=ro wait_for "read-only: open in another glmchat (pid $(cat "$TMP/pid"))"
TARGET=ro wait_for "The folder holds a Swift package"
T send-keys -t ro "more please" Enter
TARGET=ro wait_for "so nothing is sent or saved here"
TARGET=ro pane | grep -qF "❯ more please" || { TARGET=ro fail "the refused message left the editor"; }
# Ctrl-C clears the editor first; Up brings the text back.
T send-keys -t ro C-c
TARGET=ro wait_for "input cleared (Up brings it back)"
TARGET=ro pane | grep -qF "❯ more please" && { TARGET=ro fail "Ctrl-C did not clear the editor"; }
T send-keys -t ro Up
TARGET=ro wait_for "❯ more please"
T send-keys -t ro C-c C-c C-c
TARGET=ro wait_for "nothing was written to it"
T kill-session -t ro
[ "$(sha256sum "$FILE")" = "$SUM" ] && [ "$(stat -c %y "$FILE")" = "$MTIME" ] || fail "the read-only glmchat wrote $FILE"
T send-keys -t e2e C-c C-c
wait_for "GLMCHAT-EXIT=0"

# 8. --resume without an id opens the session picker.
start --resume
wait_for "Sessions"
wait_for "hello there"
T send-keys -t e2e Enter
wait_for "The folder holds a Swift package"

# 9. Input and redraw keep working while a (slow) reply streams; Enter queues the message, which is sent
# when the reply is done; SIGTERM mid-reply restores the terminal.
PACE=150 start
wait_for "Type a message and press Enter"
T send-keys -t e2e "hello again" Enter
wait_for "Esc or Ctrl-C stops the reply"
T send-keys -t e2e "typed while streaming"
wait_for "❯ typed while streaming"
pane | grep -qF "Esc or Ctrl-C stops the reply" || fail "the reply finished before the typing showed; input should not wait for it"
T send-keys -t e2e Enter
wait_for "⏳ queued — sent when this reply is done"
pane | grep -qF "› typed while streaming" || fail "the queued message is not shown"
T send-keys -t e2e Left                  # clears the notice: the line above the editor counts the queue
wait_for "1 queued · Esc stops and puts it back in the editor"
wait_gone "⏳ queued" 40                 # the reply finished and the queued message went out
wait_for "› typed while streaming"
pane | grep -qF "Esc or Ctrl-C stops the reply" || fail "the queued message did not start a reply"
kill -TERM "$(cat "$TMP/pid")"
wait_for "GLMCHAT-EXIT=143"
[ "$(T display -p -t e2e '#{alternate_on}')" = "0" ] || fail "the alternate screen is still on after SIGTERM"

# 10. SIGTERM quit cleanly: the interrupted reply was saved, marked as cut off.
start --resume
wait_for "Sessions"
wait_for "hello again"
T send-keys -t e2e Enter
wait_for "this reply was cut off"
T send-keys -t e2e C-c C-c
wait_for "GLMCHAT-EXIT=0"

# 11. kill -9 with text in the editor: within a second it is on disk, and the next start brings it back.
start
wait_for "Type a message and press Enter"
T send-keys -t e2e "never lose this"
wait_for "❯ never lose this"
sleep 2
kill -KILL "$(cat "$TMP/pid")"
wait_for "GLMCHAT-EXIT=137"
start
wait_for "restored the text you had not sent"
wait_for "❯ never lose this"
T send-keys -t e2e C-c C-c C-c           # the first clears the editor
wait_for "GLMCHAT-EXIT=0"

echo "tui-scripted: all checks passed"
