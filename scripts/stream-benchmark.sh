#!/usr/bin/env bash
# Issue 16's streaming benchmark. Generates 10 million rows × 40 columns (2 labels, 24 numbers,
# 14 categories; about 1.8 GB of CSV and the same rows as Parquet, 100,000-row row groups), a
# 1-million-row CSV (the first million of those rows) and a 100,000-row test file, in a temporary
# folder outside the repository; then trains the same model for one epoch:
#   1. in memory on the 1M-row file (the rows/s reference),
#   2. streamed (--stream) from the 10M-row CSV, under /usr/bin/time -v for the peak memory,
#   3. streamed from the 10M-row Parquet file.
# and prints rows/s (training rows / the seconds `snr train` reports for training) and peak memory.
# Targets: peak memory under 1 GB, streaming at least 80% of the in-memory rows/s, Parquet at
# least as fast as CSV. Takes 15-30 minutes on 2 cores and needs about 3 GB of disk.
#
#   scripts/stream-benchmark.sh [--keep] [--model KIND] [--batch-size N]
#   SNR_BENCH_DIR=/big/disk scripts/stream-benchmark.sh    # where the temporary folder goes
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
keep=0 model=shared-bottom batch=512
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keep) keep=1; shift ;;
    --model) model="$2"; shift 2 ;;
    --batch-size) batch="$2"; shift 2 ;;
    *) echo "usage: $0 [--keep] [--model KIND] [--batch-size N]" >&2; exit 2 ;;
  esac
done

if [[ ! -x /usr/bin/time ]]; then
  echo "installing GNU time (for peak memory)..." >&2
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y time >/dev/null; else sudo apt-get install -y time >/dev/null; fi
fi

dotnet build "$repo/Snr.Cli" -c Release -v quiet -nologo >/dev/null
dotnet build "$repo/scripts/RowGenerator" -c Release -v quiet -nologo >/dev/null
snr=("dotnet" "$repo/Snr.Cli/bin/Release/net10.0/snr.dll")
generate=("dotnet" "$repo/scripts/RowGenerator/bin/Release/net10.0/RowGenerator.dll")

work="$(mktemp -d "${SNR_BENCH_DIR:-${TMPDIR:-/tmp}}/snr-stream-bench.XXXXXX")"
if [[ $keep -eq 0 ]]; then trap 'rm -rf "$work"' EXIT; else echo "keeping $work" >&2; fi
cd "$work"

echo "generating the data in $work ..." >&2
"${generate[@]}" --rows 10000000 --csv rows-10m.csv --parquet rows-10m.parquet
"${generate[@]}" --rows 1000000 --csv rows-1m.csv
"${generate[@]}" --rows 100000 --seed 2 --csv test.csv

tasks=(--task click:click:1 --task buy:buy:1 --model "$model" --batch-size "$batch" --epochs 1)

# One training run under /usr/bin/time -v; prints "name  training rows  seconds  rows/s  peak MB".
run() {
  local name="$1"; shift
  /usr/bin/time -v "${snr[@]}" train "$@" "${tasks[@]}" --out "model-$name" > "$name.out" 2> "$name.time" \
    || { cat "$name.out" "$name.time" >&2; exit 1; }
  python3 - "$name" <<'PY'
import re, sys
name = sys.argv[1]
out, time = open(f"{name}.out").read(), open(f"{name}.time").read()
rows = int(re.search(r"([\d,]+) training, [\d,]+ validation", out).group(1).replace(",", ""))
seconds = float(re.search(r"\(([\d.]+)s of training\)", out).group(1))
peak_mb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", time).group(1)) / 1024
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", time).group(1)
print(f"{name:<16} {rows:>11,} {seconds:>9.1f} {rows / seconds:>10,.0f} {peak_mb:>9,.0f}   {wall}")
open(f"{name}.rate", "w").write(str(rows / seconds))
PY
}

echo
printf '%-16s %11s %9s %10s %9s   %s\n' run "train rows" "train s" "rows/s" "peak MB" "wall"
run memory-1m --train rows-1m.csv --test test.csv
run stream-csv-10m --stream --train rows-10m.csv --test test.csv
run stream-parquet-10m --stream --train rows-10m.parquet --test test.csv
python3 - <<'PY'
memory, csv, parquet = (float(open(f"{n}.rate").read()) for n in ("memory-1m", "stream-csv-10m", "stream-parquet-10m"))
print(f"\nstreamed CSV: {csv / memory:.0%} of the in-memory rows/s (target ≥ 80%); Parquet/CSV: {parquet / csv:.2f} (target ≥ 1)")
PY
