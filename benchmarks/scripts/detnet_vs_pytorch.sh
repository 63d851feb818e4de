#!/usr/bin/env bash
# DetNet side by side: Strix (`strix bench model`) and PyTorch (benchmarks/pytorch/detnet_bench.py), alternated
# A B A B ... on the same machine so that both see the same conditions. For each mode it prints every run, the
# medians of the per-run img/s and the ratio Strix/PyTorch; then it writes a JSON summary and a bar chart.
#
#   benchmarks/scripts/detnet_vs_pytorch.sh [options]
#     --batch B       images per step (default 8)
#     --size S        image side (default 256)
#     --modes "M..."  train, infer or both (default "train infer")
#     --threads T     CPU threads for both (default 2)
#     --rounds R      A/B pairs per mode (default 3)
#     --warmup W      untimed steps per run (default 20: Strix's JIT compiles its kernels during the first ~20)
#     --iters N       timed steps per run (default 10)
#     --device D      cpu or cuda (default cpu); on cuda PyTorch also runs with --cuda-graph
#     --out DIR       where runs, summary.json and chart.png go (default benchmarks/results/<date>)
#     --reference DIR folder with detnet.py (default ../shared/reference)
# Environment: PYTHON (default /usr/bin/python3, Debian's python3-torch on CPU), STRIX (the command line to run,
# default ./strix, which rebuilds the jar when sources changed), STRIX_JAVA_OPTS.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
B=8; S=256; MODES="train infer"; T=2; ROUNDS=3; W=20; N=10; DEV=cpu
OUT="$ROOT/benchmarks/results/$(date +%Y%m%d-%H%M%S)"; REF="$ROOT/../shared/reference"
PY="${PYTHON:-/usr/bin/python3}"
STRIX="${STRIX:-$ROOT/strix}"
while [ $# -gt 0 ]; do
  case "$1" in
    --batch) B="$2"; shift 2 ;;
    --size) S="$2"; shift 2 ;;
    --modes) MODES="$2"; shift 2 ;;
    --threads) T="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --warmup) W="$2"; shift 2 ;;
    --iters) N="$2"; shift 2 ;;
    --device) DEV="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --reference) REF="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "detnet_vs_pytorch.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -f "$REF/detnet.py" ] || { echo "detnet_vs_pytorch.sh: $REF/detnet.py not found (use --reference)" >&2; exit 2; }
mkdir -p "$OUT"
$STRIX version >/dev/null   # builds the jar first if needed
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
# CPU time the hypervisor gave to other guests (the "steal" column of /proc/stat, in clock ticks), and the
# total of all columns, so that the summary can say what share of the machine was taken during the runs
cpu_ticks() { awk '/^cpu /{t=0; for (i = 2; i <= NF; i++) t += $i; print $9, t}' /proc/stat; }
ticks_before="$(cpu_ticks)"

last_json() { tail -n 1 "$1"; }
field() { sed -n "s/.*\"$2\": *\([0-9.eE+-]*\).*/\1/p" "$1" | tail -n 1; }

variants=(pytorch)
[ "$DEV" = cuda ] && variants+=(pytorch-graph)
for mode in $MODES; do
  for r in $(seq "$ROUNDS"); do
    f="$OUT/strix-$mode-$r.txt"
    $STRIX bench model --model detnet --batch "$B" --size "$S" --mode "$mode" --device "$DEV" \
      --threads "$T" --warmup "$W" --iters "$N" > "$f"
    echo "$mode round $r: strix   $(field "$f" ms_per_step) ms/step  $(field "$f" img_per_s) img/s"
    peak=()   # on the CPU, PyTorch's peak_fraction is taken against the peak Strix just measured
    [ "$DEV" = cpu ] && peak=(--peak-gflops "$(field "$f" peak_gflops)")
    for v in "${variants[@]}"; do
      f="$OUT/$v-$mode-$r.txt"; extra=("${peak[@]}")
      [ "$v" = pytorch-graph ] && extra+=(--cuda-graph)
      "$PY" "$ROOT/benchmarks/pytorch/detnet_bench.py" --reference "$REF" --batch "$B" --size "$S" --mode "$mode" \
        --device "$DEV" --threads "$T" --warmup "$W" --iters "$N" "${extra[@]}" > "$f"
      printf '%s round %s: %-7s %s ms/step  %s img/s\n' "$mode" "$r" "$v" "$(field "$f" ms_per_step)" \
        "$(field "$f" img_per_s)"
    done
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
ticks_after="$(cpu_ticks)"

