#!/usr/bin/env python3
"""Renders every conversation in Tests/Fixtures/chat/conversations/ with the real chat template through
jinja2, configured the way Hugging Face transformers renders chat templates, into
Tests/Fixtures/chat/goldens/<name>.txt. Also copies the real templates into Tests/Fixtures/chat/templates/.

Run: ~/.cache/glmchat/refvenv/bin/python Tools/templates/render_goldens.py
Needs jinja2 (and gguf-py for the SmolLM2 template, read from the GGUF's tokenizer.chat_template).
"""
import json, os, sys, pathlib
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


def main():
    env = hf_environment()
    templates = {k: env.from_string(v) for k, v in load_templates().items()}
    out_dir = FIX / "goldens"
    out_dir.mkdir(parents=True, exist_ok=True)
    n = 0
    for path in sorted((FIX / "conversations").glob("*.json")):
        conv = json.loads(path.read_text(encoding="utf-8"))
        kwargs = dict(messages=conv["messages"], tools=conv.get("tools") or None,
                      add_generation_prompt=conv.get("add_generation_prompt", True),
                      bos_token="", eos_token="")
        for k in ("enable_thinking", "clear_thinking"):
            if k in conv:
                kwargs[k] = conv[k]
        text = templates[conv["template"]].render(**kwargs)
        (out_dir / (path.stem + ".txt")).write_bytes(text.encode("utf-8"))
        n += 1
    print(f"rendered {n} conversations into {out_dir}")


if __name__ == "__main__":
    sys.exit(main())
