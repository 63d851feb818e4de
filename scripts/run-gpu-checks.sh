#!/usr/bin/env bash
# run-gpu-checks.sh: runs the Strix GPU test suite (packages dev.strix.nn.cuda, dev.strix.cuda and
# dev.strix.detection.cuda, and the captured training step's test dev.strix.detection.bench.TrainStepCudaGraphTest)
# with the bundled Java runtime, then the GPU benchmarks (the classes listed in gpu-benchmarks.txt; strix bench
# model --device cuda, train 8x256 and 32x512 eager and as a CUDA graph, infer 32x512 eager and as a CUDA graph;
# the PyTorch peer detnet_bench.py eager and --cuda-graph where python3 with torch and CUDA is
# present), and prints one summary table. Needs no Java or Maven on the host. Extra arguments go to the JUnit console launcher
# (e.g. --select-class dev.strix.nn.cuda.DeviceOpsTest). Exit status: 0 when nothing failed.
# Environment: STRIX_JAVA_OPTS (extra JVM options), STRIX_REPORTS (report folder, default <bundle>/reports),
# STRIX_SKIP_BENCHMARKS=1 (tests only), STRIX_PYTHON (the python with torch; else the first of python3,
# /opt/torch/.venv/bin/python3 and /usr/bin/python3 that imports torch).
# Where nvidia-smi sees a GPU, a skipped test counts as a failure; a benchmark skips (with its reason) where
# CUDA or torch is missing.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAVA="$HERE/runtime/bin/java"
REPORTS="${STRIX_REPORTS:-$HERE/reports}"
JVM=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Xss8m -Xmx16g -XX:+UseParallelGC)
# shellcheck disable=SC2206
[ -n "${STRIX_JAVA_OPTS:-}" ] && JVM+=(${STRIX_JAVA_OPTS})

[ -x "$JAVA" ] || { echo "run-gpu-checks: no runtime at $JAVA (unpack the whole bundle)" >&2; exit 2; }
CONSOLE="$(ls "$HERE"/lib/junit-platform-console-standalone-*.jar 2>/dev/null | head -n1)"
[ -n "$CONSOLE" ] || { echo "run-gpu-checks: the JUnit console launcher is missing from $HERE/lib" >&2; exit 2; }

