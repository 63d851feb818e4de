#!/usr/bin/env bash
# gpu-bundle.sh: builds a self-contained bundle that runs the Strix GPU test suite and GPU benchmarks on a CUDA
# host without Java or Maven.
#
#   scripts/gpu-bundle.sh            build bundle/ and dist/strix-gpu-bundle.tar.xz
#   STRIX_MVN_ARGS=-o scripts/gpu-bundle.sh   same, Maven offline
#   STRIX_BUNDLE_MODULES="native-bindings kernels nn" scripts/gpu-bundle.sh
#                                    only those modules (and what they need): enough for the GPU tests
#
# On the GPU host:  tar xJf strix-gpu-bundle.tar.xz && bundle/run-gpu-checks.sh
# See scripts/README.md for what the bundle holds.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bundle"
TAR="$ROOT/dist/strix-gpu-bundle.tar.xz"
NEED=22
CONSOLE_VERSION=1.14.1   # junit-platform-console-standalone matching JUnit 5.14.1 of the parent pom
# shellcheck disable=SC2206
MODULES=(${STRIX_BUNDLE_MODULES:-native-bindings kernels nn detection benchmarks})
JLINK_MODULES=java.base,jdk.incubator.vector,java.desktop,java.management,java.logging,jdk.unsupported,java.xml
MVN_ARGS=(-B -q ${STRIX_MVN_ARGS:-})

die() { echo "gpu-bundle: $*" >&2; exit 1; }
say() { echo "gpu-bundle: $*"; }

java_major() { # the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

find_jdk() { # a JAVA_HOME of version >= NEED with javac and jlink, preferring the newest (as ./strix does)
  local cands=() c best="" bestv=0 v
  [ -n "${JAVA_HOME:-}" ] && cands+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    c="$(readlink -f "$(command -v java)")"; cands+=("${c%/bin/java}")
  fi
  for c in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/jdk* "$HOME"/.sdkman/candidates/java/* \
           "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$c" ] && cands+=("$c")
  done
  for c in "${cands[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] && [ -x "$c/bin/jlink" ] || continue
    v="$(java_major "$c/bin/java")"
    [ -n "$v" ] || continue
    if [ "$v" -ge "$NEED" ] && [ "$v" -gt "$bestv" ]; then best="$c"; bestv="$v"; fi
  done
  [ -n "$best" ] && echo "$best"
}

JAVA_HOME="$(find_jdk)" || true
[ -n "${JAVA_HOME:-}" ] || die "no JDK $NEED+ with javac and jlink found (looked at JAVA_HOME, java on the PATH, /usr/lib/jvm, /opt/java, ~/.sdkman, ~/.jdks)"
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is not on the PATH"
command -v xz >/dev/null 2>&1 || die "xz is needed for the tar.xz"
say "JDK $(java_major "$JAVA_HOME/bin/java") at $JAVA_HOME"

cd "$ROOT"
rm -rf "$OUT"
mkdir -p "$OUT/lib" "$OUT/test-classes" "$OUT/tools" "$OUT/pytorch" "$(dirname "$TAR")"
# One reactor build (package, not install: the local Maven repository is left alone): sibling modules resolve
# from the reactor, and copy-dependencies puts every module's third-party jars (test scope) into bundle/lib.
say "building (mvn -DskipTests package; tests are compiled, not run) and copying dependencies"
PL=()
if [ -n "${STRIX_BUNDLE_MODULES:-}" ]; then PL=(-pl "$(IFS=,; echo "${MODULES[*]}")" -am); fi
mvn "${MVN_ARGS[@]}" "${PL[@]}" -DskipTests package dependency:copy-dependencies -DincludeScope=test \
  -DoutputDirectory="$OUT/lib" \
  -DexcludeGroupIds=dev.strix,org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian \
  || die "build failed; rerun 'mvn ${PL[*]} -DskipTests package' to see why"

VERSION="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -n1)"
for m in "${MODULES[@]}"; do
  art="strix-$m"
  jar="$m/target/$art-$VERSION.jar"
  [ -f "$jar" ] || die "missing $jar after the build"
  cp "$jar" "$OUT/lib/"
  if [ -d "$m/target/test-classes" ]; then cp -r "$m/target/test-classes" "$OUT/test-classes/$m"; fi
done

mvn "${MVN_ARGS[@]}" -N dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$CONSOLE_VERSION" \
  -DoutputDirectory="$OUT/lib" || die "could not fetch junit-platform-console-standalone $CONSOLE_VERSION"

# The PyTorch peer (run on the host when python3 with torch is there) and the reference model it imports.
cp benchmarks/pytorch/detnet_bench.py "$OUT/pytorch/"
REFERENCE=""
for r in "${STRIX_REFERENCE:-}" "$ROOT/../shared/reference" "$ROOT/../../shared/reference"; do
  [ -n "$r" ] && [ -f "$r/detnet.py" ] && { REFERENCE="$r"; break; }
done
if [ -n "$REFERENCE" ]; then
  cp "$REFERENCE/detnet.py" "$OUT/pytorch/"
  say "PyTorch peer: detnet_bench.py with $REFERENCE/detnet.py"
else
  say "warning: no detnet.py found (set STRIX_REFERENCE to its folder); the PyTorch benchmarks will be skipped"
fi

# GPU benchmarks: top-level classes named Gpu* or Cuda* in dev.strix.benchmarks (each has a main method)
: > "$OUT/gpu-benchmarks.txt"
if [ -d benchmarks/target/classes/dev/strix/benchmarks ]; then
  (cd benchmarks/target/classes && find dev/strix/benchmarks -maxdepth 1 \( -name 'Gpu*.class' -o -name 'Cuda*.class' \) \
     ! -name '*$*' | sed 's:\.class$::; s:/:.:g' | sort) > "$OUT/gpu-benchmarks.txt"
fi

say "compiling the summary tool"
javac --release 22 -d "$OUT/tools" "$ROOT/scripts/GpuCheckSummary.java"

say "linking a Java runtime ($JLINK_MODULES)"
jlink --add-modules "$JLINK_MODULES" --strip-debug --no-header-files --no-man-pages --compress=zip-9 \
  --output "$OUT/runtime"
if command -v strip >/dev/null 2>&1; then
  strip --strip-unneeded "$OUT/runtime/lib/server/libjvm.so" "$OUT"/runtime/lib/*.so 2>/dev/null || true
fi

cp "$ROOT/scripts/run-gpu-checks.sh" "$OUT/run-gpu-checks.sh"
chmod +x "$OUT/run-gpu-checks.sh"
{
  echo "Strix GPU bundle, version $VERSION"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) from $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'an unknown revision')"
  echo "runtime: $("$OUT/runtime/bin/java" -version 2>&1 | head -n1)"
  echo "run: bundle/run-gpu-checks.sh"
} > "$OUT/BUNDLE.txt"

say "packing $TAR"
tar -C "$ROOT" -cf - bundle | xz -T0 -9 > "$TAR"
say "bundle/ is $(du -sh "$OUT" | cut -f1), $(basename "$TAR") is $(du -h "$TAR" | cut -f1) ($(stat -c %s "$TAR") bytes)"
say "on the GPU host: tar xJf $(basename "$TAR") && bundle/run-gpu-checks.sh"
