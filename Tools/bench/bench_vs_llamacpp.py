#!/usr/bin/env python3
"""Side-by-side prefill/decode speed of glmchat, llama.cpp and ik_llama.cpp on the same GGUF files and thread counts."""
# For every model and thread count the engines run back to back (llama.cpp, ik_llama.cpp, then glmchat), each
# with its own repetitions; the table shows medians and the ratios glmchat / reference. --depths 0,8192 measures
# prefill of -p tokens and decode of -n tokens after D tokens already in the cache (filled untimed, once per
# depth, in one process per engine): one table row per (model, threads, depth). Decode GB/s is the
# bytes of weights one token reads (glmchat's count: dense tensors, one embedding row, 4 of 64 experts)
# times tokens/s, also as a fraction of the machine's read bandwidth (Tools/bench/membw.c) at the same
# thread count, probed right before each glmchat run (median over the rounds): on a shared VM the bandwidth
# drifts by 2x over a day and by 20 % within minutes, so one probe at the start misjudges later rows.
# Results are also written as JSON next to the models.
# On a busy machine wall-clock rates mostly measure how much CPU each engine was given, so the engines are
# also compared by CPU seconds per token (all threads; for t > 1 this counts spin-waiting too, so it is a
# work measure for t = 1): llama.cpp and ik_llama.cpp measure their own process CPU time per phase; glmchat's
# comes from the rusage of three `glmchat bench` runs without depth (prefill+decode, prefill only, load only)
# subtracted. --rounds R repeats the whole sequence of engines R times and takes medians over the rounds.
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_json(cmd) -> dict[int, dict]:
    """The JSON objects a command prints, one per line (other lines skipped), by their "depth" (0 when absent)."""
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()[-800:]}")
    out = {}
    for line in p.stdout.splitlines():
        if line.startswith("{"):
            obj = json.loads(line)
            out[obj.get("depth", 0)] = obj
    if not out:
        raise SystemExit(f"{' '.join(cmd)} printed no JSON: {p.stdout.strip()[-800:]}")
    return out


