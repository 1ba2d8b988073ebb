"""The tokenizer test corpus: hand-written cases plus seeded random mixtures (bytes, some invalid UTF-8)."""
import random

HAND = [
    # code
    "def fib(n: int) -> int:\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\nprint([fib(i) for i in range(10)])\n",
    "struct Point: Hashable {\n\tvar x: Double, y: Double\n\tfunc dist(_ o: Point) -> Double { ((x-o.x)*(x-o.x) + (y-o.y)*(y-o.y)).squareRoot() }\n}\n",
    "#include <stdio.h>\nint main(int argc, char **argv) {\n    for (int i = 0; i < argc; ++i) printf(\"%s\\n\", argv[i]);\n    return 0;\n}\n",
    "const xs = [1, 2, 3].map((x) => x ** 2).filter(x => x !== 4); // => [1, 9]\nconsole.log(`${xs.length} items`);\n",
    "fn main() {\n    let v: Vec<u64> = (1..=20).filter(|n| n % 3 == 0).collect();\n    println!(\"{:?}\", v);\n}\n",
    "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tch := make(chan int, 3)\n\tgo func() { ch <- 42 }()\n\tfmt.Println(<-ch)\n}\n",
    "#!/usr/bin/env bash\nset -euo pipefail\nfor f in *.txt; do\n  wc -l \"$f\" | awk '{print $1}' >> /tmp/out.log 2>&1\ndone\n",
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Test &amp; more</title></head>\n<body><p class='x'>Hi</p></body></html>\n",
    "SELECT u.id, COUNT(*) AS n FROM users u JOIN orders o ON o.user_id = u.id WHERE o.total >= 100.50 GROUP BY u.id HAVING n > 3;",
    "{\"name\": \"glmchat\", \"version\": \"0.1.0\", \"deps\": [\"a\", \"b\"], \"ok\": true, \"n\": -1.5e-10}",
    "    indented    with    many    spaces\t\ttabs\t\t\n\n\n\n    and blank lines\n",
    "if (a&&b||!c) { x+=1; y-=2; z*=3; w/=4; q%=5; r<<=1; s>>=2; t^=u; } else if(x!=y){return;}",
    "    \n    \n\t\n  \n",
    # natural language
    "Hello world! It's a test: don't, won't, I'm, you're, they've, we'll, he'd. IT'S LOUD, DON'T SHOUT, I'LL GO, WE'VE.",
    "The quick brown fox jumps over the lazy dog. 'Quoted' and \"double quoted\" and ’curly’ apostrophes’s.",
    "生活的真谛在于发现美、感受美。我们今天去北京，明天去上海！你好吗？",
    "日本語のテキスト：東京は日本の首都です。カタカナとひらがなと漢字。ｶﾀｶﾅ（半角）",
    "한국어 텍스트입니다. 안녕하세요! 서울은 대한민국의 수도입니다. ᄀᄁᄂ 한글 자모",
    "Ελληνικά κείμενα και Кириллица: Привет, мир! Ünïcödé façade naïve coöperate Ærø Ǆ ǅ ǆ",
    "مرحبا بالعالم! هذا نص عربي. שלום עולם. हिन्दी पाठ: नमस्ते दुनिया। ภาษาไทย สวัสดีครับ",
    "e\u0301 a\u0308 n\u0303 o\u0302\u0323 combining: Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dA\u036b\u0357\u0334",
    # emoji
    "👨‍👩‍👧‍👦 family, 👍🏽 thumbs, 🏳️‍🌈 flag, 🇩🇪🇯🇵 flags, 🧑🏿‍💻 coder, ❤️‍🔥, 👩🏻‍❤️‍💋‍👨🏼, 1️⃣ #️⃣ ©️ ™️",
    "😀😃😄😁😆😅🤣😂🙂🙃🫠😉😊😇🥰😍🤩😘 🫶🏻🫶🏿 🪿🫎🪼",
    # numbers
    "1234567890 12 123 1234 12345 3.14159 -0.5e+10 1,000,000 1_000_000 0xDEADBEEF 0b1010 007 2024-01-01T12:34:56Z",
    "٠١٢٣٤٥٦٧٨٩ ۱۲۳ १२३ １２３４５ ²³¹ ½ ¾ Ⅻ ⅷ ① ⑳ 𝟘𝟙𝟚 〇 三",
    "99999999999999999999999999999999 0000000000 1.2.3.4 v1.0.0-beta+exp.sha.5114f85",
    # whitespace
    " " * 50 + "x" + " " * 51,
    "\t" * 20 + "tabbed\t\t\t",
    "line1\r\nline2\r\n\r\nline3\rline4\n\r\n  \r\n",
    "a\u00a0b\u2000c\u2003d\u3000e\u2028f\u2029g\u0085h\u202fi\u205fj\u1680k",
    "\n\n\n\n\n\n\n\n\n\n",
    "   ",
    " ",
    "",
    "\u200b\u200c\u200d\ufeff zero-width and BOM \u00ad soft hyphen \u061c",
    "\x00\x01\x07\x1b[31mred\x1b[0m\x7f\x1c\x1d\x1e\x1f",
    "unassigned \u0378 \U0001CC00 \U0001FAE9 \U000E0001 private \ue000 \U000F0000 noncharacter \ufffe \uffff",
    "𠀀𠀁𪜀 CJK ext 𰀀 𮯠 㐀 䶵 豈 ⺀ ㈱ 〄",
    "math ∑∫∂√∞≈≠≤≥ ⊂⊃∈∉ → ← ↔ ⇒ ⟨x⟩ ℝ ℕ ℤ ℚ ℂ 𝔸 𝕏 ∀∃",
    "currency $5 €10 £3 ¥100 ₹50 ₿0.1 ¢ ₩1000",
    # special token text
    "<|endoftext|>hello<|endoftext|> <|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>",
    "[gMASK]<sop><|system|>Be brief.<|user|>Say hi<|assistant|><think></think>hi<|observation|><tool_call>x<arg_key>k</arg_key><arg_value>v</arg_value></tool_call>",
    "<｜begin▁of▁sentence｜>User: hi<｜end▁of▁sentence｜> <s> </s> <unk> <|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>",
    "<|endoftext|><|endoftext|><|endoftext|>",
    "<|endof<|endoftext|>text|>",
    "<<|im_start|>>",
]

