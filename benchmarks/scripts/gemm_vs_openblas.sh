#!/usr/bin/env bash
# SGEMM side by side: Strix (`strix bench gemm`) and OpenBLAS through numpy (`a @ b`), alternated A B A B on the
# same machine so that both see the same conditions. Prints each run, the medians and the ratio Strix/OpenBLAS.
#   benchmarks/scripts/gemm_vs_openblas.sh [SIZE] [THREADS] [ROUNDS]
# Needs python3 with numpy linked to OpenBLAS (Debian: python3-numpy libopenblas0-pthread).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N="${1:-1024}"; T="${2:-2}"; ROUNDS="${3:-5}"
PY="${PYTHON:-/usr/bin/python3}"
"$ROOT/strix" version >/dev/null   # builds the jar first if needed
numpy_gflops() {
  OPENBLAS_NUM_THREADS="$T" "$PY" - "$N" <<'PY'
import sys, time
import numpy as np
n = int(sys.argv[1])
rng = np.random.default_rng(0)
a = rng.random((n, n), dtype=np.float32); b = rng.random((n, n), dtype=np.float32)
for _ in range(5): a @ b
ts = []
for _ in range(20):
    t = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t)
ts.sort(); ms = ts[len(ts) // 2] * 1e3
print(f"{2 * n**3 / (ms * 1e-3) / 1e9:.2f}")
PY
}
strix_gflops() {
  "$ROOT/strix" bench gemm --size "$N" --threads "$T" --warmup 20 --iters 20 | tail -n 1 \
    | sed -n 's/.*"gflops":\([0-9.]*\).*/\1/p'
}
s=(); o=()
for r in $(seq "$ROUNDS"); do
  a="$(strix_gflops)"; b="$(numpy_gflops)"
  echo "round $r: strix $a GFLOP/s   openblas $b GFLOP/s"
  s+=("$a"); o+=("$b")
done
med() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
ms="$(med "${s[@]}")"; mo="$(med "${o[@]}")"
ratio="$(awk -v a="$ms" -v b="$mo" 'BEGIN {printf "%.3f", a / b}')"
echo "median: strix $ms GFLOP/s, openblas $mo GFLOP/s, ratio $ratio (size $N, $T threads, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))"
echo "{\"size\":$N,\"threads\":$T,\"strix_gflops\":$ms,\"openblas_gflops\":$mo,\"ratio\":$ratio}"
