#!/usr/bin/env bash
# End-to-end: a scripted reply with a heading, a table, a rule and a Swift code block, drawn by the real binary
# at 120 columns (the table in aligned columns, the long code line wrapped with ↪) and at 40 (the table as a list).
set -uo pipefail
NAME=tui-markdown
source "$(dirname "$0")/lib/tmux-harness.bash"
SCRIPT=$PWD/Tests/e2e/fixtures/markdown-script.json

for W in 120 40; do
  T kill-session -t e2e 2>/dev/null
  T new-session -d -s e2e -x $W -y 40 -c "$TMP/ws" "$ENVV $BIN --demo-script $SCRIPT --no-save; echo GLMCHAT-EXIT=\$?; sleep 600"
  wait_for "Type a message"
  T send-keys -t e2e "plan please" Enter
  wait_for "struct Greeter"
  wait_for "└"
  screen=$(pane)
  echo "$screen" | grep -qF "Release plan" || fail "the heading is missing at $W columns"
  echo "$screen" | grep -qF "# Release plan" && fail "the heading kept its # marks at $W columns"
  echo "$screen" | grep -qF "|------" && fail "the table stayed raw pipes at $W columns"
  echo "$screen" | grep -qF "~~maybe~~" && fail "the strikethrough stayed raw at $W columns"
  echo "$screen" | grep -qF "the notes" || fail "the link text is missing at $W columns"
  echo "$screen" | grep -qF "(https://example.com/notes)" || fail "the link address is missing at $W columns"
  echo "$screen" | grep -qF "[the notes]" && fail "the link stayed raw at $W columns"
  echo "$screen" | grep -qF "┌ swift" || fail "the code block has no header at $W columns"
  echo "$screen" | grep -qF "↪" || fail "the long code line has no continuation mark at $W columns"
  if [ "$W" = 120 ]; then
    echo "$screen" | grep -qE "Step +│ +Owner +│ Command +│ What happens +│ +Duration" || fail "the table header is not in aligned columns"
    echo "$screen" | grep -qE "build +│ +ci +│ swift build -c release +│ compiles every module in release mode +│ +20 minutes" || fail "a table row is not in aligned columns"
    echo "$screen" | grep -qE "^ *─{100,}" || fail "the rule does not span the width"
  else
    echo "$screen" | grep -qF "• Step: build" || fail "the narrow table is not a list"
    echo "$screen" | grep -qF "What happens: compiles every" || fail "the narrow table's cells are not labelled"
    echo "$screen" | grep -qF "Duration: 20 minutes" || fail "the narrow table lost a column"
  fi
done
echo "tui-markdown: ok"
