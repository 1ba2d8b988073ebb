#!/usr/bin/env bash
# End-to-end: the coding tools as a user meets them, with the scripted backend running its tool calls for
# real in a temporary workspace: an edit_file approved after its diff was shown, a run_command whose
# process tree (one child that called setsid) is gone within 3 s of Esc, Ctrl-Z restoring the edited file
# byte for byte (tui-approval.sh has the panel's scrolling and the command hidden behind spaces); started in the
# home folder it asks first, and --workspace names the folder.
set -uo pipefail
NAME=tui-tools
source "$(dirname "$0")/lib/tmux-harness.bash"
SCRIPT=$PWD/Tests/e2e/fixtures/tools-script.json
extra_cleanup() { pkill -f 'sleep [0-9]+\.4242' 2>/dev/null; }
printf 'alpha\nbeta\ngamma\n' > "$TMP/ws/notes.txt"
chmod 0640 "$TMP/ws/notes.txt"
cp -p "$TMP/ws/notes.txt" "$TMP/notes.orig"
T new-session -d -s e2e -x 110 -y 34 -c "$TMP/ws" "$ENVV $BIN --demo-script $SCRIPT --pace-ms 5; echo GLMCHAT-EXIT=\$?; sleep 600"
wait_for "Type a message and press Enter"

# 1. An edit is shown as a coloured diff with its stats before it runs; y applies it.
T send-keys -t e2e "edit the notes" Enter
wait_for "+1 −1"
wait_for "-beta"
wait_for "+BETA"
cmp -s "$TMP/ws/notes.txt" "$TMP/notes.orig" || fail "the file changed before it was approved"
T send-keys -t e2e y
wait_for "Done: notes.txt now says BETA."
[ "$(cat "$TMP/ws/notes.txt")" = $'alpha\nBETA\ngamma' ] || fail "the edit was not applied: $(cat "$TMP/ws/notes.txt")"
[ "$(stat -c %a "$TMP/ws/notes.txt")" = 640 ] || fail "the edit changed the file's mode to $(stat -c %a "$TMP/ws/notes.txt")"

# 2. A running command streams its output and Esc stops its whole tree, a setsid child included.
T send-keys -t e2e "run the sleepers" Enter
wait_for "sleep 300.4242"
T send-keys -t e2e y
wait_for "started-4242"
for ((i = 0; i < 50; i++)); do [ "$(pgrep -fc 'sleep [0-9]+\.4242')" -ge 3 ] && break; sleep 0.1; done
[ "$(pgrep -fc 'sleep [0-9]+\.4242')" -ge 3 ] || fail "the three sleeps never started"
T send-keys -t e2e Escape
gone=0
for ((i = 0; i < 30; i++)); do pgrep -f 'sleep [0-9]+\.4242' >/dev/null || { gone=1; break; }; sleep 0.1; done
[ "$gone" = 1 ] || fail "3 s after Esc these were still running: $(pgrep -af 'sleep [0-9]+\.4242')"
wait_for "stopped by you"

# 3. Ctrl-Z in the transcript undoes the edit, byte for byte.
T send-keys -t e2e Tab
sleep 0.2
T send-keys -t e2e C-z
wait_for "↶"
cmp -s "$TMP/ws/notes.txt" "$TMP/notes.orig" || fail "undo did not restore the file: $(cat "$TMP/ws/notes.txt")"
[ "$(stat -c %a "$TMP/ws/notes.txt")" = 640 ] || fail "undo changed the file's mode"
T send-keys -t e2e Tab
sleep 0.2

# 4. Quit cleanly.
T send-keys -t e2e C-c
sleep 0.3
T send-keys -t e2e C-c
wait_for "GLMCHAT-EXIT=0"
# 5. Started in the home folder, the tools' reach is asked about first; --workspace names the folder instead.
T kill-session -t e2e
T new-session -d -s e2e -x 110 -y 34 -c "$TMP/home" "$ENVV $BIN --demo-script $SCRIPT; echo GLMCHAT-EXIT=\$?; sleep 600"
wait_for "would read, write and run commands in your home folder"
T send-keys -t e2e n Enter
wait_for "Not started: start glmchat in a project folder, or name one with --workspace DIR."
wait_for "GLMCHAT-EXIT=1"
T kill-session -t e2e
T new-session -d -s e2e -x 110 -y 34 -c "$TMP/home" "$ENVV $BIN --demo-script $SCRIPT --workspace $TMP/ws; echo GLMCHAT-EXIT=\$?; sleep 600"
wait_for "Type a message and press Enter"
T send-keys -t e2e "@no"
wait_for "@notes.txt"
echo "tui-tools: ok"
