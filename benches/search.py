"""Measures the in-browser cost of a search on a built site: our static export (assets/search-engine.js
reading <site>/search/) and, optionally, Pagefind indexing the same pages.

    python3 benches/search.py SITE_DIR [--pagefind] [--port N]

SITE_DIR is the output of `handbook build`. Twenty queries are picked deterministically from the
site's vocabulary (.handbook/search/handbook.json beside the output): ten one-word queries at fixed frequency ranks,
common to rare, and ten two-word queries from a seeded generator (a common word and a
mid-frequency one). Each query runs in a fresh headless Chromium profile (cold cache) against a
local, non-compressing http.server, through a harness page the server keeps in memory (nothing
is written into SITE_DIR). Per query it records:

  * the search data the query fetched: files under /search/ (or /pagefind/) that the server
    handed to that page, and their bytes on disk, raw and as a static host would send them
    (text files gzipped at level 6; Pagefind's binary files are already gzipped, so they count
    as they are), and the number of requests;
  * the time of the first search() call (cold: includes loading the index metadata), and of the
    same query again in the same page (warm). Our search() includes fetching the display data of
    the top 10; for Pagefind the timed work is import + options + search + data() of the top 10.

With --pagefind the site is copied to /tmp/sbench/pf-site (without search/index) and indexed with
`pagefind`, installed into /tmp/sbench/venv from PyPI when it is not on PATH. Prints a table and
a summary, and writes everything to target/bench/search.json.
"""

import argparse
import gzip
import http.server
import json
import os
import queue
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = Path("/tmp/sbench")
CHROMIUM = ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STOPWORDS = set("""the and for was were are has have had can not but with this that from will
would should could been being its into our their they them then than there these those when
which while who whom what where why how all any each more most other some such only own same
also just over under very was you your yours his her hers him she he it we us out off per via
one two may might must shall does did doing done about after again against before between both
during here once through until above below further nor too get got""".split())
ONE_WORD_RANKS = [5, 20, 50, 100, 200, 500, 1000, 2000, 3000, 5000]
TEXT_TYPES = (".js", ".json", ".css", ".html")

# Shared prologue. The server logs what each page fetches (Pagefind fetches from a worker, which
# the page's resource timing does not see); the harness marks the end of the cold run.
COMMON = """
const query = decodeURIComponent(location.hash.slice(1));
const mark = () => fetch('/_mark');
const send = r => fetch('/_result', {method: 'POST', body: JSON.stringify(r)});
window.onerror = (m) => send({error: String(m)});
"""
HARNESS = {
    "ours": """<!doctype html><meta charset=utf-8><title>bench</title>
<script>""" + COMMON + """</script><script src="/assets/search-engine.js"></script><script>
(async () => {
  try {
    let t = performance.now();
    const first = await handbookSearch.search(query, {limit: 10});
    const cold = performance.now() - t;
    await mark();
    t = performance.now();
    await handbookSearch.search(query, {limit: 10});
    const warm = performance.now() - t;
    send({cold_ms: cold, warm_ms: warm,
          total: first.total, complete: first.complete, hits: first.hits.map(h => h.url)});
  } catch (e) { send({error: String(e && e.stack || e)}); }
})();
</script>""",
    "pagefind": """<!doctype html><meta charset=utf-8><title>bench</title>
<script>""" + COMMON + """
(async () => {
  try {
    const run = async pf => {
      const s = await pf.search(query);
      const data = await Promise.all(s.results.slice(0, 10).map(r => r.data()));
      return {total: s.results.length, hits: data.map(d => d.url)};
    };
    let t = performance.now();
    const pf = await import('/pagefind/pagefind.js');
    await pf.options({});
    const first = await run(pf);
    const cold = performance.now() - t;
    await mark();
    t = performance.now();
    await run(pf);
    const warm = performance.now() - t;
    send({cold_ms: cold, warm_ms: warm,
          total: first.total, complete: true, hits: first.hits});
  } catch (e) { send({error: String(e && e.stack || e)}); }
})();
</script>""",
}