CP=""
for j in "$HERE"/lib/*.jar; do
  [ "$j" = "$CONSOLE" ] && continue
  CP="${CP:+$CP:}$j"
done
for d in "$HERE"/test-classes/*; do [ -d "$d" ] && CP="$CP:$d"; done

rm -rf "$REPORTS"
mkdir -p "$REPORTS"
echo "== Strix GPU checks: $(cat "$HERE/BUNDLE.txt" 2>/dev/null | head -n1)"
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
echo "== tests (JUnit console launcher)"
"$JAVA" "${JVM[@]}" -jar "$CONSOLE" execute --disable-banner --details=tree --class-path "$CP" \
  --select-package dev.strix.nn.cuda --select-package dev.strix.cuda --select-package dev.strix.detection.cuda \
  --select-class dev.strix.detection.bench.TrainStepCudaGraphTest \
  --reports-dir "$REPORTS" "$@" \
  2>&1 | tee "$REPORTS/tests.log"
TESTS_RC=${PIPESTATUS[0]}

# Benchmarks. One row each in benchmarks.tsv: name, exit status (or "skip"), seconds, JSON result file, note.
BENCH="$REPORTS/benchmarks.tsv"
: > "$BENCH"
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >> "$BENCH"; }
bench() { # name, json file, command...: runs it, logs it, records the row
  local name="$1" json="$2" start rc
  shift 2
  echo "== benchmark $name"
  start=$(date +%s)
  "$@" 2>&1 | tee "$REPORTS/benchmark-${name//[^A-Za-z0-9_.-]/_}.log"
  rc=${PIPESTATUS[0]}
  row "$name" "$rc" "$(( $(date +%s) - start ))" "$json" ""
}
if [ "${STRIX_SKIP_BENCHMARKS:-0}" != 1 ]; then
  if [ -s "$HERE/gpu-benchmarks.txt" ]; then
    while read -r cls; do
      [ -n "$cls" ] || continue
      bench "$cls" "" "$JAVA" "${JVM[@]}" -cp "$CP" "$cls"
    done < "$HERE/gpu-benchmarks.txt"
  fi
  # strix bench model on CUDA device 0 (DetNet defaults, 20 classes), when the detection module is bundled
  # and CUDA is usable (strix info says which and, if not, why).
  STRIX_RUNS=("train 8 256" "train 32 512" "train 8 256 --cuda-graph" "train 32 512 --cuda-graph" "infer 32 512"
    "infer 32 512 --cuda-graph")
  if ls "$HERE"/lib/strix-detection-*.jar >/dev/null 2>&1; then
    "$JAVA" "${JVM[@]}" -cp "$CP" dev.strix.detection.cli.Main info > "$REPORTS/strix-info.txt" 2>&1
    if grep -q '^  usable: ' "$REPORTS/strix-info.txt"; then
      for r in "${STRIX_RUNS[@]}"; do
        read -r mode b s graph <<< "$r"
        json="$REPORTS/strix-$mode-${b}x$s${graph:+-graph}.json"
        # shellcheck disable=SC2086
        bench "strix $mode ${b}x$s${graph:+ graph}" "$json" "$JAVA" "${JVM[@]}" -cp "$CP" dev.strix.detection.cli.Main \
          bench model --device cuda --mode "$mode" --batch "$b" --size "$s" --warmup 5 --iters 20 --json "$json" $graph
      done
    else
      why="$(sed -n 's/^  not usable: //p' "$REPORTS/strix-info.txt" | head -n1)"
      for r in "${STRIX_RUNS[@]}"; do
        read -r mode b s graph <<< "$r"
        row "strix $mode ${b}x$s${graph:+ graph}" skip 0 "" "CUDA not usable: ${why:-see $REPORTS/strix-info.txt}"
      done
    fi
  fi
  # The PyTorch peer (GPU_HOST.md): eager and with the whole step in one CUDA graph, where python3 and torch
  # with CUDA are present.
  # the first python that imports torch: STRIX_PYTHON, python3 on the PATH, the host's torch venv, the system one
  PY=""
  for c in ${STRIX_PYTHON:-} python3 /opt/torch/.venv/bin/python3 /usr/bin/python3; do
    command -v "$c" >/dev/null 2>&1 && "$c" -c 'import torch' >/dev/null 2>&1 && { PY="$c"; break; }
  done
  PT_RUNS=("train 8 256" "train 32 512" "infer 32 512")
  why=""
  if [ ! -f "$HERE/pytorch/detnet_bench.py" ] || [ ! -f "$HERE/pytorch/detnet.py" ]; then
    why="detnet_bench.py or detnet.py is not in the bundle"
  elif [ -z "$PY" ]; then
    why="no python that imports torch (tried ${STRIX_PYTHON:+$STRIX_PYTHON, }python3, /opt/torch/.venv/bin/python3, /usr/bin/python3)"
  elif ! "$PY" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' >/dev/null 2>&1; then
    why="$PY: torch $("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null) sees no CUDA device"
  fi
  for r in "${PT_RUNS[@]}"; do
    read -r mode b s <<< "$r"
    for graph in "" "--cuda-graph"; do
      name="pytorch $mode ${b}x$s${graph:+ graph}"
      if [ -n "$why" ]; then row "$name" skip 0 "" "$why"; continue; fi
      json="$REPORTS/pytorch-$mode-${b}x$s${graph:+-graph}.json"
      # shellcheck disable=SC2086
      bench "$name" "$json" "$PY" "$HERE/pytorch/detnet_bench.py" --reference "$HERE/pytorch" --device cuda \
        --mode "$mode" --batch "$b" --size "$s" --warmup 5 --iters 20 --json "$json" $graph
    done
  done
fi

# where the driver sees a GPU, a skipped test means something is wrong (e.g. a library was not found)
STRICT=()
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then STRICT=(--fail-on-skip); fi
echo
"$JAVA" -cp "$HERE/tools" GpuCheckSummary "$REPORTS" "$BENCH" "${STRICT[@]}"
SUMMARY_RC=$?
[ "$TESTS_RC" -eq 0 ] && [ "$SUMMARY_RC" -eq 0 ] && exit 0
exit 1
