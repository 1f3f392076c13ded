#!/usr/bin/env bash
# Builds benchmarks/target/benchmarks.jar and runs the vmsg benchmarks with their anchors and the placement probe.
#
#   scripts/bench.sh            build + stages b1 b2 b2-2t b6 summary (about 12 minutes on 2 cores; b8 only when named)
#   scripts/bench.sh STAGE...   build, then only the named stages, in order:
#       b1       probe, B1 CodecDispatchBenchmark (3 profiles x 2 pairs, -prof gc), probe
#       b1-jit   B1 REV1 with -XX:FreqInlineSize=2000 (diagnostic: what allocation is left when the codec inlines)
#       b2       probe, Agrona anchor + B2 PolledRoundTripBenchmark (2 threads) + LoopbackRoundTripBenchmark (3 threads), probe
#       b2-2t    probe, SelfClockedRoundTripBenchmark (loopback and Agrona, 2 spinning threads), probe
#       b6       probe, B6 FfaRoundTripBenchmark (FF-A direct messaging, injected delay 0/1/5 us), probe
#       b8       probe, B8 BlockRandomReadBenchmark (4 KiB random reads QD1/QD16) + B9 BlockSequentialBenchmark
#                (64 KiB / 1 MiB sequential read and write), vmsg blk over loopback and over the FIFO bus
#                (two bus instances mapping the same files) vs FileChannel on the same
#                page-cached 256 MiB file ($TMPDIR/vmsg-bench-blk.img, created once), probe; 3 forks x 5 x 1 s
#                by default (B8_FORKS, B8_ITER, B8_WARM) to stay near 5 minutes
#       b10      probe, B10 NetFrameBenchmark (virtio-net frames/s over loopback and FIFO, 64 and 1500 B, batches of 32, Agrona anchor)
#       summary  print the summary of today's outputs
#   FORKS=5 ITER=5 WARM=3 TIME=1 override the JMH run shape; NOBUILD=1 skips the build.
#
# Raw output goes to docs/bench/<date>-<stage>.txt (probe lines included). A run whose probe says "far" (> 200 ns
# cache-line round trip) is flagged FAR in the summary: its cross-core figures are not comparable.
set -euo pipefail
cd "$(dirname "$0")/.."

DATE=${DATE:-$(date +%Y-%m-%d)}
OUT=docs/bench
JAR=benchmarks/target/benchmarks.jar
FORKS=${FORKS:-5}
ITER=${ITER:-5}
WARM=${WARM:-3}
TIME=${TIME:-1}
FLAGS=(-Xms1g -Xmx1g -XX:+AlwaysPreTouch --add-exports java.base/jdk.internal.misc=ALL-UNNAMED)
JMH_SHAPE=(-f "$FORKS" -i "$ITER" -wi "$WARM" -r "${TIME}s" -w "${TIME}s")
mkdir -p "$OUT"

build() {
    if [[ -z "${NOBUILD:-}" ]]; then
        ./mvnw -B -q -pl benchmarks -am package -DskipTests 2>/dev/null || mvn -B -q -pl benchmarks -am package -DskipTests
    fi
}

probe() { # $1 = label, $2 = output file
    java "${FLAGS[@]}" -cp "$JAR" dev.vmsg.bench.PlacementProbe "$1" | tee -a "$2" || true
}

jmh() { # $1 = output file, rest = JMH arguments
    local file=$1; shift
    echo "# command: java -jar $JAR ${JMH_SHAPE[*]} -jvmArgsAppend \"${FLAGS[*]}\" $*" | tee -a "$file"
    java -jar "$JAR" "${JMH_SHAPE[@]}" -jvmArgsAppend "${FLAGS[*]}" "$@" 2>&1 | tee -a "$file"
}

header() { # $1 = output file
    { echo "# date: $(date -Iseconds)"; echo "# nproc: $(nproc)";
      echo "# cpu: $(lscpu | sed -n 's/^Model name: *//p')"; echo "# java: $(java -version 2>&1 | head -1)";
      echo "# commit: $(git rev-parse --short HEAD)"; echo "# load average at start: $(cut -d" " -f1-3 /proc/loadavg)"; } > "$1"
}

