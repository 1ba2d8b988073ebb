#!/usr/bin/env python3
"""Writes Tests/TUITests/Fixtures/markdown-spec.json: the CommonMark 0.31.2 spec examples of the sections the
transcript renders, plus markdown-it's GFM table and strikethrough fixtures, all taken from the
markdown-it-py 4.3.0 sdist on PyPI (MIT; the spec text is CC-BY-SA 4.0). Run from the repo root:
    python3 Tools/markdown/make_spec_fixture.py
"""
import json, os, subprocess, sys, tarfile, tempfile

SECTIONS = ["ATX headings", "Setext headings", "Thematic breaks", "Fenced code blocks", "Indented code blocks",
            "Block quotes", "List items", "Lists", "Paragraphs", "Emphasis and strong emphasis", "Links",
            "Code spans", "Autolinks", "Backslash escapes", "Hard line breaks", "Soft line breaks", "Images"]
VERSION = "4.3.0"

def fixture_examples(text, section):
    """markdown-it's fixture format: a title, then '.', markdown, '.', html, '.'."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        if lines[i] == ".":
            j = lines.index(".", i + 1); k = lines.index(".", j + 1)
            out.append({"section": section, "example": len(out) + 1,
                        "markdown": "\n".join(lines[i + 1:j]) + "\n", "html": "\n".join(lines[j + 1:k]) + "\n"})
            i = k + 1
        else:
            i += 1
    return out

def main():
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                        "-d", d, f"markdown-it-py=={VERSION}"], check=True)
        root = f"markdown_it_py-{VERSION}/tests/"
        with tarfile.open(os.path.join(d, f"markdown_it_py-{VERSION}.tar.gz")) as t:
            read = lambda p: t.extractfile(root + p).read().decode()
            spec = json.loads(read("test_cmark_spec/commonmark.json"))
            tables = read("test_port/fixtures/tables.md")
            strike = read("test_port/fixtures/strikethrough.md")
    ex = [{k: e[k] for k in ("section", "example", "markdown", "html")} for e in spec if e["section"] in SECTIONS]
    ex += fixture_examples(tables, "GFM tables (markdown-it)")
    ex += fixture_examples(strike, "Strikethrough (markdown-it)")
    path = os.path.join("Tests", "TUITests", "Fixtures", "markdown-spec.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"source": f"markdown-it-py {VERSION} sdist (CommonMark 0.31.2 spec, markdown-it fixtures)", "examples": ex},
                  f, ensure_ascii=False, indent=0)
        f.write("\n")
    print(path, len(ex), "examples")

main()
