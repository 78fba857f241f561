#!/usr/bin/env bash
# Census benchmark: `pucha run` as shipped, against a farm served by ANOTHER process with the
# world's hostility in it (a portal every site links, a host answering after 20 s on one site in
# ten, a flaky host, a refusing host, a host that never answers the SYN, a name that does not
# resolve, a trap site), optionally compared with spider_cli crawling the same sites.
#
#   scripts/bench-census.sh full      # --no-politeness, default workers; spider on the same farm
#   scripts/bench-census.sh polite    # default politeness; then the longest site alone
#   scripts/bench-census.sh scale     # SITES sites x PAGES pages over several farm processes, polite
#
# Environment: PUCHA (binary, default target/release/pucha), SPIDER (spider binary, default
# `command -v spider`), SITES (default 42 farm sites + the trap site), PAGES (default 250),
# WORKERS (pucha run --workers; default: the binary's own default), OUT (default
# /tmp/pucha-bench), EXTRA (more `pucha run` flags). Results: one JSON line per measurement on
# stdout and in $OUT/results.jsonl. docs/benchmarks-crawl.md records what was measured.
set -euo pipefail

MODE=${1:-full}
PUCHA=${PUCHA:-target/release/pucha}
SPIDER=${SPIDER:-$(command -v spider || true)}
SITES=${SITES:-42}
PAGES=${PAGES:-250}
OUT=${OUT:-/tmp/pucha-bench}
EXTRA=${EXTRA:-}
NET=${NET:-127.0.20.0}
WORLD_NET=${WORLD_NET:-127.0.30.0}
AS_OF=${AS_OF:-2025-09-30}

