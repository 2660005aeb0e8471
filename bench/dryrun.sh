#!/usr/bin/env bash
# Measures `import --dry-run` on a synthetic 10-year Takeout zip (3,650 days,
# ~8 drinks a day) with and without 500 MB of irrelevant members: wall time
# and peak RSS as GNU time reports them. The time must not grow with the noise.
#
#   bash bench/dryrun.sh            # needs GNU time (/usr/bin/time: apt-get install time)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
go build ${BENCH_TAGS:+-tags "$BENCH_TAGS"} -o "$out/fitbit2garmin" ./cmd/fitbit2garmin
for noise in 0 500; do
  zip="$out/takeout-10y-noise${noise}.zip"
  [ -f "$zip" ] || go run ./bench/gentakeout -out "$zip" -years 10 -drinks 8 -noise-mb "$noise" -seed 1
  for run in 1 2 3; do
    /usr/bin/time -f "noise=${noise}MB run=$run wall=%es maxrss=%MkB" \
      "$out/fitbit2garmin" import "$zip" --dry-run --timezone UTC >/dev/null
  done
done
