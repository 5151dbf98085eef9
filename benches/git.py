#!/usr/bin/env python3
"""Git history benchmark: what reading the history adds to a build.

Writes a repository of FILES markdown pages and COMMITS commits (1-3 files changed per commit,
1 in 200 commits renames a page) with `git fast-import`, then builds it with the release binary
with its `.git` and with `.git` moved aside, and prints the difference; then the same with a
history cache (`git.cache`): cold, after 20 new commits, and with nothing new.

    cargo build --release && python3 benches/git.py [--files 10000] [--commits 50000] [--runs 3]
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "handbook")


def stream(files, commits, seed):
    rng = random.Random(seed)
    names = [f"docs/area-{i % 50:02d}/page-{i:05d}.md" for i in range(files)]
    authors = [f"Author {i}" for i in range(40)]
    start = 1_700_000_000
    out = []

    def data(text):
        raw = text.encode()
        out.append(b"data %d\n" % len(raw) + raw + b"\n")

    for n in range(commits):
        author = rng.choice(authors)
        when = start + n * 600
        out.append(b"commit refs/heads/main\n")
        out.append(f"author {author} <a{n % 40}@example.org> {when} +0000\n".encode())
        out.append(f"committer {author} <a{n % 40}@example.org> {when} +0000\n".encode())
        data(f"Change {n}")
        if n == 0:
            for i, name in enumerate(names):
                out.append(f"M 100644 inline {name}\n".encode())
                data(f"# Page {i}\n\nFirst version.\n")
            continue
        if n % 200 == 0:
            i = rng.randrange(files)
            old = names[i]
            names[i] = old.replace(".md", f"-r{n}.md")
            out.append(f'R "{old}" "{names[i]}"\n'.encode())
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(files)
            out.append(f"M 100644 inline {names[i]}\n".encode())
            data(f"# Page {i}\n\nVersion {n}.\n")
    return b"".join(out)


def build_seconds(folder, runs):
    times = []
    stages = ""
    for _ in range(runs):
        out = os.path.join(os.path.dirname(folder), "git-bench-out")
        shutil.rmtree(out, ignore_errors=True)
        began = time.perf_counter()
        run = subprocess.run(
            [BINARY, "build", folder, "-o", out, "-v"], capture_output=True, text=True
        )
        times.append(time.perf_counter() - began)
        if run.returncode != 0:
            sys.exit(run.stderr)
        stages = " ".join(
            line.split()[0] + "=" + line.split()[1] + "ms"
            for line in run.stderr.splitlines()
            if line.startswith("  ") and line.strip().endswith("ms")
        )
    return statistics.median(times), stages


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--commits", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=os.path.join(ROOT, "target", "bench", "git-repo"))
    args = parser.parse_args()
    if not os.path.exists(BINARY):
        sys.exit("build the release binary first: cargo build --release")
    repo = args.out
    marker = os.path.join(repo, ".bench-" + f"{args.files}-{args.commits}")
    if not os.path.exists(marker):
        shutil.rmtree(repo, ignore_errors=True)
        os.makedirs(repo)
        subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
        began = time.perf_counter()
        subprocess.run(
            ["git", "-C", repo, "fast-import", "--quiet"],
            input=stream(args.files, args.commits, 1),
            check=True,
        )
        subprocess.run(["git", "-C", repo, "checkout", "-q", "-f", "main"], check=True)
        open(marker, "w").close()
        print(f"wrote {args.files} files, {args.commits} commits in {time.perf_counter() - began:.1f} s")
    # One plain log walk over the whole history, for scale (the build splits it in two).
    began = time.perf_counter()
    subprocess.run(
        ["git", "-C", repo, "-c", "core.quotePath=false", "log", "--no-merges", "--name-status",
         "-M", "-z", "--format=%x1e%H%x1f%aI%x1f%an%x1f%s"],
        stdout=subprocess.DEVNULL, check=True,
    )
    walk = time.perf_counter() - began
    with_git, stages_with = build_seconds(repo, args.runs)
    hidden = os.path.join(repo, ".git-hidden")
    os.rename(os.path.join(repo, ".git"), hidden)
    try:
        without_git, stages_without = build_seconds(repo, args.runs)
    finally:
        os.rename(hidden, os.path.join(repo, ".git"))
    cached = cache_figures(repo, args.runs)
    print(f"{'files':>7} {'commits':>8} {'git log':>8} {'build':>8} {'no .git':>8}")
    print(f"{args.files:>7} {args.commits:>8} {walk:>7.2f}s {with_git:>7.2f}s {without_git:>7.2f}s")
    print("  (whole builds are dominated by writing; compare the load+git stage below)")
    print(f"  stages with git:    {stages_with}")
    print(f"  stages without git: {stages_without}")
    print("  with `git.cache` (load+git stage): cold {0}, after 20 new commits {1}, no new commit {2}".format(*cached))


def load_git_stage(stages):
    for part in stages.split():
        if part.startswith("load+git="):
            return part.split("=")[1]
    return "?"


def cache_figures(repo, runs):
    """The load+git stage with a history cache: the first build, one after 20 new commits
    (read on top of the saved history), and one with nothing new. The repository is put back."""
    config = os.path.join(repo, "handbook.yml")
    cache = os.path.join(repo, ".handbook-cache")
    head = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    with open(config, "w") as file:
        file.write("git:\n  cache: .handbook-cache/git.json\n")
    figures = []
    try:
        shutil.rmtree(cache, ignore_errors=True)
        figures.append(load_git_stage(build_seconds(repo, 1)[1]))
        page = os.path.join(repo, "docs", "area-00", "page-00000.md")
        for n in range(20):
            with open(page, "a") as file:
                file.write(f"\nEdit {n}.\n")
            subprocess.run(["git", "-C", repo, "-c", "user.name=Bench", "-c",
                            "user.email=b@example.org", "commit", "-q", "-a", "-m", f"Edit {n}"],
                           check=True)
        figures.append(load_git_stage(build_seconds(repo, 1)[1]))
        figures.append(load_git_stage(build_seconds(repo, runs)[1]))
    finally:
        os.remove(config)
        shutil.rmtree(cache, ignore_errors=True)
        subprocess.run(["git", "-C", repo, "reset", "-q", "--hard", head], check=True)
    return figures


if __name__ == "__main__":
    main()
