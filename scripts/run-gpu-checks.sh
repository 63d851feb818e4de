#!/usr/bin/env bash
# run-gpu-checks.sh: runs the Strix GPU test suite (packages dev.strix.nn.cuda and dev.strix.cuda) with the
# bundled Java runtime, then the GPU benchmarks listed in gpu-benchmarks.txt, and prints a summary table.
# Needs no Java or Maven on the host. Extra arguments go to the JUnit console launcher
# (e.g. --select-class dev.strix.nn.cuda.DeviceOpsTest). Exit status: 0 when nothing failed.
# Environment: STRIX_JAVA_OPTS (extra JVM options), STRIX_REPORTS (report folder, default <bundle>/reports),
# STRIX_SKIP_BENCHMARKS=1 (tests only). Where nvidia-smi sees a GPU, a skipped test counts as a failure.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAVA="$HERE/runtime/bin/java"
REPORTS="${STRIX_REPORTS:-$HERE/reports}"
JVM=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m -Xmx16g -XX:+UseParallelGC)
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
  --select-package dev.strix.nn.cuda --select-package dev.strix.cuda --reports-dir "$REPORTS" "$@" \
  2>&1 | tee "$REPORTS/tests.log"
TESTS_RC=${PIPESTATUS[0]}

BENCH="$REPORTS/benchmarks.tsv"
: > "$BENCH"
if [ "${STRIX_SKIP_BENCHMARKS:-0}" != 1 ] && [ -s "$HERE/gpu-benchmarks.txt" ]; then
  while read -r cls; do
    [ -n "$cls" ] || continue
    echo "== benchmark $cls"
    start=$(date +%s)
    "$JAVA" "${JVM[@]}" -cp "$CP" "$cls" 2>&1 | tee "$REPORTS/benchmark-$cls.log"
    rc=${PIPESTATUS[0]}
    printf '%s\t%s\t%s\n' "$cls" "$rc" "$(( $(date +%s) - start ))" >> "$BENCH"
  done < "$HERE/gpu-benchmarks.txt"
fi

# where the driver sees a GPU, a skipped test means something is wrong (e.g. a library was not found)
STRICT=()
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then STRICT=(--fail-on-skip); fi
echo
"$JAVA" -cp "$HERE/tools" TestSummary "$REPORTS" "$BENCH" "${STRICT[@]}"
SUMMARY_RC=$?
[ "$TESTS_RC" -eq 0 ] && [ "$SUMMARY_RC" -eq 0 ] && exit 0
exit 1
