#!/usr/bin/env bash
# Regenerates the SQNR tables of docs/calibration.md with lowp-calib.
# usage: examples/lowp-calib/sqnr_table.sh BUILD_DIR [BITS...]   (default bits: 8 4)
set -euo pipefail
build=${1:-build}
shift || true
bits=("$@")
[ ${#bits[@]} -gt 0 ] || bits=(8 4)
tool="$build/examples/lowp-calib/lowp-calib"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
/usr/bin/python3 "$(dirname "$0")/make_distributions.py" "$dir"
for b in "${bits[@]}"; do
  for scheme in symmetric affine; do
    for d in normal laplace relu_normal student_t3 outliers; do
      "$tool" "$dir/$d.npy" --bits "$b" --scheme "$scheme" --json > "$dir/$d.$b.$scheme.json"
    done
    /usr/bin/python3 - "$dir" "$b" "$scheme" <<'PY'
import json, sys
d, b, scheme = sys.argv[1], sys.argv[2], sys.argv[3]
names = ["normal", "laplace", "relu_normal", "student_t3", "outliers"]
runs = {n: json.load(open("%s/%s.%s.%s.json" % (d, n, b, scheme))) for n in names}
methods = [m["method"] for m in runs[names[0]]["methods"]]
print("\n%s-bit %s, SQNR in dB (higher is better; best per column in bold)\n" % (b, scheme))
print("| method | " + " | ".join(names) + " |")
print("|---" * (len(names) + 1) + "|")
best = {n: max(m["sqnr_db"] for m in runs[n]["methods"]) for n in names}
for i, m in enumerate(methods):
    cells = []
    for n in names:
        v = runs[n]["methods"][i]["sqnr_db"]
        cells.append(("**%.2f**" if v == best[n] else "%.2f") % v)
    print("| %s | %s |" % (m, " | ".join(cells)))
PY
  done
done
