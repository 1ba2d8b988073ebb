#!/usr/bin/env bash
# End-to-end: compaction with the scripted backend — three turns, `/compact 1` has the model (a scripted turn)
# summarise the first two, the summary block appears where they end and opens with Enter; the next message is sent
# as system + summary + the last turn + itself (the script echoes the messages it got, and the system message);
# `/compact drop` sends everything again. Then the setting "auto_compact" summarises before a message that would fill the context.
set -uo pipefail
NAME=tui-compact
source "$(dirname "$0")/lib/tmux-harness.bash"
SCRIPT=$PWD/Tests/e2e/fixtures/compact-script.json

start_in_workspace
wait_for "Type a message and press Enter"
T send-keys -t e2e "/system Remember colours." Enter
wait_for "system prompt set"
for c in red green blue; do
  T send-keys -t e2e "my colour is $c" Enter
  wait_for "reply-$c"
  wait_gone "stops the reply" 5   # the reply is over (the footer's hint goes)
done

T send-keys -t e2e "/compact 1" Enter
wait_for "compacted 4 messages into a"
wait_for "▸ Summary of 4 earlier messages · 64 bytes"
# The block sits between the covered turns and the kept one.
pane | grep -A2 -F "reply-green" | grep -qF "▸ Summary of 4 earlier messages" || fail "the summary block should follow the last covered reply"
pane | grep -A2 -F "▸ Summary of 4 earlier messages" | grep -qF "my colour is blue" || fail "the kept turn should follow the summary block"

# Open it from the transcript.
T send-keys -t e2e Tab
for i in 1 2 3 4 5 6; do
  pane | grep -qF "▌ ▸ Summary of" && break
  T send-keys -t e2e Up; sleep 0.1
done
T send-keys -t e2e Enter
wait_for "▾ Summary of 4 earlier messages"
wait_for "│ - The user named three colours: red, green, blue (SUMMARY-6620)."
T send-keys -t e2e Escape
sleep 0.3   # a key right after Esc would read as Alt-key

# What the model gets now: the system message (prompt + summary), the last turn, the new message.
T send-keys -t e2e "what did you get" Enter
wait_for "sent 4 messages:"
wait_for "• system: Remember colours."
wait_for "• user: my colour is blue"
wait_for "• assistant: Blue noted (reply-blue)."
wait_for "• user: what did you get"
pane | grep -qF -- "• user: my colour is red" && fail "a summarised message was sent"
T send-keys -t e2e "show the system message" Enter
wait_for "Summary of the earlier conversation"
wait_for "SUMMARY-6620)."

# Dropped: the whole conversation is sent again.
T send-keys -t e2e "/compact drop" Enter
wait_for "summary dropped"
wait_gone "▸ Summary of"
T send-keys -t e2e "and now" Enter
wait_for "sent 12 messages:"
echo "tui-compact: /compact ok"

# Automatic compaction (the setting on, a 1,200-token context): the fourth message would take the prompt past 85 %
# of its room, so the first two turns are summarised before it is sent, and the transcript says so.
SCRIPT=$PWD/Tests/e2e/fixtures/auto-compact-script.json
mkdir -p "$TMP/config/glmchat"
echo '{"auto_compact": true}' > "$TMP/config/glmchat/settings.json"
start_in_workspace
wait_for "Type a message and press Enter"
for w in first second third; do
  T send-keys -t e2e "the $w question" Enter
  wait_for "answer-$w:"
  wait_gone "stops the reply" 5
done
T send-keys -t e2e "the fourth question" Enter
wait_for "sent 4 messages:"
wait_for "• user: the third question"
wait_for "• user: the fourth question"
wait_for "of its room in the context: compacted 4 messages"
pane | grep -qF "▸ Summary of 4 earlier messages" || { T send-keys -t e2e PPage; wait_for "▸ Summary of 4 earlier messages"; }
echo "tui-compact: automatic compaction ok"
