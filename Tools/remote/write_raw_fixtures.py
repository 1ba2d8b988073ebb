#!/usr/bin/env python3
# Writes the two hand-made recordings of servers that do not split reasoning (raw GLM text in `content`):
# llama-cpp-python / sse-starlette framing with CRLF and ping comments, and llama-server with thinking forced
# open by the template (only `</think>` appears). The vLLM and SGLang recordings were written by hand.
# Usage: python3 Tools/remote/write_raw_fixtures.py Tests/Fixtures/remote
import json, os, sys

out = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/remote"

def chunk(delta, finish=None):
    return "data: " + json.dumps({"id": "chatcmpl-6a1f", "object": "chat.completion.chunk", "created": 1763905500,
                                  "model": "GLM-4.7-Flash-Q4_K_M.gguf",
                                  "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]},
                                 ensure_ascii=False, separators=(",", ":"))

lines = [chunk({"role": "assistant"}), ": ping - 2026-11-23 17:58:20.118207+00:00"]
for piece in ["<th", "ink>The file list", " is needed. Call ls", ".</th", "ink>", "\n",
              "<tool_call>list_dir<arg_key>path</arg_key><arg_", "value>src/é</arg_value><arg_key>depth</arg_key>",
              "<arg_value>2</arg_value></tool_call>"]:
    lines.append(chunk({"content": piece}))
lines += [": ping - 2026-11-23 17:58:35.120001+00:00", chunk({}, "stop"), "data: [DONE]"]
with open(os.path.join(out, "llamacpp-raw-think-crlf.sse"), "w", newline="") as f:
    f.write("".join(l + "\r\n\r\n" for l in lines))

lines = [chunk({"role": "assistant"})]
for piece in ["Ok", "ay, the user greets me", ". Reply briefly.</", "think>Hello", "! How can I help", " you today?"]:
    lines.append(chunk({"content": piece}))
lines.append(chunk({}, "stop"))
usage = {"id": "chatcmpl-6a1f", "object": "chat.completion.chunk", "created": 1763905500, "model": "GLM-4.7-Flash-Q4_K_M.gguf",
         "choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 20, "total_tokens": 29},
         "timings": {"cache_n": 4, "prompt_n": 5, "prompt_ms": 50.0, "predicted_n": 20, "predicted_ms": 400.0}}
lines += ["data: " + json.dumps(usage, separators=(",", ":")), "data: [DONE]"]
with open(os.path.join(out, "llamaserver-raw-forced-open.sse"), "w", newline="") as f:
    f.write("".join(l + "\n\n" for l in lines))
