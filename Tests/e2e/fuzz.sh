#!/usr/bin/env bash
# Fuzzing in CI: every parser of outside input (JSON, session files, GGUF headers, model replies, terminal input)
# runs under libFuzzer with AddressSanitizer for 20 s from its seed corpus (scripts/fuzz); any crash fails.
set -uo pipefail
cd "$(dirname "$0")/../.."
scripts/fuzz "${GLMCHAT_FUZZ_SECONDS:-20}"