def child_cpu() -> float:
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def glmchat_run(exe, m, p, n, t, r, depths="0") -> tuple[dict[int, dict], float]:
    """`glmchat bench` output by depth and the CPU seconds the run used (rusage of waited-for children, differenced)."""
    c0 = child_cpu()
    res = run_json([exe, "bench", "-m", m, "-p", str(p), "-n", str(n), "-t", str(t), "-r", str(r), "-d", depths, "--json"])
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
    ap.add_argument("--ik-python", help="python with ik-llama-cpp-python (scripts/refvenv ik); without it ik_llama.cpp is left out")
    ap.add_argument("--no-llama", action="store_true",
                    help="leave llama.cpp out (at depths of 32,768 and more its fill alone takes the better part of an hour)")
    ap.add_argument("--models", required=True, help="comma-separated GGUF paths")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("-p", type=int, default=512)
    ap.add_argument("-n", type=int, default=128)
    ap.add_argument("-r", type=int, default=3)
    ap.add_argument("--depths", default="0", help="tokens already in the cache before the timed prefill and decode, comma-separated")
    ap.add_argument("--rounds", type=int, default=1, help="alternate the engines this many times")
    ap.add_argument("--no-cpu", action="store_true", help="skip glmchat's extra runs for CPU time")
    ap.add_argument("--out", help="write the results as JSON here")
    a = ap.parse_args(argv)
    threads = [int(t) for t in a.threads.split(",")]
    models = [os.path.expanduser(m) for m in a.models.split(",") if m]
    for m in models:
        if not os.path.exists(m):
            raise SystemExit(f"The model {m} does not exist.")
    try:
        depths = sorted({int(d) for d in a.depths.split(",")})
    except ValueError:
        depths = [-1]
    if depths[0] < 0:
        raise SystemExit(f"--depths takes whole numbers of at least 0 separated by commas (0,8192), not '{a.depths}'.")
    depth_arg = ",".join(map(str, depths))
    refs_py = {} if a.no_llama else {"llama.cpp": a.python}
    if a.ik_python:
        refs_py["ik_llama.cpp"] = a.ik_python
    engines = list(refs_py)
    if not engines:
        raise SystemExit("No engine to compare with: --no-llama needs ik_llama.cpp (--ik-python).")
    cpu_rows = not a.no_cpu and 0 in depths  # CPU time per token is taken from whole runs without depth

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
            refs = {e: {d: [] for d in depths} for e in engines}
            ours, probes, cpu = {d: [] for d in depths}, [], {"full": [], "prefill": [], "load": []}
            for _ in range(a.rounds):
                for e in engines:
                    got = run_json([refs_py[e], os.path.join(HERE, "llama_bench.py"), m, "--engine", e, "-p", str(a.p), "-n", str(a.n),
                                    "-t", str(t), "-r", str(a.r), "--depths", depth_arg])
                    for d in depths:
                        refs[e][d].append(got[d])
                probes.append(membw(t)[t])
                res, c = glmchat_run(a.glmchat, m, a.p, a.n, t, a.r, depth_arg)
                for d in depths:
                    ours[d].append(res[d])
                if cpu_rows:
                    cpu["full"].append(c if depths == [0] else glmchat_run(a.glmchat, m, a.p, a.n, t, a.r)[1])
                    cpu["prefill"].append(glmchat_run(a.glmchat, m, a.p, 0, t, a.r)[1])
                    cpu["load"].append(glmchat_run(a.glmchat, m, 1, 0, t, 1)[1])
            for d in depths:
                row = {"model": os.path.basename(m), "threads": t, "depth": d, "glmchat": ours[d],
                       "our_pp": median([x["prefill_tps"]["median"] for x in ours[d]]), "our_tg": median([x["decode_tps"]["median"] for x in ours[d]]),
                       "weight_bytes": ours[d][0].get("decode_weight_bytes", 0), "read_gbps": median(probes), "read_gbps_probes": probes,
                       "engines": {}}
                for e in engines:
                    xs = refs[e][d]
                    row[e] = xs
                    row["engines"][e] = {"pp": median([x["prefill_tps"]["median"] for x in xs]), "tg": median([x["decode_tps"]["median"] for x in xs]),
                                         "pp_cpu": median([x["prefill_cpu_s_per_token"] for x in xs]),
                                         "tg_cpu": median([x["decode_cpu_s_per_token"] for x in xs]), "settings": xs[0].get("settings", {})}
                # the names of the llama.cpp-only table
                if "llama.cpp" in row["engines"]:
                    ref = row["engines"]["llama.cpp"]
                    row.update(ref_pp=ref["pp"], ref_tg=ref["tg"], ref_pp_cpu=ref["pp_cpu"], ref_tg_cpu=ref["tg_cpu"])
                if cpu_rows and d == 0:
                    row["glmchat_cpu_s"] = cpu
                    row["our_pp_cpu"] = median([(p - l) / (a.r * a.p) for p, l in zip(cpu["prefill"], cpu["load"])])
                    row["our_tg_cpu"] = median([(f - p) / (a.r * a.n) for f, p in zip(cpu["full"], cpu["prefill"])]) if a.n else 0
                rows.append(row)
                print(f"  {row['model']} t={t} depth {d}: prefill " + ", ".join(f"{e} {row['engines'][e]['pp']:.1f}" for e in engines)
                      + f" vs glmchat {row['our_pp']:.1f}; decode " + ", ".join(f"{e} {row['engines'][e]['tg']:.2f}" for e in engines)
                      + f" vs glmchat {row['our_tg']:.2f}", flush=True)
            if a.out:  # partial results survive a later failure
                with open(a.out, "w") as f:
                    json.dump({"partial": True, "read_gbps": bw, "rows": rows}, f, indent=1)

    def ratio(x, y):
        return f"{x / y:.2f}" if y else "–"

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(f"prefill {a.p} tokens, decode {a.n} tokens, after depth tokens already in the cache; tok/s = median over {a.rounds} round(s) "
          f"of the median of {a.r} repetitions; ratio = glmchat / engine; {date}")
    print("| model | threads | depth | " + " | ".join(f"prefill {e}" for e in engines) + " | prefill glmchat | " + " | ".join(f"×{e}" for e in engines)
          + " | " + " | ".join(f"decode {e}" for e in engines) + " | decode glmchat | " + " | ".join(f"×{e}" for e in engines)
          + " | glmchat decode GB/s | read bandwidth GB/s | of it | llama.cpp same |")
    print("|---" * (3 + 4 * len(engines) + 2 + 4) + "|")
    for r in rows:
        wb, rb, op, od = r["weight_bytes"], r["read_gbps"], r["our_pp"], r["our_tg"]
        pps = [r["engines"][e]["pp"] for e in engines]
        tgs = [r["engines"][e]["tg"] for e in engines]
        gbs = od * wb / 1e9
        same = f"{r['ref_tg'] * wb / 1e9 / rb:.0%}" if "ref_tg" in r else "–"
        print(f"| {r['model']} | {r['threads']} | {r['depth']} | " + " | ".join(f"{x:.1f}" for x in pps) + f" | {op:.1f} | "
              + " | ".join(ratio(op, x) for x in pps) + " | " + " | ".join(f"{x:.2f}" for x in tgs) + f" | {od:.2f} | "
              + " | ".join(ratio(od, x) for x in tgs) + f" | {gbs:.1f} | {rb:.1f} | {gbs / rb:.0%} | {same} |")
    if cpu_rows:
        print()
        print("CPU milliseconds per token at depth 0 (user + system, all threads; lower is better; ratio = engine / glmchat, > 1 means glmchat does less work)")
        print("| model | threads | " + " | ".join(f"prefill {e}" for e in engines) + " | prefill glmchat | " + " | ".join(f"ratio {e}" for e in engines)
              + " | " + " | ".join(f"decode {e}" for e in engines) + " | decode glmchat | " + " | ".join(f"ratio {e}" for e in engines)
              + " | glmchat decode GB/s per CPU-second |")
        print("|---" * (2 + 4 * len(engines) + 2 + 1) + "|")
        for r in rows:
            if r["depth"] != 0:
                continue
            op, od = r["our_pp_cpu"] * 1e3, r["our_tg_cpu"] * 1e3
            pps = [r["engines"][e]["pp_cpu"] * 1e3 for e in engines]
            tgs = [r["engines"][e]["tg_cpu"] * 1e3 for e in engines]
            print(f"| {r['model']} | {r['threads']} | " + " | ".join(f"{x:.1f}" for x in pps) + f" | {op:.1f} | "
                  + " | ".join(ratio(x, op) for x in pps) + " | " + " | ".join(f"{x:.1f}" for x in tgs) + f" | {od:.1f} | "
                  + " | ".join(ratio(x, od) for x in tgs) + f" | {r['weight_bytes'] / 1e9 / (od / 1e3) if od else 0:.1f} |")
    print("engine settings: " + "; ".join(f"{e} {rows[0]['engines'][e]['settings']}" for e in engines) if rows else "")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"date": date, "cpu": cpu_name(), "cpus": os.cpu_count(), "read_gbps": bw, "prompt_tokens": a.p,
                       "gen_tokens": a.n, "depths": depths, "engines": engines, "repetitions": a.r, "load_start": load,
                       "load_end": os.getloadavg()[0], "rows": rows}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
