#!/usr/bin/env bash
# The long hardening campaign (not part of CI): every Jazzer target fuzzed for SECONDS (default
# 600) in its own JVM, each target's executions and findings appended to the campaign log at the
# end of docs/HARDENING.md; then KILLS (default 1000) SIGKILLs of a FIFO peer under traffic, and
# LifecycleLoopIT with 1000 cycles per bus and device bundle (CI runs 200), 20 framework shutdowns
# under load (FrameworkShutdownIT; CI runs 5), 1000 swaps of a higher-ranked bus (RebindingIT; CI 50)
# and 50 cycles per bus and device bundle under client I/O (LifecycleUnderLoadIT; CI runs 10).
#   scripts/fuzz-long.sh [SECONDS] [KILLS]
# A finding leaves its crash input under hardening/src/test/resources/.../CLASSInputs/METHOD/:
# fix the code, commit the input with the fix, and note both in docs/HARDENING.md ("Findings").
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-600}"
kills="${2:-1000}"

./mvnw -B -q install -DskipTests
./mvnw -B -q test-compile -pl hardening
scripts/fuzz-ci.sh --seconds "$seconds" --record docs/HARDENING.md
fuzz=$?
if [ "$kills" -gt 0 ]; then
    start=$(date +%s)
    if scripts/fifo-kill-soak.sh "$kills"; then outcome="passed"; else outcome="FAILED"; fi
    printf '| %s | %s | FIFO kill soak (TwoProcessTest) | %s s | %s kills | %s |\n' "$(date -u +%Y-%m-%d)" \
        "$(git rev-parse --short HEAD)" "$(( $(date +%s) - start ))" "$kills" "$outcome" >>docs/HARDENING.md
fi
start=$(date +%s)
if ./mvnw -B verify -pl itests -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
        -Dit.test='LifecycleLoopIT,FrameworkShutdownIT,RebindingIT,LifecycleUnderLoadIT' -Dvmsg.lifecycle.cycles=1000 \
        -Dvmsg.shutdown.runs=20 -Dvmsg.rebinding.itSwaps=1000 -Dvmsg.lifecycle.loadCycles=50; then
    outcome="passed"
else
    outcome="FAILED"
fi
printf '| %s | %s | LifecycleLoopIT, FrameworkShutdownIT, RebindingIT, LifecycleUnderLoadIT | %s s | 1000 cycles x 7 bundles, 20 shutdowns, 1000 bus swaps, 50 cycles x 7 bundles under load | %s |\n' "$(date -u +%Y-%m-%d)" \
    "$(git rev-parse --short HEAD)" "$(( $(date +%s) - start ))" "$outcome" >>docs/HARDENING.md
exit $fuzz
