"""Measures `handbook build` on generated corpora: cold build, no-change rebuild, one-edit
rebuild, wall and CPU time, peak memory, output size. Optionally Hugo on the same corpus.
Run through benches/run, which builds the release binary first."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "bench"
BINARY = ROOT / "target" / "release" / "handbook"


def run(cmd, cwd=None):
    """Runs a command; returns wall seconds, CPU seconds and peak RSS (MiB) of the child."""
    # Flush earlier writes (a deleted output's writeback) so they do not bill this run.
    os.sync()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed ({code}):\n{stderr}")
    return {"wall_s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_rss_mib": round(usage.ru_maxrss / 1024, 1)}


def corpus(pages):
    path = WORK / f"corpus-{pages}"
    if not (path / "index.md").exists():
        shutil.rmtree(path, ignore_errors=True)
        subprocess.run([sys.executable, str(ROOT / "benches" / "gen_corpus.py"), str(path),
                        "--pages", str(pages), "--seed", "1",
                        "--needles", str(WORK / f"corpus-{pages}.needles.json")],
                       check=True, stdout=subprocess.DEVNULL)
    return path


def tree_size(path):
    files = total = 0
    for dirpath, _, names in os.walk(path):
        for name in names:
            files += 1
            total += os.path.getsize(os.path.join(dirpath, name))
    return files, total


def bench_handbook(pages):
    source = corpus(pages)
    out = WORK / f"out-{pages}"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [str(BINARY), "build", str(source), "-o", str(out), "--quiet"]
    cold = run(cmd)
    files, size = tree_size(out)
    again = run(cmd)
    edited = source / "index.md"
    original = edited.read_text()
    edited.write_text(original + "\nOne more line for the benchmark.\n")
    try:
        one_edit = run(cmd)
    finally:
        edited.write_text(original)
    return {"tool": "handbook", "pages": pages, "cold": cold, "no_change": again, "one_edit": one_edit,
            "pages_per_s": round(pages / cold["wall_s"]), "output_files": files,
            "output_mib": round(size / 2**20, 1)}


HUGO_LAYOUT = "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><main>{{ .Content }}</main></body></html>"


def bench_hugo(pages):
    if not shutil.which("hugo"):
        return None
    source = corpus(pages)
    site = WORK / f"hugo-{pages}"
    shutil.rmtree(site, ignore_errors=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    for name in ("single.html", "list.html"):
        (site / "layouts" / "_default" / name).write_text(HUGO_LAYOUT)
    # Hugo treats index.md as a leaf bundle that hides its folder: section pages are _index.md.
    for dirpath, _, names in os.walk(source):
        rel = Path(dirpath).relative_to(source)
        (site / "content" / rel).mkdir(parents=True, exist_ok=True)
        for name in names:
            target = "_index.md" if name == "index.md" else name
            os.link(Path(dirpath) / name, site / "content" / rel / target)
    (site / "hugo.toml").write_text(
        'baseURL = "https://example.org/"\n'
        'disableKinds = ["taxonomy", "term", "RSS"]\n[markup.highlight]\ncodeFences = false\n')
    cold = run(["hugo", "--quiet", "--destination", str(site / "public")], cwd=site)
    files, size = tree_size(site / "public")
    return {"tool": "hugo", "pages": pages, "cold": cold, "pages_per_s": round(pages / cold["wall_s"]),
            "output_files": files, "output_mib": round(size / 2**20, 1)}


def main():
    WORK.mkdir(parents=True, exist_ok=True)
    results = []
    for pages in map(int, sys.argv[1:]):
        results.append(bench_handbook(pages))
        hugo = bench_hugo(pages)
        if hugo:
            results.append(hugo)
        elif os.environ.get("HUGO") == "1":
            print("hugo not found; skipped", file=sys.stderr)
    header = f"{'tool':<9} {'pages':>6} {'cold s':>7} {'cpu s':>6} {'MiB':>7} {'pages/s':>8} {'no-change s':>11} {'one-edit s':>10} {'files':>6} {'out MiB':>8}"
    print(header)
    for r in results:
        print(f"{r['tool']:<9} {r['pages']:>6} {r['cold']['wall_s']:>7.2f} {r['cold']['cpu_s']:>6.2f} "
              f"{r['cold']['peak_rss_mib']:>7.0f} {r['pages_per_s']:>8} "
              f"{r.get('no_change', {}).get('wall_s', float('nan')):>11.2f} "
              f"{r.get('one_edit', {}).get('wall_s', float('nan')):>10.2f} {r['output_files']:>6} {r['output_mib']:>8.1f}")
    (WORK / "results.json").write_text(json.dumps(results, indent=2))
    print(f"wrote {WORK / 'results.json'}")


if __name__ == "__main__":
    main()
