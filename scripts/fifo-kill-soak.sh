#!/usr/bin/env bash
# Long campaign of HARDENING matrix row 15 (not part of CI): kill -9 the FIFO device host under
# traffic N times (default 1000), restarting it over the left-over files each time, and check every
# read ends exactly once and the device comes back. About 2.5 s per kill on the reference machine.
#   scripts/fifo-kill-soak.sh [N]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-1000}"
cd "$ROOT"
./mvnw -B -q install -DskipTests -pl bundles/dev.vmsg.bus.fifo -am
./mvnw -B surefire:test -pl bundles/dev.vmsg.bus.fifo \
    -Dtest='TwoProcessTest#repeatedKillsAndRestartsUnderTraffic' -Dvmsg.fifo.kills="$N"