INVALID = [
    b"\xff", b"\xfe\xff", b"abc\x80def", b"\xc3", b"\xc3(", b"\xe4\xb8", b"\xe4\xb8\xad\xe6",
    b"\xf0\x9f\x98", b"\xf0\x9f\x98\x80\xf0\x9f", b"\xc0\xaf\xc1\xbf", b"\xe0\x80\xaf", b"\xed\xa0\x80\xed\xbf\xbf",
    # (F4 90.. and F5..F7 lead bytes with three continuations decode above U+10FFFF: llama.cpp aborts on them)
    b"\xf4\x90", b"\xf5\x80", b"\xf8\x88\x80\x80\x80", b"\x80\x81\x82 x \xbf",
    b"hello \xe2\x80 world \xe2\x82\xac", b"  \xa0 \xc2\xa0 ", b"\xef\xbb\xbfBOM", b"caf\xe9 na\xefve",
    b"<|endoftext|>\xff<|endoftext|>", b"\r\n\xff\r\n", b"12\xff34\xff567",
]

POOLS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "0123456789", "٠١٢٣٤٥٦٧٨٩１２３½²Ⅻ①",
    " " * 8 + "\t\n\r" + "\u00a0\u3000\u2003\u2028\u0085\u000b\u000c",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "，。！？、；：“”‘’（）【】《》…—·",
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年", "あいうえおかきくけこアイウエオカキクケコー々", "한국어가나다라마바사아자차카타파하",
    "αβγδεζηθΑΒΓΔЖЗИЙКЛабвгд", "\u0301\u0308\u0327\u0303\u0323\u093f\u0947\u0e31\u0e34\u064e\u05b8",
    "😀👍🏽🏻🏿\u200d❤️🔥👨👩👧🇩🇪🇯🇵\ufe0f⃣",
    "∑∫√∞≈≠€£¥₹©®™°§¶†‡•", "\u200b\u200c\ufeff\u00ad\x00\x07\x1b\x7f\ue000\u0378",
    "'s't're've'm'll'd'S'T'RE'VE'M'LL'D", "<|im_start|><|im_end|><|endoftext|><|eot_id|><s></s>",
    "𠀀𠀁𪜀𰀀𝟘𝔸\U0001CC00\U0001FAE9",
]

def random_cases(seed=1234, n=400):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        length = rng.choice([1, 2, 3, 5, 8, 13, 21, 40, 80, 160])
        k = rng.randint(1, 4)
        pools = rng.sample(POOLS, k)
        s = "".join(rng.choice(rng.choice(pools)) for _ in range(length))
        b = s.encode("utf-8", "surrogatepass")
        if rng.random() < 0.1:  # sprinkle invalid bytes
            pos = rng.randint(0, len(b))
            b = b[:pos] + bytes([rng.choice([0x80, 0xbf, 0xc3, 0xe4, 0xf0, 0xff, 0xed])]) + b[pos:]
        out.append(b)
    return out

def long_documents():
    rng = random.Random(99)
    docs = []
    for _ in range(3):
        parts = [rng.choice(HAND) for _ in range(40)]
        docs.append("".join(parts).encode())
    return docs

def corpus():
    return [h.encode("utf-8", "surrogatepass") for h in HAND] + INVALID + random_cases() + long_documents()