def pick_queries(site):
    """10 one-word queries at fixed frequency ranks and 10 seeded two-word ones."""
    # The index lives in the cache folder beside handbook.yml (the build's default output is
    # public/ beside it); older builds published it under search/index/.
    candidates = [site.parent / ".handbook" / "search" / "handbook.json",
                  site / "search" / "index" / "handbook.json"]
    found = next((p for p in candidates if p.exists()), None)
    if found is None:
        sys.exit(f"no search index vocabulary at {' or '.join(map(str, candidates))}")
    surfaces = json.loads(found.read_text())["surfaces"]
    by_stem = {}  # stem -> [total count, (count, surface) of its most frequent surface]
    for surface, (stem, count) in surfaces.items():
        if len(surface) < 3 or not surface.isalpha() or surface in STOPWORDS:
            continue
        entry = by_stem.setdefault(stem, [0, (0, "")])
        entry[0] += count
        if (-count, surface) < (-entry[1][0], entry[1][1] or "~"):
            entry[1] = (count, surface)
    words = [e[1][1] for e in sorted(by_stem.values(), key=lambda e: (-e[0], e[1][1]))]
    if len(words) < 20:
        sys.exit(f"only {len(words)} usable words in the index")
    at = lambda rank: words[min(rank, len(words) - 1)]
    one = []
    for rank in ONE_WORD_RANKS:  # small sites clamp ranks; step down to stay distinct
        r = min(rank, len(words) - 1)
        while words[r] in one:
            r -= 1
        one.append(words[r])
    rng, two = random.Random(1), []
    while len(two) < 10:
        a, b = at(rng.randint(0, 300)), at(rng.randint(20, 800))
        if a != b and f"{a} {b}" not in two:
            two.append(f"{a} {b}")
    return one + two


@lru_cache(maxsize=None)
def sizes(path):
    """(raw, as served by a compressing static host) bytes of a file on disk."""
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, 6)) if path.suffix in TEXT_TYPES else len(data)


