#!/usr/bin/env bash
# End-to-end: conversation control with the scripted backend — r regenerates a reply and ← shows the first version
# again, e edits a message and sends it as a new version, f forks into a new conversation the picker lists as forked,
# c continues a reply cut off at the token limit in the same message (the prompt ends inside it).
set -uo pipefail
NAME=tui-versions
source "$(dirname "$0")/lib/tmux-harness.bash"
SCRIPT=$PWD/Tests/e2e/fixtures/versions-script.json
T new-session -d -s e2e -x 100 -y 30 -c "$TMP/ws" "$ENVV $BIN --demo-script $SCRIPT; echo GLMCHAT-EXIT=\$?; sleep 600"
wait_for "Type a message and press Enter"

T send-keys -t e2e "first question" Enter
wait_for "reply-one-5113"
# Regenerate: a new reply, the first kept as a version.
T send-keys -t e2e Tab
sleep 0.2
T send-keys -t e2e r
wait_for "reply-two-5113"
wait_for "‹ 2/2 › regenerated"
pane | grep -qF "reply-one-5113" && fail "the regenerated reply should replace the first on screen"
T send-keys -t e2e Left
wait_for "reply-one-5113"
wait_for "‹ 1/2 › regenerated"
# Edit the question: a new version of it, answered anew.
T send-keys -t e2e Up Up
sleep 0.2
T send-keys -t e2e e
wait_for "editing: Enter sends it as a new version"
T send-keys -t e2e C-u "second try" Enter
wait_for "reply-three-5113"
wait_for "‹ 2/2 › edited"
# Fork the conversation; the picker lists the copy with its origin.
T send-keys -t e2e "/fork" Enter
wait_for "forked: a new conversation"
T send-keys -t e2e F2
wait_for "first question (fork)"
wait_for "· forked from “fir"
T send-keys -t e2e Escape
wait_gone "Search:"
# Continue a reply cut off at the token limit: the same message goes on; the prompt ended inside it.
T send-keys -t e2e "capital?" Enter
wait_for "stopped at the token limit · c continues it"
T send-keys -t e2e Tab
sleep 0.2
T send-keys -t e2e c
wait_for "The capital of France is Paris-7741."
wait_for "France is]"
pane | grep -qF "[prompt ends: " || fail "the continued prompt's end should be echoed"
pane | grep -qF "<|assistant|></think>The capital" || fail "the prompt should end inside the reply"
pane | grep -qF "stopped at the token limit" && fail "the end line should go once the reply is complete"
echo "tui-versions: ok"
