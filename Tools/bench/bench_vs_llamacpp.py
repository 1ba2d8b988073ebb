#!/usr/bin/env python3
"""Side-by-side prefill/decode speed of glmchat and llama.cpp on the same GGUF files and thread counts."""
# For every model and thread count the two engines run back to back (llama.cpp first, then glmchat), each
# with its own repetitions; the table shows medians and the ratio glmchat / llama.cpp. Decode GB/s is the
# bytes of weights one token reads (glmchat's count: dense tensors, one embedding row, 4 of 64 experts)
# times tokens/s, also as a fraction of the machine's read bandwidth (Tools/bench/membw.c) at the same
# thread count, probed right before each glmchat run (median over the rounds): on a shared VM the bandwidth
# drifts by 2x over a day and by 20 % within minutes, so one probe at the start misjudges later rows.
# Results are also written as JSON next to the models.
# On a busy machine wall-clock rates mostly measure how much CPU each engine was given, so the engines are
# also compared by CPU seconds per token (all threads; for t > 1 this counts spin-waiting too, so it is a
# work measure for t = 1): llama.cpp measures its own process CPU time per phase; glmchat's comes from the
# rusage of three `glmchat bench` runs (prefill+decode, prefill only, load only) subtracted. --rounds R
# repeats the whole llama.cpp/glmchat pair R times, alternating, and takes medians over the rounds.
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_json(cmd) -> dict:
    """The JSON line a command prints (its last line)."""
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()[-800:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def child_cpu() -> float:
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def glmchat_run(exe, m, p, n, t, r) -> tuple[dict, float]:
    """`glmchat bench` output and the CPU seconds the run used (rusage of waited-for children, differenced)."""
    c0 = child_cpu()
    res = run_json([exe, "bench", "-m", m, "-p", str(p), "-n", str(n), "-t", str(t), "-r", str(r), "--json"])
    return res, child_cpu() - c0


def median(xs):
    s = sorted(xs)
    return (s[(len(s) - 1) // 2] + s[len(s) // 2]) / 2 if s else 0


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


MEMBW = os.path.join(os.environ.get("TMPDIR", "/tmp"), "glmchat-membw")


def membw(threads: int) -> dict:
    """GB/s read by 1…threads threads (best of 9), from Tools/bench/membw.c (built on first use)."""
    if not os.path.exists(MEMBW):
        subprocess.run([os.environ.get("CC", "clang"), "-O2", "-pthread", os.path.join(HERE, "membw.c"), "-o", MEMBW], check=True)
    out = subprocess.run([MEMBW, "1024", str(threads), "9"], capture_output=True, text=True, check=True).stdout
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
    ap.add_argument("--rounds", type=int, default=1, help="alternate the two engines this many times")
    ap.add_argument("--no-cpu", action="store_true", help="skip glmchat's extra runs for CPU time")
    ap.add_argument("--out", help="write the results as JSON here")
    a = ap.parse_args(argv)
    threads = [int(t) for t in a.threads.split(",")]
    models = [os.path.expanduser(m) for m in a.models.split(",") if m]
    for m in models:
        if not os.path.exists(m):
            raise SystemExit(f"The model {m} does not exist.")

    if os.path.exists(MEMBW):
        os.remove(MEMBW)  # rebuilt from this checkout's membw.c
    bw = membw(max(threads))
    print(f"machine: {cpu_name()}, {os.cpu_count()} CPUs; read bandwidth "
          + ", ".join(f"{t} thread{'s' if t > 1 else ''} {bw[t]:.1f} GB/s" for t in sorted(bw)), flush=True)
    load = os.getloadavg()[0]
    print(f"load average at start: {load:.1f}", flush=True)
    rows = []
    for m in models:
        # The page cache as a model file normally sits in it (read from disk in 2 MB folios, not as the 4 KB pages
        # it was just written in) and resident for both engines: one glmchat load drops a freshly written file's
        # cache (MappedFile.preferHugePages), its decode reads every weight back in.
        glmchat_run(a.glmchat, m, 1, 1, 1, 1)
        for t in threads:
            refs, ours, probes, cpu = [], [], [], {"full": [], "prefill": [], "load": []}
            for _ in range(a.rounds):
                ref = run_json([a.python, os.path.join(HERE, "llama_bench.py"), m, "-p", str(a.p), "-n", str(a.n), "-t", str(t), "-r", str(a.r)])
                refs.append(ref)
                probes.append(membw(t)[t])
                res, c = glmchat_run(a.glmchat, m, a.p, a.n, t, a.r)
                ours.append(res); cpu["full"].append(c)
                if not a.no_cpu:
                    cpu["prefill"].append(glmchat_run(a.glmchat, m, a.p, 0, t, a.r)[1])
                    cpu["load"].append(glmchat_run(a.glmchat, m, 1, 0, t, 1)[1])
            row = {"model": os.path.basename(m), "threads": t, "llama.cpp": refs, "glmchat": ours, "glmchat_cpu_s": cpu,
                   "ref_pp": median([x["prefill_tps"]["median"] for x in refs]), "ref_tg": median([x["decode_tps"]["median"] for x in refs]),
                   "our_pp": median([x["prefill_tps"]["median"] for x in ours]), "our_tg": median([x["decode_tps"]["median"] for x in ours]),
                   "ref_pp_cpu": median([x["prefill_cpu_s_per_token"] for x in refs]), "ref_tg_cpu": median([x["decode_cpu_s_per_token"] for x in refs]),
                   "weight_bytes": ours[0].get("decode_weight_bytes", 0), "read_gbps": median(probes), "read_gbps_probes": probes}
            if not a.no_cpu:
                row["our_pp_cpu"] = median([(p - l) / (a.r * a.p) for p, l in zip(cpu["prefill"], cpu["load"])])
                row["our_tg_cpu"] = median([(f - p) / (a.r * a.n) for f, p in zip(cpu["full"], cpu["prefill"])]) if a.n else 0
            rows.append(row)
            if a.out:  # partial results survive a later failure
                with open(a.out, "w") as f:
                    json.dump({"partial": True, "read_gbps": bw, "rows": rows}, f, indent=1)
            print(f"  {row['model']} t={t}: prefill {row['ref_pp']:.1f} vs {row['our_pp']:.1f} (×{row['our_pp'] / row['ref_pp']:.2f}), "
                  f"decode {row['ref_tg']:.2f} vs {row['our_tg']:.2f} (×{row['our_tg'] / row['ref_tg'] if row['ref_tg'] else 0:.2f})", flush=True)

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(f"prefill {a.p} tokens, decode {a.n} tokens; tok/s = median over {a.rounds} round(s) of the median of {a.r} repetitions; {date}")
    print("| model | threads | prefill llama.cpp | prefill glmchat | ratio | decode llama.cpp | decode glmchat | ratio | glmchat decode GB/s | read bandwidth GB/s | of it | llama.cpp same |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        t, wb, rb = r["threads"], r["weight_bytes"], r["read_gbps"]
        rp, op, rd, od = r["ref_pp"], r["our_pp"], r["ref_tg"], r["our_tg"]
        gbs, rgbs = od * wb / 1e9, rd * wb / 1e9
        print(f"| {r['model']} | {t} | {rp:.1f} | {op:.1f} | {op / rp:.2f} | {rd:.2f} | {od:.2f} | {od / rd if rd else 0:.2f} "
              f"| {gbs:.1f} | {rb:.1f} | {gbs / rb:.0%} | {rgbs / rb:.0%} |")
    if not a.no_cpu:
        print()
        print("CPU milliseconds per token (user + system, all threads; lower is better; ratio = llama.cpp / glmchat, > 1 means glmchat does less work)")
        print("| model | threads | prefill llama.cpp | prefill glmchat | ratio | decode llama.cpp | decode glmchat | ratio | glmchat decode GB/s per CPU-second |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            rp, op, rd, od = r["ref_pp_cpu"] * 1e3, r["our_pp_cpu"] * 1e3, r["ref_tg_cpu"] * 1e3, r["our_tg_cpu"] * 1e3
            print(f"| {r['model']} | {r['threads']} | {rp:.1f} | {op:.1f} | {rp / op if op else 0:.2f} | {rd:.1f} | {od:.1f} | {rd / od if od else 0:.2f} "
                  f"| {r['weight_bytes'] / 1e9 / (od / 1e3) if od else 0:.1f} |")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"date": date, "cpu": cpu_name(), "cpus": os.cpu_count(), "read_gbps": bw, "prompt_tokens": a.p,
                       "gen_tokens": a.n, "repetitions": a.r, "load_start": load, "load_end": os.getloadavg()[0], "rows": rows}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
