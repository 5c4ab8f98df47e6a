#!/usr/bin/env bash
# Publishes the native AOT `snr` (linux-x64) and checks that it computes what the JIT build does:
# the same training run (epoch lines, test metrics, routing) and the same predictions, to the last
# printed digit. Both builds must run the AVX2/FMA kernels for that (Snr.Cli.csproj sets
# IlcInstructionSet=x86-64-v3 for AOT publishes); a baseline-ISA binary gives other numbers.
# On a CPU with AVX-512 the JIT also lets System.Numerics.Tensors use 512-bit vectors, which sum in
# another order (4th-decimal differences); the x86-64-v3 binary is then compared with the JIT
# limited to 256-bit vectors (DOTNET_PreferredVectorBitWidth=256), i.e. the JIT on an AVX2 CPU.
# ISA=native publishes for this CPU instead (then compared with the unrestricted JIT).
# Needs the ILCompiler packages from NuGet and clang (or set CPP=gcc to link with gcc).
# Takes a few minutes: not part of the test suite.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
linker=()
if [[ -n "${CPP:-}" ]]; then linker=(-p:CppCompilerAndLinker="$CPP"); fi

dotnet build "$repo/Snr.Cli" -c Release -v quiet -nologo >/dev/null
isa=()
if [[ -n "${ISA:-}" ]]; then isa=(-p:IlcInstructionSet="$ISA"); fi
dotnet publish "$repo/Snr.Cli" -c Release -r linux-x64 -p:PublishAot=true "${isa[@]}" "${linker[@]}" -o "$work/aot" -v quiet -nologo >/dev/null
jit=(dotnet "$repo/Snr.Cli/bin/Release/net10.0/snr.dll")
if [[ -z "${ISA:-}" ]] && grep -qw avx512f /proc/cpuinfo; then
  export DOTNET_PreferredVectorBitWidth=256   # read by the JIT only; the AOT binary has its width compiled in
fi
aot=("$work/aot/snr")

# A small CSV of our own for predict (its rows carry a header, as predict needs).
python3 - "$work/rows.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("x,y,color,clicked,spend\n")
    for i in range(2000):
        f.write(f"{i % 7},{(i * 13) % 11},{'red' if i % 3 == 0 else 'blue'},{'yes' if i % 7 > 3 else 'no'},{i % 5}\n")
PY

# The same runs through both builds, from the repository (where the bundled data is); times removed.
run() {
  local name="$1"; shift
  (cd "$repo" && "$@" train --epochs 2 --out "$work/$name-census") | sed -E 's/[0-9]+\.[0-9]+s\b/#s/g; s#Saved to .*#Saved to DIR#' > "$work/$name-train.txt"
  "$@" train --data "$work/rows.csv" --task click:clicked:yes --task spend:spend --epochs 2 --out "$work/$name-csv" > /dev/null
  "$@" predict --model "$work/$name-csv" --input "$work/rows.csv" > "$work/$name-scores.csv"
}
run jit "${jit[@]}"
run aot "${aot[@]}"

status=0
diff -u "$work/jit-train.txt" "$work/aot-train.txt" || status=1
cmp "$work/jit-scores.csv" "$work/aot-scores.csv" || status=1
if [[ $status -eq 0 ]]; then
  echo "aot-check: the native binary and the JIT build print the same training run and the same $(($(wc -l < "$work/jit-scores.csv") - 1)) predictions."
else
  echo "aot-check: the native binary and the JIT build differ (see above)." >&2
fi
exit $status
