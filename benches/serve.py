#!/usr/bin/env python3
"""Preview-server benchmark: edit one page -> reload event latency, and server memory.

    python3 benches/serve.py [SIZE ...]        (default: 1000 10000)

For each size it builds the synthetic corpus (benches/gen_corpus.py, seed 1) into
target/bench/corpus-SIZE if missing, copies it to a scratch folder, starts the release
`handbook serve --port 0`, listens on /__handbook/events, and times:

  body edit   append a paragraph to a page (the common save): 20 docs pages, 10 decision
              records and 10 updates, each a different page (medians also per kind)
  title edit  change a page's title (navigation, backlinks and listings may change): 5 edits
  burst       a body edit 250 ms after a title edit on another page, while the preview is
              still bringing the rest of the site up to date: 5 rounds

Latency runs from the moment the write returns to the moment the `reload` event naming that
page arrives (the browser then refetches one page). Memory is the server's resident set after
the edits (VmRSS) and its peak (VmHWM), from /proc. Prints a table and writes
target/bench/serve.json.
"""

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "target", "bench")
BINARY = os.path.join(ROOT, "target", "release", "handbook")


def corpus(size):
    path = os.path.join(BENCH, f"corpus-{size}")
    if not os.path.isdir(path):
        subprocess.run(
            [sys.executable, os.path.join(ROOT, "benches", "gen_corpus.py"), path,
             "--pages", str(size), "--seed", "1"],
            check=True,
        )
    return path


class Events(threading.Thread):
    """Reads the server's SSE stream and records (time, name, data) for each event."""

    def __init__(self, host, port):
        super().__init__(daemon=True)
        self.sock = socket.create_connection((host, port))
        self.sock.sendall(
            f"GET /__handbook/events HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n\r\n".encode())
        self.events = []
        self.cond = threading.Condition()

    def run(self):
        buffer = b""
        name = None
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                return
            now = time.perf_counter()
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                line = line.rstrip(b"\r").decode("utf-8", "replace")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: ") and name:
                    with self.cond:
                        self.events.append((now, name, line[6:]))
                        self.cond.notify_all()
                    name = None

    def wait_for(self, since_index, predicate, timeout=30):
        deadline = time.perf_counter() + timeout
        with self.cond:
            while True:
                for at, name, data in self.events[since_index:]:
                    if predicate(name, data):
                        return at
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None
                self.cond.wait(left)


def rss(pid):
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(("VmRSS", "VmHWM")):
                key, value = line.split(":")
                values[key] = int(value.split()[0]) / 1024
    return values


def pages_of(folder):
    """Markdown pages by kind: docs pages, decision records and updates."""
    found = {"docs": [], "decision": [], "update": []}
    for dirpath, _, names in os.walk(folder):
        for name in sorted(names):
            if not name.endswith(".md") or name == "index.md":
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), folder)
            top = rel.split(os.sep)[0]
            kind = {"decisions": "decision", "updates": "update"}.get(top, "docs")
            if top in ("people", "teams"):
                continue
            found[kind].append(rel)
    for pages in found.values():
        pages.sort()
    return found


