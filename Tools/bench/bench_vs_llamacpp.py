#!/usr/bin/env python3
"""Side-by-side prefill/decode speed of glmchat and llama.cpp on the same GGUF files and thread counts."""
# For every model and thread count the two engines run back to back (llama.cpp first, then glmchat), each
# with its own repetitions; the table shows medians and the ratio glmchat / llama.cpp. Decode GB/s is the
# bytes of weights one token reads (glmchat's count: dense tensors, one embedding row, 4 of 64 experts)
# times tokens/s, also as a fraction of the machine's read bandwidth (Tools/bench/membw.c) at the same
# thread count. Results are also written as JSON next to the models.
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_json(cmd, env=None) -> dict:
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()[-800:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def membw(threads: int) -> dict:
    exe = os.path.join(os.environ.get("TMPDIR", "/tmp"), "glmchat-membw")
    cc = os.environ.get("CC", "clang")
    subprocess.run([cc, "-O2", "-pthread", os.path.join(HERE, "membw.c"), "-o", exe], check=True)
    out = subprocess.run([exe, "1024", str(threads), "9"], capture_output=True, text=True, check=True).stdout
    return {int(a): float(b) for a, b in (line.split() for line in out.strip().splitlines())}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--glmchat", required=True, help="the glmchat executable")
    ap.add_argument("--python", default=sys.executable, help="python with llama-cpp-python")
    ap.add_argument("--models", required=True, help="comma-separated GGUF paths")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("-p", type=int, default=512)
    ap.add_argument("-n", type=int, default=128)
    ap.add_argument("-r", type=int, default=3)
    ap.add_argument("--out", help="write the results as JSON here")
    a = ap.parse_args(argv)
    threads = [int(t) for t in a.threads.split(",")]
    models = [m for m in a.models.split(",") if m]

    bw = membw(max(threads))
    print(f"machine: {cpu_name()}, {os.cpu_count()} CPUs; read bandwidth "
          + ", ".join(f"{t} thread{'s' if t > 1 else ''} {bw[t]:.1f} GB/s" for t in sorted(bw)), flush=True)
    load = os.getloadavg()[0]
    print(f"load average at start: {load:.1f}", flush=True)
    rows = []
    for m in models:
        for t in threads:
            ref = run_json([a.python, os.path.join(HERE, "llama_bench.py"), m, "-p", str(a.p), "-n", str(a.n), "-t", str(t), "-r", str(a.r)])
            ours = run_json([a.glmchat, "bench", "-m", m, "-p", str(a.p), "-n", str(a.n), "-t", str(t), "-r", str(a.r), "--json"])
            row = {"model": os.path.basename(m), "threads": t, "llama.cpp": ref, "glmchat": ours}
            rows.append(row)
            pr = ours["prefill_tps"]["median"] / ref["prefill_tps"]["median"]
            dr = ours["decode_tps"]["median"] / ref["decode_tps"]["median"] if ref["decode_tps"]["median"] else 0
            print(f"  {row['model']} t={t}: prefill {ref['prefill_tps']['median']:.1f} vs {ours['prefill_tps']['median']:.1f} "
                  f"(×{pr:.2f}), decode {ref['decode_tps']['median']:.2f} vs {ours['decode_tps']['median']:.2f} (×{dr:.2f})", flush=True)

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(f"prefill {a.p} tokens, decode {a.n} tokens, median of {a.r} repetitions (tok/s); {date}")
    print("| model | threads | prefill llama.cpp | prefill glmchat | ratio | decode llama.cpp | decode glmchat | ratio | glmchat decode GB/s | of read bandwidth | llama.cpp same |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        ref, ours, t = r["llama.cpp"], r["glmchat"], r["threads"]
        rp, op = ref["prefill_tps"]["median"], ours["prefill_tps"]["median"]
        rd, od = ref["decode_tps"]["median"], ours["decode_tps"]["median"]
        wb = ours.get("decode_weight_bytes", 0)
        gbs, rgbs = od * wb / 1e9, rd * wb / 1e9
        print(f"| {r['model']} | {t} | {rp:.1f} | {op:.1f} | {op / rp:.2f} | {rd:.2f} | {od:.2f} | {od / rd if rd else 0:.2f} "
              f"| {gbs:.1f} | {gbs / bw[t]:.0%} | {rgbs / bw[t]:.0%} |")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"date": date, "cpu": cpu_name(), "cpus": os.cpu_count(), "read_gbps": bw, "prompt_tokens": a.p,
                       "gen_tokens": a.n, "repetitions": a.r, "load_start": load, "load_end": os.getloadavg()[0], "rows": rows}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
