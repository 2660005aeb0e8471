#!/usr/bin/env bash
# Measures `import --dry-run --types activities` on a synthetic 10-year
# Takeout zip: 4,000 exercise logs and a year of GPS day files (365 tracked
# runs at 1 Hz): wall time and peak RSS as GNU time reports them.
#
#   bash bench/activities.sh        # needs GNU time (/usr/bin/time: apt-get install time)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
go build -o "$out/fitbit2garmin" ./cmd/fitbit2garmin
zip="$out/activities-10y.zip"
[ -f "$zip" ] || go run ./bench/gentakeout -out "$zip" -years 10 -activities 4000 -gps-days 365 -seed 1
ls -l "$zip"
for run in 1 2 3; do
  /usr/bin/time -f "run=$run wall=%es maxrss=%MkB" \
    "$out/fitbit2garmin" import "$zip" --dry-run --types activities --timezone UTC >/dev/null
done