class Server:
    """http.server on the site, plus the in-memory harness pages and a POST sink for results."""

    def __init__(self, site, port):
        self.results = queue.Queue()
        self.log = []  # paths requested since the last reset; "MARK" ends the cold run
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=str(site), **kw)

            def do_GET(self):
                name = self.path.split("?")[0].split("#")[0].lstrip("/")
                outer.log.append("MARK" if name == "_mark" else "/" + name)
                if name == "_mark":
                    self.send_response(204)
                    self.end_headers()
                elif name.startswith("_bench_") and name[7:-5] in HARNESS:
                    body = HARNESS[name[7:-5]].encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    super().do_GET()

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(204)
                self.end_headers()
                outer.results.put(json.loads(body))

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def measure(server, site, engine, query, n):
    """Runs one query in a fresh Chromium profile; returns the harness result plus byte sums."""
    profile = SCRATCH / "profiles" / f"{engine}-{n}"
    prefix = "/search/" if engine == "ours" else "/pagefind/"
    server.log.clear()
    shutil.rmtree(profile, ignore_errors=True)
    url = f"http://127.0.0.1:{server.port}/_bench_{engine}.html#{query.replace(' ', '%20')}"
    proc = subprocess.Popen(CHROMIUM + [f"--user-data-dir={profile}", url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        result = server.results.get(timeout=120)
    except queue.Empty:
        result = {"error": "timed out after 120 s"}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
    if "error" in result:
        sys.exit(f"{engine} {query!r}: {result['error']}")
    cut = server.log.index("MARK")
    cold = [p for p in server.log[:cut] if p.startswith(prefix)]
    files = [dict(path=p, **dict(zip(("raw", "gzip"), sizes(site / p.lstrip("/"))))) for p in cold]
    result.update(query=query, files=files, requests=len(files),
                  warm_requests=sum(p.startswith(prefix) for p in server.log[cut:]),
                  raw_bytes=sum(f["raw"] for f in files), gzip_bytes=sum(f["gzip"] for f in files),
                  code_bytes=sum(f["gzip"] for f in files if is_pagefind_code(f["path"])),
                  tiers=sorted(p.rsplit("/", 1)[1] for p in cold
                               if p.startswith("/search/t/") and p.count(".") == 2))
    return result


def is_pagefind_code(path):
    """Pagefind's own code (pagefind*.js, wasm.*.pagefind), as opposed to its index data."""
    top_level = path.count("/") == 2 and path.startswith("/pagefind/")
    return top_level and path.endswith((".js", ".pagefind"))


def pagefind_command():
    if shutil.which("pagefind"):
        return ["pagefind"]
    venv = SCRATCH / "venv"
    python = venv / "bin" / "python"
    check = subprocess.run([str(python), "-m", "pagefind", "--version"], capture_output=True) \
        if python.exists() else None
    if not check or check.returncode != 0:
        print("installing pagefind[extended] into", venv, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "pagefind[extended]"],
                       check=True)
    return [str(python), "-m", "pagefind"]


def build_pagefind(site):
    """Copies the site (minus search/index) and indexes it; returns the copy and build figures."""
    copy = SCRATCH / "pf-site"
    shutil.rmtree(copy, ignore_errors=True)
    skip_index = lambda folder, names: ["index"] if Path(folder) == site / "search" else []
    shutil.copytree(site, copy, ignore=skip_index)
    cmd = pagefind_command()
    version = subprocess.run(cmd + ["--version"], capture_output=True, text=True).stdout.strip()
    print(f"indexing {copy} with {version} ...", flush=True)
    start = time.perf_counter()
    proc = subprocess.run(cmd + ["--site", str(copy)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"pagefind failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    bundle = [p for p in (copy / "pagefind").rglob("*") if p.is_file()]
    return copy, {"version": version, "index_s": round(seconds, 2), "files": len(bundle),
                  "bytes": sum(p.stat().st_size for p in bundle)}


def kb(n):
    return f"{n / 1024:.1f}"


def summarize(name, runs, key="gzip_bytes"):
    values = [r[key] for r in runs]
    return {f"median_{key}": statistics.median(values), f"total_{key}": sum(values),
            "median_requests": statistics.median(r["requests"] for r in runs),
            "median_cold_ms": round(statistics.median(r["cold_ms"] for r in runs), 1),
            "median_warm_ms": round(statistics.median(r["warm_ms"] for r in runs), 1),
            "engine": name}



def measure_all(site, label, queries, port):
    """Serves `site` and runs every query, each in a fresh Chromium profile."""
    server = Server(site, port)
    try:
        return [measure(server, site, label, q, i) for i, q in enumerate(queries)]
    finally:
        server.close()

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--pagefind", action="store_true", help="also measure Pagefind")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so `finally` stops Chromium
    site = args.site.resolve()
    if not (site / "assets" / "search-engine.js").exists():
        sys.exit(f"{site} does not look like a built handbook (no assets/search-engine.js)")
    SCRATCH.mkdir(parents=True, exist_ok=True)
    queries = pick_queries(site)
    print("queries:", ", ".join(repr(q) for q in queries))

    export = [p for p in (site / "search").rglob("*")
              if p.is_file() and p.relative_to(site / "search").parts[0] != "index"]
    report = {"site": str(site), "queries": queries, "export": {
        "files": len(export), "bytes": sum(p.stat().st_size for p in export),
        "search_js_bytes": sizes(site / "assets" / "search-engine.js")[0] + sizes(site / "assets" / "search.js")[0],
        "search_js_gzip": sizes(site / "assets" / "search-engine.js")[1] + sizes(site / "assets" / "search.js")[1]}}
    ours = measure_all(site, "ours", queries, args.port)
    report["ours"] = ours

    theirs = None
    if args.pagefind:
        copy, report["pagefind_build"] = build_pagefind(site)
        theirs = measure_all(copy, "pagefind", queries, args.port)
        report["pagefind"] = theirs

    head = (f"{'query':<28} {'raw KB':>8} {'gz KB':>7} {'req':>4} {'cold ms':>8} {'warm ms':>8} "
            f"{'hits':>10}")
    if theirs:
        head += f" | {'pf KB':>7} {'data':>6} {'req':>4} {'cold ms':>8} {'warm ms':>8} {'hits':>6}"
    print("\n" + head + "\n" + "-" * len(head))
    for i, r in enumerate(ours):
        total = f"{r['total']}{'' if r['complete'] else '+'}"
        line = (f"{r['query'][:28]:<28} {kb(r['raw_bytes']):>8} {kb(r['gzip_bytes']):>7} "
                f"{r['requests']:>4} {r['cold_ms']:>8.1f} {r['warm_ms']:>8.1f} {total:>10}")
        if theirs:
            p = theirs[i]
            line += (f" | {kb(p['gzip_bytes']):>7} {kb(p['gzip_bytes'] - p['code_bytes']):>6} "
                     f"{p['requests']:>4} {p['cold_ms']:>8.1f} "
                     f"{p['warm_ms']:>8.1f} {p['total']:>6}")
        if r["tiers"]:
            line += "  tiers: " + " ".join(r["tiers"])
        print(line)

    e = report["export"]
    summary = report["summary"] = {"ours": summarize("ours", ours)}
    s = summary["ours"]
    print(f"\nours: export {e['files']} files, {e['bytes'] / 2**20:.1f} MiB (+ search.js "
          f"{kb(e['search_js_bytes'])} KB, {kb(e['search_js_gzip'])} KB gzip, not counted above)")
    print(f"ours: per query median {kb(s['median_gzip_bytes'])} KB gzip "
          f"({kb(statistics.median(r['raw_bytes'] for r in ours))} KB raw), total "
          f"{kb(s['total_gzip_bytes'])} KB gzip over {len(ours)} queries, median "
          f"{s['median_requests']} requests, median cold {s['median_cold_ms']} ms, "
          f"warm {s['median_warm_ms']} ms")
    print(f"ours: {sum(1 for r in ours if r['tiers'])} of {len(ours)} queries fetched deeper tiers")
    if theirs:
        b = report["pagefind_build"]
        p = summary["pagefind"] = summarize("pagefind", theirs)
        print(f"pagefind: {b['version']}, indexed in {b['index_s']} s, bundle {b['files']} files, "
              f"{b['bytes'] / 2**20:.1f} MiB")
        print(f"pagefind: per query median {kb(p['median_gzip_bytes'])} KB, total "
              f"{kb(p['total_gzip_bytes'])} KB over {len(theirs)} queries, median "
              f"{p['median_requests']} requests, median cold {p['median_cold_ms']} ms, "
              f"warm {p['median_warm_ms']} ms")
        ratio = s["median_gzip_bytes"] / p["median_gzip_bytes"]
        total_ratio = s["total_gzip_bytes"] / p["total_gzip_bytes"]
        summary.update(ratio_median_gzip=round(ratio, 3), ratio_total_gzip=round(total_ratio, 3))
        print(f"ratio ours gzip / pagefind: median {ratio:.2f}, total {total_ratio:.2f}")
        code = statistics.median(r["code_bytes"] for r in theirs)
        data = statistics.median(r["gzip_bytes"] - r["code_bytes"] for r in theirs)
        with_js = statistics.median(r["gzip_bytes"] + e["search_js_gzip"] for r in ours)
        summary["pagefind"].update(median_code_bytes=code, median_data_bytes=data)
        print(f"  pagefind median split: {kb(code)} KB code (js + wasm), {kb(data)} KB index data;"
              f" data only: ours/pagefind {s['median_gzip_bytes'] / data:.2f};"
              f" code on both sides (ours + search.js): {with_js / p['median_gzip_bytes']:.2f}")

    out = ROOT / "target" / "bench" / "search.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