[ -x "$PUCHA" ] || { echo "no pucha binary at $PUCHA: cargo build --release --bin pucha" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install -y time" >&2; exit 2; }
rm -rf "$OUT"; mkdir -p "$OUT"
FARM_PIDS=()
cleanup() { for p in "${FARM_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# Serves one farm in its own process; waits until it prints that it serves.
serve_farm() { # net world_net sites pages dir hostile(0/1) seed
  local net=$1 world=$2 n=$3 pages=$4 dir=$5 hostile=$6 seed=$7 flags=()
  [ "$hostile" = 1 ] && flags+=(--hostile --world-net "$world")
  mkdir -p "$dir"
  "$PUCHA" farm serve --net "$net" --sites "$n" --pages-per-site "$pages" --seed "$seed" \
    --as-of "$AS_OF" --out "$dir" "${flags[@]}" >"$dir/serve.log" 2>&1 &
  FARM_PIDS+=($!)
  for _ in $(seq 1 600); do
    grep -q "serving until Ctrl-C" "$dir/serve.log" 2>/dev/null && return 0
    kill -0 "${FARM_PIDS[-1]}" 2>/dev/null || { cat "$dir/serve.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "farm on $net did not start" >&2; exit 1
}

# Runs `pucha run` under GNU time; prints one JSON line.
census() { # label sites.csv outdir flags...
  local label=$1 csv=$2 dir=$3; shift 3
  local workers=()
  [ -n "${WORKERS:-}" ] && workers=(--workers "$WORKERS")
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$dir.time" "$PUCHA" run --sites "$csv" --out "$dir" --data-dir "$dir.data" \
    --as-of "$AS_OF" --loopback-only "${workers[@]}" "$@" $EXTRA >"$dir.stdout" 2>"$dir.log" || {
      echo "pucha run failed; see $dir.log" >&2; tail -20 "$dir.log" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 - "$label" "$dir" "$start" "$end" <<'EOF'
import json, re, sys
label, d, start, end = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
rep = json.load(open(f"{d}/report.json"))
res = rep.get("results") or rep.get("sites") or []
pages = sum(r["crawl"]["pages_fetched"] for r in res)
checked = sum(r["crawl"]["links_checked"] for r in res)
broken = sum(r["crawl"]["links_broken"] for r in res)
longest = max(res, key=lambda r: r["crawl"]["elapsed_ms"])
t = open(f"{d}.time").read()
def field(name):
    m = re.search(re.escape(name) + r":\s*(.+)", t)
    return m.group(1).strip() if m else None
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
wall = end - start
verdicts = {}
for r in res:
    verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
print(json.dumps({
    "tool": "pucha run", "label": label, "sites": len(res), "pages": pages,
    "links_checked": checked, "links_broken": broken, "wall_s": round(wall, 1),
    "pages_per_s": round(pages / wall, 1), "cpu_s": round(cpu, 1),
    "cpu_share": round(cpu / wall, 2), "peak_rss_mib": int(field("Maximum resident set size (kbytes)")) // 1024,
    "longest_site": longest["url"], "longest_site_s": round(longest["crawl"]["elapsed_ms"] / 1000, 1),
    "verdicts": verdicts,
}, ensure_ascii=False))
EOF
}

# spider_cli over the same sites, one process per site, as many at once as pucha's sites in flight.
spider_run() { # csv parallel
  local csv=$1 par=$2
  [ -n "$SPIDER" ] && [ -x "$SPIDER" ] || { echo '{"tool":"spider","skipped":"no spider binary (cargo install spider_cli)"}'; return; }
  local start end
  start=$(date +%s.%N)
  python3 -c 'import csv,sys; r=csv.DictReader(open(sys.argv[1])); [print(x["url"]) for x in r]' "$csv" \
    | xargs -P "$par" -I{} sh -c "'$SPIDER' --url {} crawl --output-links 2>/dev/null | wc -l" >"$OUT/spider.counts"
  end=$(date +%s.%N)
  python3 - "$OUT/spider.counts" "$start" "$end" "$par" <<'EOF'
import json, sys
pages = sum(int(l) for l in open(sys.argv[1]) if l.strip())
wall = float(sys.argv[3]) - float(sys.argv[2])
print(json.dumps({"tool": "spider", "parallel": int(sys.argv[4]), "pages": pages,
                  "wall_s": round(wall, 1), "pages_per_s": round(pages / wall, 1)}))
EOF
}

case "$MODE" in
  full)
    serve_farm "$NET" "$WORLD_NET" "$SITES" "$PAGES" "$OUT/farm" 1 7
    census "full speed (--no-politeness)" "$OUT/farm/sites.csv" "$OUT/full" --no-politeness | tee -a "$OUT/results.jsonl"
    spider_run "$OUT/farm/sites.csv" "${SPIDER_PARALLEL:-8}" | tee -a "$OUT/results.jsonl"
    ;;
  polite)
    serve_farm "$NET" "$WORLD_NET" "$SITES" "$PAGES" "$OUT/farm" 1 7
    census "polite (defaults)" "$OUT/farm/sites.csv" "$OUT/polite" | tee -a "$OUT/results.jsonl"
    longest=$(python3 -c 'import json,sys; l=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print(l["longest_site"])' "$OUT/results.jsonl")
    python3 - "$OUT/farm/sites.csv" "$longest" "$OUT/longest.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
w = csv.DictWriter(open(sys.argv[3], "w", newline=""), fieldnames=rows[0].keys())
w.writeheader()
w.writerows(r for r in rows if r["url"].rstrip("/") == sys.argv[2].rstrip("/"))
EOF
    census "longest site alone (defaults)" "$OUT/longest.csv" "$OUT/alone" | tee -a "$OUT/results.jsonl"
    ;;
  scale)
    # SITES sites over farm processes of at most 250 sites each (one /24 per farm).
    total=${SITES}; i=0; : >"$OUT/all.csv"
    while [ "$total" -gt 0 ]; do
      n=$(( total > 250 ? 250 : total ))
      serve_farm "127.0.$((40 + i)).0" "127.0.$((100 + i)).0" "$n" "$PAGES" "$OUT/farm$i" 1 $((7 + i))
      if [ "$i" = 0 ]; then cat "$OUT/farm$i/sites.csv" >>"$OUT/all.csv"; else tail -n +2 "$OUT/farm$i/sites.csv" >>"$OUT/all.csv"; fi
      total=$(( total - n )); i=$(( i + 1 ))
    done
    census "scale ($SITES sites x $PAGES pages, polite)" "$OUT/all.csv" "$OUT/scale" | tee -a "$OUT/results.jsonl"
    ;;
  *) echo "usage: $0 full|polite|scale" >&2; exit 2 ;;
esac
