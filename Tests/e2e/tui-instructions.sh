#!/usr/bin/env bash
# End-to-end: the workspace's AGENTS.md reaches the model in the system message (the scripted backend echoes
# the system message it was sent), is shown folded at the top of the transcript with its size, and
# --no-instructions leaves it out; /system puts the conversation's own prompt before it; the / completion list;
# a custom command from .glmchat/commands sends its text with $ARGUMENTS filled in; `@READ` + Tab completes a
# workspace file and the sent message carries its text.
set -uo pipefail
NAME=tui-instructions
source "$(dirname "$0")/lib/tmux-harness.bash"
SCRIPT=$PWD/Tests/e2e/fixtures/echo-script.json
printf '# House rules\n\nIndent with tabs-7391.\n' > "$TMP/ws/AGENTS.md"
mkdir -p "$TMP/ws/.glmchat/commands"
printf 'Say hello to $ARGUMENTS, please.\n' > "$TMP/ws/.glmchat/commands/greet.md"
printf 'The readme-2931 text.\n' > "$TMP/ws/README.md"

start_in_workspace
wait_for "▸ Instructions · AGENTS.md · 38 bytes"
T send-keys -t e2e "show the system message" Enter
wait_for "Project instructions (from AGENTS.md)"
wait_for "Indent with tabs-7391."

# /system: the list as it is typed, then the conversation's own prompt goes first.
T send-keys -t e2e "/sys"
wait_for "/system [TEXT | clear]"
T send-keys -t e2e Tab "Answer in haiku-5521." Enter
wait_for "system prompt set"
wait_for "▸ System prompt · 21 characters"
T send-keys -t e2e "show the system message once more" Enter
wait_for "Answer in haiku-5521."
pane | grep -A3 -F "Answer in haiku-5521." | grep -qF "Project instructions (from AGENTS.md)" || fail "the instructions should follow the system prompt"

# A custom command.
T send-keys -t e2e "/gr"
wait_for "custom · .glmchat/commands/greet.md"
T send-keys -t e2e Tab "the team" Enter
wait_for "echo: Say hello to the team, please."

# @file: completed from the workspace's files, attached to the message sent.
T send-keys -t e2e "read the attached @READ"
wait_for "@README.md"
T send-keys -t e2e Tab
T send-keys -t e2e Enter
wait_for "▸ 📎 README.md · 22 bytes"
wait_for '<file path="README.md">'
wait_for "The readme-2931 text."

start_in_workspace --no-instructions
wait_for "Type a message and press Enter"
pane | grep -qF "Instructions ·" && fail "--no-instructions still shows the instructions"
T send-keys -t e2e "show the system message again" Enter
wait_for "(no system message)"
pane | grep -qF "tabs-7391" && fail "--no-instructions still sent them"
echo "tui-instructions: ok"
