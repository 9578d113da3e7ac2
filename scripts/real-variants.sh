#!/usr/bin/env bash
# Real side-view clips as a lifter facing the other way and filmed from further away: the
# held-out footage the renders cannot stand in for (real bodies, clothing, compression).
# For every side-view A/B/D clip of ../shared/clips it makes, in WORK (outside the repo: the
# clips carry no licence):
#   flip/  the clip mirrored (ffmpeg hflip);
#   far/   the clip shrunk to 300 px high on a 1280x720 canvas and mirrored (the lifter a
#          third to a fifth of the frame, as from 4-6 m);
# analyses the three sets with --no-video and prints, per clip, the findings that differ
# from the clip as filmed. Findings should not depend on the direction the lifter faces;
# from further away a finding may turn "not assessable", never appear.
#   scripts/real-variants.sh [WORK] [BIN]   (defaults: /tmp/formcheck-real-variants,
#                                            target/release/formcheck)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${FORMCHECK_SHARED:-../shared}
WORK=${1:-/tmp/formcheck-real-variants}
BIN=${2:-target/release/formcheck}
[ -f "$SHARED/clips/labels.csv" ] || { echo "needs $SHARED/clips (set FORMCHECK_SHARED)" >&2; exit 1; }
mkdir -p "$WORK/orig" "$WORK/flip" "$WORK/far"

python3 - "$SHARED/clips/labels.csv" >"$WORK/list.txt" <<'EOF'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["view"].startswith("side") and r["id"][0] in "ABD":
        print(r["id"], r["file"])
EOF

make_variants() { # id file
  local id=$1 src="$SHARED/clips/$2"
  ln -sf "$(realpath "$src")" "$WORK/orig/$id.mp4"
  [ -f "$WORK/flip/$id.mp4" ] || ffmpeg -nostdin -v error -y -i "$src" -vf hflip \
    -c:v libx264 -preset veryfast -crf 20 -an "$WORK/flip/$id.mp4"
  [ -f "$WORK/far/$id.mp4" ] || ffmpeg -nostdin -v error -y -i "$src" \
    -vf "scale=-2:300,pad=1280:720:(ow-iw)/2:380,hflip" \
    -c:v libx264 -preset veryfast -crf 23 -an "$WORK/far/$id.mp4"
}
while read -r id file; do make_variants "$id" "$file"; done <"$WORK/list.txt"

models=()
[ -d models ] && models=(--models-dir models)
for v in orig flip far; do
  "$BIN" analyze "$WORK/$v" --out "$WORK/out_$v" --no-video -q "${models[@]}"
done

python3 - "$WORK" <<'EOF'
import json, os, sys
work = sys.argv[1]
def findings(v, i):
    p = f"{work}/out_{v}/{i}/analysis.json"
    if not os.path.exists(p):
        return None
    return sorted(f"{f['kind']}#{f['rep']}" for f in json.load(open(p))["faults"])
ids = sorted(x for x in os.listdir(f"{work}/out_orig") if os.path.isdir(f"{work}/out_orig/{x}"))
counts = {v: 0 for v in ("orig", "flip", "far")}
differ = {v: 0 for v in ("flip", "far")}
for i in ids:
    base = findings("orig", i)
    for v in counts:
        counts[v] += len(findings(v, i) or [])
    for v in differ:
        got = findings(v, i)
        if got != base:
            differ[v] += 1
            print(f"{i}: as filmed {base}, {v} {got}")
print(f"{len(ids)} clips; findings as filmed {counts['orig']}, mirrored {counts['flip']}, "
      f"far and mirrored {counts['far']}; clips whose findings differ: mirrored "
      f"{differ['flip']}, far {differ['far']}")
EOF