def spread(pages, count):
    step = max(1, len(pages) // count)
    return pages[::step][:count]


def url_of(rel):
    return "/" + rel[: -len(".md")] + "/index.html"


def measure(size):
    source = corpus(size)
    scratch = os.path.join(BENCH, f"serve-{size}")
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(source, scratch)
    started = time.perf_counter()
    server = subprocess.Popen(
        [BINARY, "serve", scratch, "--port", "0", "--color", "never"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    host = port = None
    log = []
    for line in server.stderr:
        log.append(line)
        found = re.search(r"serving http://([\d.]+):(\d+)/", line)
        if found:
            host, port = found.group(1), int(found.group(2))
            break
    if port is None:
        sys.exit("server did not start:\n" + "".join(log))
    startup = time.perf_counter() - started
    threading.Thread(target=lambda: log.extend(server.stderr), daemon=True).start()
    events = Events(host, port)
    events.start()
    # Let the first search export finish so it does not compete with the timed edits.
    events.wait_for(0, lambda name, data: name == "search", timeout=120)
    time.sleep(0.5)

    candidates = pages_of(scratch)
    docs = spread(candidates["docs"], 25)
    chosen = {"docs": docs[:20], "decision": spread(candidates["decision"], 10),
              "update": spread(candidates["update"], 10)}

    def timed_edit(rel, change):
        path = os.path.join(scratch, rel)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        mark = len(events.events)
        target = url_of(rel)
        with open(path, "w", encoding="utf-8") as f:
            f.write(change(text))
        written = time.perf_counter()
        at = events.wait_for(mark, lambda name, data: name == "reload" and target in data)
        if at is None:
            sys.exit(f"no reload event for {rel}; server log:\n" + "".join(log[-20:]))
        # Wait for the search export this edit started, so the next edit is timed alone.
        events.wait_for(mark, lambda name, data: name == "search", timeout=120)
        return (at - written) * 1000

    body = {}
    for kind, pages in chosen.items():
        body[kind] = [timed_edit(rel, lambda text, n=number: text + f"\nA new paragraph, edit number {n}.\n")
                      for number, rel in enumerate(pages)]
    title = []
    for number, rel in enumerate(docs[20:25]):
        title.append(timed_edit(
            rel, lambda text, n=number: re.sub(r"^title: .*$", f'title: "Renamed page {n}"', text, count=1, flags=re.M)))
    burst = []
    for number in range(5):
        first, second = docs[number], docs[-1 - number]
        path = os.path.join(scratch, first)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(re.sub(r"^title: .*$", f'title: "Burst title {number}"', text, count=1, flags=re.M))
        time.sleep(0.25)
        burst.append(timed_edit(second, lambda text, n=number: text + f"\nA burst paragraph {n}.\n"))
    memory = rss(server.pid)
    server.terminate()
    server.wait(timeout=10)
    shutil.rmtree(scratch, ignore_errors=True)

    def summary(values):
        ordered = sorted(values)
        return {
            "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[max(0, int(round(0.95 * len(ordered))) - 1)], 1),
            "max_ms": round(ordered[-1], 1),
            "edits": len(ordered),
        }

    return {
        "pages": size,
        "startup_s": round(startup, 2),
        "body_edit": summary([ms for values in body.values() for ms in values]),
        "body_edit_by_kind": {kind: summary(values) for kind, values in body.items()},
        "title_edit": summary(title),
        "body_after_title_edit": summary(burst),
        "rss_mib": round(memory.get("VmRSS", 0), 1),
        "peak_rss_mib": round(memory.get("VmHWM", 0), 1),
    }


def main():
    sizes = [int(arg) for arg in sys.argv[1:]] or [1000, 10000]
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    os.makedirs(BENCH, exist_ok=True)
    results = [measure(size) for size in sizes]
    print(f"{'pages':>7} {'start s':>8} {'body median':>12} {'body p95':>9} "
          f"{'title median':>13} {'title p95':>10} {'RSS MiB':>8} {'peak MiB':>9}")
    for r in results:
        print(f"{r['pages']:>7} {r['startup_s']:>8} {r['body_edit']['median_ms']:>10} ms "
              f"{r['body_edit']['p95_ms']:>6} ms {r['title_edit']['median_ms']:>11} ms "
              f"{r['title_edit']['p95_ms']:>7} ms {r['rss_mib']:>8} {r['peak_rss_mib']:>9}")
    for r in results:
        kinds = ", ".join(f"{kind} {v['median_ms']} ms (max {v['max_ms']})"
                          for kind, v in r["body_edit_by_kind"].items())
        print(f"{r['pages']:>7} body edit medians by kind: {kinds}")
        b = r["body_after_title_edit"]
        print(f"{r['pages']:>7} body edit 250 ms after a title edit: median {b['median_ms']} ms, "
              f"max {b['max_ms']} ms")
    with open(os.path.join(BENCH, "serve.json"), "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