stage_b1() {
    local f=$OUT/$DATE-b1.txt; header "$f"
    probe before-b1 "$f"
    jmh "$f" -prof gc 'CodecDispatchBenchmark'
    probe after-b1 "$f"
}

stage_b6() {
    local f=$OUT/$DATE-b6.txt; header "$f"
    probe before-b6 "$f"
    jmh "$f" 'FfaRoundTripBenchmark'
    probe after-b6 "$f"
}

stage_b8() {
    local f=$OUT/$DATE-b8.txt; header "$f"
    JMH_SHAPE=(-f "${B8_FORKS:-3}" -i "${B8_ITER:-5}" -wi "${B8_WARM:-2}" -r "${TIME}s" -w "${TIME}s")
    probe before-b8 "$f"
    # The FileChannel anchors do not use the bus: run them once; vmsg over both buses.
    jmh "$f" -p bus=loopback 'Block(RandomRead|Sequential)Benchmark.direct'
    jmh "$f" 'Block(RandomRead|Sequential)Benchmark.vmsg'
    probe after-b8 "$f"
    echo "# load average at end: $(cut -d" " -f1-3 /proc/loadavg)" | tee -a "$f"
}

stage_b10() {
    local f=$OUT/$DATE-b10.txt; header "$f"
    probe before-b10 "$f"
    # The Agrona anchor does not use the bus: run it once; virtio-net over both buses.
    jmh "$f" -p bus=loopback 'NetFrameBenchmark.agrona'
    jmh "$f" 'NetFrameBenchmark.virtioNet'
    probe after-b10 "$f"
    echo "# load average at end: $(cut -d" " -f1-3 /proc/loadavg)" | tee -a "$f"
}

stage_b1_jit() {
    local f=$OUT/$DATE-b1-jit.txt; header "$f"
    FLAGS+=(-XX:FreqInlineSize=2000)
    JMH_SHAPE=(-f 3 -i "$ITER" -wi "$WARM" -r "${TIME}s" -w "${TIME}s")
    jmh "$f" -prof gc -p profile=REV1 'CodecDispatchBenchmark'
}

stage_b2() {
    local f=$OUT/$DATE-b2.txt; header "$f"
    probe before-b2 "$f"
    jmh "$f" 'AgronaRoundTripBenchmark|PolledRoundTripBenchmark|LoopbackRoundTripBenchmark' -bm avgt,sample
    probe after-b2 "$f"
}

stage_b2_2t() {
    local f=$OUT/$DATE-b2-2t.txt; header "$f"
    probe before-b2-2t "$f"
    jmh "$f" 'SelfClockedRoundTripBenchmark'
    probe after-b2-2t "$f"
}

summary() {
    for f in "$OUT/$DATE"-*.txt; do
        [[ -e "$f" ]] || continue
        echo "== $f"
        grep -E '^PROBE' "$f" | sed 's/(min.*)//' || true
        grep -q 'regime=far' "$f" && echo "   FAR: at least one probe of this run says far; cross-core figures flagged" || true
        # the JMH result table: from its header line to the end of the file, without probe lines
        awk '/^Benchmark +/{p=1} p && !/^PROBE/' "$f" \
            | grep -Ev 'gc\.(count|time)|gc\.alloc\.rate +|p0\.(00|90|95|9999)|p1\.00' || true
    done
}

build
stages=("$@")
[[ ${#stages[@]} -eq 0 ]] && stages=(b1 b2 b2-2t b6 summary)
for s in "${stages[@]}"; do
    case $s in
        b1) stage_b1 ;;
        b1-jit) stage_b1_jit ;;
        b2) stage_b2 ;;
        b2-2t) stage_b2_2t ;;
        b6) stage_b6 ;;
        b8) stage_b8 ;;
        b10) stage_b10 ;;
        summary) summary ;;
        *) echo "unknown stage $s" >&2; exit 2 ;;
    esac
done