# medians, ratios and the summary (python is there anyway: it runs PyTorch)
"$PY" - "$OUT" "$B" "$S" "$T" "$ROUNDS" "$DEV" "$load_before" "$load_after" "$MODES" "$W" "$N" "$ticks_before" "$ticks_after" <<'PY'
import json, os, platform, statistics, sys
out, b, s, t, rounds, dev, lb, la, modes, warmup, iters, tb, ta = sys.argv[1:]
(steal0, total0), (steal1, total1) = (map(int, tb.split())), (map(int, ta.split()))
steal_share = round((steal1 - steal0) / max(1, total1 - total0), 4)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
summary = {"machine": f"{cpu}, {os.cpu_count()} cores", "device": dev, "batch": int(b), "size": int(s),
           "threads": int(t), "rounds": int(rounds), "warmup": int(warmup), "iters": int(iters), "load_average_before": lb, "load_average_after": la,
           "steal_share": steal_share,
           "command": "benchmarks/scripts/detnet_vs_pytorch.sh " + " ".join(
               [f"--batch {b} --size {s} --threads {t} --rounds {rounds} --warmup {warmup} --iters {iters} --device {dev}",
                f'--modes "{modes}"']),
           "results": []}
def runs(impl, mode):
    res = []
    for r in range(1, int(rounds) + 1):
        with open(os.path.join(out, f"{impl}-{mode}-{r}.txt")) as f:
            res.append(json.loads(f.read().strip().splitlines()[-1]))
    return res
for mode in modes.split():
    entry = {"mode": mode, "batch": int(b), "size": int(s)}
    for impl in ["strix", "pytorch"] + (["pytorch-graph"] if dev == "cuda" else []):
        rs = runs(impl, mode)
        key = impl.replace("-", "_")
        entry[f"{key}_img_per_s"] = round(statistics.median(r["img_per_s"] for r in rs), 3)
        entry[f"{key}_ms_per_step"] = round(statistics.median(r["ms_per_step"] for r in rs), 3)
        entry[f"{key}_runs_img_per_s"] = [r["img_per_s"] for r in rs]
        entry[f"{key}_peak_heap_mb"] = max(r["peak_heap_mb"] for r in rs)
    best = max(entry["pytorch_img_per_s"], entry.get("pytorch_graph_img_per_s", 0))
    entry["ratio"] = round(entry["strix_img_per_s"] / entry["pytorch_img_per_s"], 3)
    entry["ratio_vs_best"] = round(entry["strix_img_per_s"] / best, 3)
    summary["results"].append(entry)
    print(f"{mode} median: strix {entry['strix_img_per_s']} img/s ({entry['strix_ms_per_step']} ms), pytorch "
          f"{entry['pytorch_img_per_s']} img/s ({entry['pytorch_ms_per_step']} ms), ratio strix/pytorch {entry['ratio']}")
print(f"load average before {lb}, after {la}; CPU time taken by other guests (steal) during the runs "
      f"{100 * steal_share:.1f}%; {summary['machine']}")
with open(os.path.join(out, "summary.json"), "w") as f:
    json.dump(summary, f, indent=1)
    f.write("\n")
PY
$STRIX bench plot --json "$OUT/summary.json" --out "$OUT/chart.png"
echo "summary: $OUT/summary.json"
"$PY" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))' "$OUT/summary.json"
