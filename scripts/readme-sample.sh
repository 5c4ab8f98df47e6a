#!/usr/bin/env bash
# Regenerates the sample output in README.md (between the readme-sample markers) by running the
# README's first command, `snr train` with its defaults, in a scratch folder (so the model is saved
# to ./snr-model there, as in a user's folder). Takes about a minute; CliTests checks the format.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dotnet build "$repo/Snr.Cli" -c Release -v quiet -nologo >/dev/null
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
(cd "$scratch" && dotnet "$repo/Snr.Cli/bin/Release/net10.0/snr.dll" train) > "$scratch/sample.txt"
python3 - "$repo/README.md" "$scratch/sample.txt" <<'PY'
import re, sys
readme, sample = sys.argv[1], open(sys.argv[2], encoding="utf-8").read().rstrip("\n")
text = open(readme, encoding="utf-8").read()
pattern = re.compile(r"(<!-- readme-sample: begin[^\n]*-->\n```text\n).*?(\n```\n<!-- readme-sample: end -->)", re.S)
if not pattern.search(text):
    sys.exit("README.md has no readme-sample markers")
open(readme, "w", encoding="utf-8").write(pattern.sub(lambda m: m.group(1) + sample + m.group(2), text, count=1))
print(sample)
PY
