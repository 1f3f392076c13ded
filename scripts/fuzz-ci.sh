#!/usr/bin/env bash
# Fuzzes every Jazzer target of hardening/ for a bounded time, one JVM per target (Jazzer fuzzes
# one @FuzzTest per JVM). A finding fails the run; Jazzer writes the crash input beside the
# committed inputs (hardening/src/test/resources/PKG/CLASSInputs/METHOD/crash-*): commit it with
# the fix, and plain `mvn verify` replays it from then on.
#
# Usage: scripts/fuzz-ci.sh [--seconds N] [--record FILE] [TargetSimpleName ...]
#   --seconds N    fuzzing time per target (default 20)
#   --record FILE  append one table row per target (date, commit, seconds, executions, findings)
# FUZZ_CLASSPATH (env) replaces the classpath below, e.g. with a snapshot while a build runs.
# Needs hardening/target/fuzz.classpath and test classes: `./mvnw -B verify` (or
# `./mvnw -B test-compile -pl hardening -am`) makes them; this script builds them when missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=20
record=""
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --record) record="$2"; shift 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done

if [ -n "${FUZZ_CLASSPATH:-}" ]; then
    cp="$FUZZ_CLASSPATH" # e.g. a snapshot of the classes, so a build may run meanwhile
else
    if [ ! -f hardening/target/fuzz.classpath ] || [ ! -d hardening/target/test-classes ]; then
        ./mvnw -B -q test-compile -pl hardening -am
    fi
    cp="$(pwd)/hardening/target/test-classes:$(cat hardening/target/fuzz.classpath)"
fi

mapfile -t all < <(cd hardening/src/test/java && find . -name '*FuzzTarget.java' | sed 's|^\./||; s|\.java$||; s|/|.|g' | sort)
if [ ${#targets[@]} -eq 0 ]; then
    selected=("${all[@]}")
else
    selected=()
    for t in "${targets[@]}"; do
        for c in "${all[@]}"; do
            [ "${c##*.}" = "$t" ] && selected+=("$c")
        done
    done
fi

logdir="hardening/target/fuzz-logs"
mkdir -p "$logdir"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
failed=0
total=0
for class in "${selected[@]}"; do
    name="${class##*.}"
    log="$logdir/$name.log"
    start=$(date +%s)
    set +e
    (cd hardening && JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" \
        timeout $((seconds + 180)) java -Xmx512m -cp "$cp" org.junit.platform.console.ConsoleLauncher execute \
        --disable-banner --details=none --fail-if-no-tests --select-class "$class") >"$log" 2>&1
    rc=$?
    set -e
    runs=$(grep -oE 'Done [0-9]+ runs' "$log" | tail -1 | grep -oE '[0-9]+' || true)
    runs=${runs:-0}
    total=$((total + runs))
    if [ $rc -eq 0 ]; then
        findings=0
        echo "fuzz $name: ${runs} executions in $(( $(date +%s) - start )) s, no finding"
    else
        findings=1
        failed=$((failed + 1))
        echo "fuzz $name: FINDING or failure (exit $rc) after ${runs} executions; log $log"
        grep -E 'crash-|Exception|Error|expected' "$log" | grep -v '^INFO' | head -20 || true
    fi
    if [ -n "$record" ]; then
        printf '| %s | %s | %s | %s s | %s | %s |\n' "$(date -u +%Y-%m-%d)" "$commit" "$name" "$seconds" "$runs" \
            "$([ $findings -eq 0 ] && echo none || echo "see $log")" >>"$record"
    fi
done
echo "fuzz: ${#selected[@]} targets, $total executions, $failed with findings"
[ $failed -eq 0 ]
