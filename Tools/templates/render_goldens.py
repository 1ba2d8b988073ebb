#!/usr/bin/env python3
"""Renders every conversation in Tests/Fixtures/chat/conversations/ with the real chat template through
jinja2, configured the way Hugging Face transformers renders chat templates, into
Tests/Fixtures/chat/goldens/<name>.txt. Also copies the real templates into Tests/Fixtures/chat/templates/, and
renders seeded random conversations into Tests/Fixtures/chat/random/<template>.jsonl (one {"conversation", "expected"}
per line) to check conversations nobody wrote by hand.

Run: ~/.cache/glmchat/refvenv/bin/python Tools/templates/render_goldens.py
Needs jinja2 (and gguf-py for the SmolLM2 template, read from the GGUF's tokenizer.chat_template).
"""
import json, os, random, sys, pathlib
from datetime import datetime
import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIX = ROOT / "Tests/Fixtures/chat"
TESTDATA = pathlib.Path(os.environ.get("GLMCHAT_TESTDATA", os.path.expanduser("~/.cache/glmchat/testdata")))


def hf_environment():
    """transformers.utils.chat_template_utils._compile_jinja_template, minus the generation-tag tracker."""
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        # transformers overrides jinja's tojson (which HTML-escapes) with plain json.dumps.
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return datetime.now().strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def gguf_template(path):
    import gguf
    r = gguf.GGUFReader(str(path))
    f = r.fields["tokenizer.chat_template"]
    return bytes(f.parts[f.data[0]]).decode("utf-8")


def load_templates():
    t = {
        "glm47": (TESTDATA / "templates/GLM-4.7-Flash.jinja").read_text(encoding="utf-8"),
        "smollm2": gguf_template(TESTDATA / "models/SmolLM2-135M-Instruct.Q4_1.gguf"),
    }
    (FIX / "templates").mkdir(parents=True, exist_ok=True)
    (FIX / "templates/GLM-4.7-Flash.jinja").write_text(t["glm47"], encoding="utf-8")
    (FIX / "templates/SmolLM2-135M-Instruct.jinja").write_text(t["smollm2"], encoding="utf-8")
    return t


WORDS = ["hello", "  padded  ", "\n", "line one\nline two", "naïve café", "日本語", "👋🏽", "<b>tag</b>", "a < b > c",
         "quote \" and \\ backslash", "\t tab", "\u00a0nbsp\u00a0", "\u3000ideo\u3000", "", " ", "x"]


def rand_text(r, allow_think=False):
    parts = [r.choice(WORDS) for _ in range(r.randint(0, 4))]
    if allow_think and r.random() < 0.25:
        parts.insert(0, r.choice(["<think>", "\n<think>\n", ""]) + rand_text(r) + r.choice(["</think>", "\n</think>\n\n"]))
    return "".join(parts)


def rand_value(r, depth=0):
    k = r.randint(0, 8 if depth < 2 else 5)
    if k == 0: return rand_text(r)
    if k == 1: return r.randint(-2**40, 2**40)
    if k == 2: return r.choice([0.5, -0.25, 1e-05, 1e16, 1e22, 123.456, 2.5e-07, 1.0, 0.1 + 0.2, 1e15])
    if k == 3: return r.random() < 0.5
    if k == 4: return None
    if k == 5: return r.choice(["42", "true", "[1, 2]", "{}", "null"])
    if k in (6, 7): return [rand_value(r, depth + 1) for _ in range(r.randint(0, 3))]
    return {rand_text(r) or "k": rand_value(r, depth + 1) for _ in range(r.randint(0, 3))}


def rand_content(r, allow_think=False):
    if r.random() < 0.15:
        return [r.choice([{"type": "text", "text": rand_text(r)}, {"type": "image_url", "image_url": {"url": "u"}}, rand_text(r)])
                for _ in range(r.randint(0, 3))]
    return rand_text(r, allow_think)


def rand_conversation(r, template, tools):
    msgs, n_call = [], 0
    for _ in range(r.randint(0, 9)):
        role = r.choice(["system", "user", "user", "assistant", "assistant", "tool"])
        if template == "smollm2":
            msgs.append({"role": role, "content": rand_text(r)})
            continue
        m = {"role": role, "content": rand_content(r, allow_think=role == "assistant")}
        if role == "assistant":
            c = r.random()
            if c < 0.4: m["reasoning_content"] = rand_text(r)
            elif c < 0.5: m["reasoning_content"] = None
            if r.random() < 0.4:
                calls = []
                for _ in range(r.randint(1, 3)):
                    n_call += 1
                    args = {rand_text(r) or "a": rand_value(r) for _ in range(r.randint(0, 3))}
                    calls.append({"id": f"call_{n_call}", "type": "function",
                                  "function": {"name": r.choice(["read_file", "search", "get_weather"]), "arguments": args}})
                m["tool_calls"] = calls
        if role == "tool":
            m = {"role": "tool", "tool_call_id": f"call_{n_call}", "content": rand_text(r)}
        msgs.append(m)
    conv = {"template": template, "messages": msgs, "add_generation_prompt": r.random() < 0.8}
    if template == "glm47":
        if r.random() < 0.5: conv["tools"] = tools[: r.randint(1, len(tools))]
        for k in ("enable_thinking", "clear_thinking"):
            if r.random() < 0.5: conv[k] = r.random() < 0.5
    return conv


def render(templates, conv):
    kwargs = dict(messages=conv["messages"], tools=conv.get("tools") or None,
                  add_generation_prompt=conv.get("add_generation_prompt", True), bos_token="", eos_token="")
    for k in ("enable_thinking", "clear_thinking"):
        if k in conv:
            kwargs[k] = conv[k]
    return templates[conv["template"]].render(**kwargs)


def main():
    env = hf_environment()
    templates = {k: env.from_string(v) for k, v in load_templates().items()}
    out_dir = FIX / "goldens"
    out_dir.mkdir(parents=True, exist_ok=True)
    n = 0
    for path in sorted((FIX / "conversations").glob("*.json")):
        conv = json.loads(path.read_text(encoding="utf-8"))
        (out_dir / (path.stem + ".txt")).write_bytes(render(templates, conv).encode("utf-8"))
        n += 1
    print(f"rendered {n} conversations into {out_dir}")

    tools = json.loads((FIX / "conversations/glm_07_tools_declared.json").read_text(encoding="utf-8"))["tools"]
    (FIX / "random").mkdir(exist_ok=True)
    for template, count in (("glm47", 250), ("smollm2", 60)):
        r = random.Random(f"glmchat-{template}")
        with open(FIX / f"random/{template}.jsonl", "w", encoding="utf-8") as f:
            for _ in range(count):
                conv = rand_conversation(r, template, tools)
                f.write(json.dumps({"conversation": conv, "expected": render(templates, conv)}, ensure_ascii=False) + "\n")
        print(f"rendered {count} random {template} conversations")


if __name__ == "__main__":
    sys.exit(main())
