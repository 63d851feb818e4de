#!/usr/bin/env bash
# Compiles the Strix CUDA kernels (strix_kernels.cu and the .cuh files it includes) to one PTX module and
# checks that ptxas assembles it for sm_75 (the oldest target) and sm_90.
#
#   kernels/src/main/cuda/build_ptx.sh [output.ptx]
#
# Default output: kernels/src/main/resources/dev/strix/kernels/cuda/strix_kernels.ptx (committed; machines
# without nvcc use it as is). The file starts with a header holding the SHA-256 of the sources and flags
# (PtxFreshnessTest recomputes it); it is rewritten only when its content changes. nvcc is taken from $NVCC,
# else /usr/local/cuda/bin/nvcc, else the PATH; ptxas from the same folder.
set -euo pipefail

# -fmad=false: no contraction of a * b + c into one fma unless the source writes fmaf (Java never contracts, so
# results match the CPU kernels bit for bit where the operations are IEEE). The hash covers these flags:
# PtxFreshnessTest reads this line, keep it on one line.
NVCC_FLAGS="-arch=compute_75 -O3 -fmad=false"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/../resources/dev/strix/kernels/cuda/strix_kernels.ptx}"

nvcc="${NVCC:-}"
if [[ -z "$nvcc" ]]; then
  if [[ -x /usr/local/cuda/bin/nvcc ]]; then nvcc=/usr/local/cuda/bin/nvcc; else nvcc="$(command -v nvcc || true)"; fi
fi
if [[ -z "$nvcc" || ! -x "$nvcc" ]]; then
  echo "build_ptx.sh: nvcc not found (set NVCC or install the CUDA toolkit); the committed PTX stays as it is" >&2
  exit 1
fi
ptxas="$(dirname "$nvcc")/ptxas"

# the sources in byte order of their names, then the flags: the same bytes PtxFreshnessTest hashes
sources=()
while IFS= read -r f; do sources+=("$f"); done < <(cd "$here" && LC_ALL=C ls -1 -- *.cu *.cuh | LC_ALL=C sort)
hash="$( { for f in "${sources[@]}"; do cat "$here/$f"; done; printf 'nvcc-flags: %s\n' "$NVCC_FLAGS"; } \
         | sha256sum | cut -d' ' -f1)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086 # the flags are meant to split
"$nvcc" -ptx $NVCC_FLAGS -o "$tmp/raw.ptx" "$here/strix_kernels.cu"
for arch in sm_75 sm_90; do
  "$ptxas" -arch="$arch" -o "$tmp/check_$arch.cubin" "$tmp/raw.ptx"
done

{
  printf '// strix-kernels-sources-sha256: %s\n' "$hash"
  printf '// strix-kernels-nvcc-flags: %s\n' "$NVCC_FLAGS"
  printf '// Generated from kernels/src/main/cuda by kernels/src/main/cuda/build_ptx.sh; do not edit.\n'
  cat "$tmp/raw.ptx"
} > "$tmp/strix_kernels.ptx"

mkdir -p "$(dirname "$out")"
if [[ -f "$out" ]] && cmp -s "$tmp/strix_kernels.ptx" "$out"; then
  echo "build_ptx.sh: $out is up to date ($(grep -c '^\.visible \.entry' "$out") kernels)"
else
  cp "$tmp/strix_kernels.ptx" "$out"
  echo "build_ptx.sh: wrote $out ($(grep -c '^\.visible \.entry' "$out") kernels, ptxas sm_75 and sm_90 ok)"
fi
