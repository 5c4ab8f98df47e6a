#!/usr/bin/env bash
# Issue 16's streaming benchmark. Generates 10 million rows × 40 columns (2 labels, 24 numbers,
# 14 categories; about 1.8 GB of CSV and the same rows as Parquet, 100,000-row row groups), a
# 1-million-row CSV (the first million of those rows) and a 100,000-row test file, in a temporary
# folder outside the repository; then trains the same model for one epoch:
#   1. in memory on the 1M-row file (the rows/s reference),
#   2. streamed (--stream) from the 10M-row CSV, under /usr/bin/time -v for the peak memory,
#   3. streamed from the 10M-row Parquet file, strings plain-encoded (Parquet.Net's default), and
#   4. from the same rows as Parquet with dictionary-encoded strings (pyarrow's and Spark's default).
# --rows N streams N rows instead of 10M (a shorter run); --pairs K runs 1 to 4 K times, alternated,
# so that a shared machine's changing load falls on all; --no-parquet leaves out 3 and 4.
# and prints rows/s (training rows / the seconds `snr train` reports for training, which leave out
# the validation evaluation: 1M rows streamed, 100k in memory; shown apart) and peak memory.
# Targets: peak memory under 1 GB, streaming at least 80% of the in-memory rows/s, Parquet at
# least as fast as CSV. Takes 20-40 minutes on 2 cores and needs about 4 GB of disk.
#
#   scripts/stream-benchmark.sh [--keep] [--model KIND] [--batch-size N] [--rows N] [--pairs K] [--no-parquet]
#   SNR_BENCH_DIR=/big/disk scripts/stream-benchmark.sh    # where the temporary folder goes
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
keep=0 model=shared-bottom batch=512 rows=10000000 pairs=1 parquet=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keep) keep=1; shift ;;
    --model) model="$2"; shift 2 ;;
    --batch-size) batch="$2"; shift 2 ;;
    --rows) rows="$2"; shift 2 ;;
    --pairs) pairs="$2"; shift 2 ;;
    --no-parquet) parquet=0; shift ;;
    *) echo "usage: $0 [--keep] [--model KIND] [--batch-size N] [--rows N] [--pairs K] [--no-parquet]" >&2; exit 2 ;;
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
if [[ $parquet -eq 1 ]]; then
  "${generate[@]}" --rows "$rows" --csv rows-big.csv --parquet rows-big.parquet
  "${generate[@]}" --rows "$rows" --parquet rows-dict.parquet --strings dictionary
else
  "${generate[@]}" --rows "$rows" --csv rows-big.csv
fi
"${generate[@]}" --rows 1000000 --csv rows-1m.csv
"${generate[@]}" --rows 100000 --seed 2 --csv test.csv

tasks=(--task click:click:1 --task buy:buy:1 --model "$model" --batch-size "$batch" --epochs 1)

# One training run under /usr/bin/time -v; prints its training rows, training and validation seconds, rows/s, peak memory, wall time and load.
run() {
  local name="$1"; shift
  /usr/bin/time -v "${snr[@]}" train "$@" "${tasks[@]}" --out "model-$name" > "$name.out" 2> "$name.time" \
    || { cat "$name.out" "$name.time" >&2; exit 1; }
  python3 - "$name" <<'PY'
import re, sys
name = sys.argv[1]
out, time = open(f"{name}.out").read(), open(f"{name}.time").read()
rows = int(re.search(r"([\d,]+) training, [\d,]+ validation", out).group(1).replace(",", ""))
timing = re.search(r"\(([\d.]+)s of training, ([\d.]+)s of validation\)", out)
seconds, validation = float(timing.group(1)), float(timing.group(2))
peak_mb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", time).group(1)) / 1024
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", time).group(1)
load = open("/proc/loadavg").read().split()[0]  # the 1-minute load average at the end of the run (the machine may be shared)
print(f"{name:<18} {rows:>11,} {seconds:>9.1f} {validation:>7.1f} {rows / seconds:>10,.0f} {peak_mb:>9,.0f}   {wall:>8} {load:>6}")
open(f"{name}.rate", "w").write(str(rows / seconds))
PY
}

echo
printf '%-18s %11s %9s %7s %10s %9s   %8s %6s\n' run "train rows" "train s" "valid s" "rows/s" "peak MB" "wall" "load"
for ((pair = 1; pair <= pairs; pair++)); do
  run "memory-1m-$pair" --train rows-1m.csv --test test.csv
  run "stream-csv-$pair" --stream --train rows-big.csv --test test.csv
  if [[ $parquet -eq 1 ]]; then
    run "stream-parquet-$pair" --stream --train rows-big.parquet --test test.csv
    run "stream-dict-$pair" --stream --train rows-dict.parquet --test test.csv
  fi
done
python3 - "$pairs" <<'PY'
import os, statistics, sys
rate = lambda name: float(open(f"{name}.rate").read())
ratios = [rate(f"stream-csv-{k}") / rate(f"memory-1m-{k}") for k in range(1, int(sys.argv[1]) + 1)]
print(f"\nstreamed CSV / in memory, rows/s, per pair: {', '.join(f'{r:.0%}' for r in ratios)}; median {statistics.median(ratios):.0%} (target ≥ 80%)")
for kind, label in (("parquet", "Parquet"), ("dict", "Parquet, dictionary strings,")):
    if os.path.exists(f"stream-{kind}-1.rate"):
        ratios = [rate(f"stream-{kind}-{k}") / rate(f"stream-csv-{k}") for k in range(1, int(sys.argv[1]) + 1)]
        print(f"{label} / CSV streamed, rows/s, per pair: {', '.join(f'{r:.2f}' for r in ratios)} (target ≥ 1)")
PY
