#!/usr/bin/env bash
# formcheck benchmark: every figure in one run on the same machine, so ratios are comparable.
#   bench/run.sh [--no-peer] [--long]
# Needs ../shared (clips, and the MediaPipe peer in ../shared/tools). Writes bench/results.md.
# --long adds the 10-minute memory check (about 10 minutes more).
set -euo pipefail
cd "$(dirname "$0")/.."
PEER=1; LONG=0
for a in "$@"; do case "$a" in --no-peer) PEER=0;; --long) LONG=1;; esac; done
SHARED=../shared
[ -d "$SHARED/clips" ] || { echo "bench needs ../shared (clips)"; exit 1; }
command -v /usr/bin/time >/dev/null || { apt-get install -y -q time >/dev/null; }
cargo build --release --examples -q
WORK=${BENCH_DIR:-/tmp/formcheck-bench}; mkdir -p "$WORK"
BIN=target/release/formcheck
CLIP="$WORK/side1080p30.mp4"
if [ ! -f "$CLIP" ]; then
  # A real side-view deadlift (A02, 1280x720, 10.9 s) brought to 1080p30 H.264: no 1080p side-view clip is in ../shared.
  ffmpeg -v error -y -i "$SHARED/clips/A02_BichraiX_dataset_good_good008.mp4" -vf scale=1920:1080 -r 30 -c:v libx264 -preset veryfast -crf 20 -an "$CLIP"
fi
DUR=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$CLIP")
timed() { # prints "wall_s peak_rss_mb"
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || { cat "$WORK/stderr.txt" >&2; return 1; }
  awk '{printf "%s %.0f\n", $1, $2/1024}' "$WORK/time.txt"
}
rtf() { python3 -c "print(f'{$DUR/$1:.2f}')"; }
echo "clip: $CLIP ($DUR s)"
read -r ff_s ff_mb < <(timed ffmpeg -v error -i "$CLIP" -f null -)
read -r dec_s dec_mb < <(timed target/release/examples/decode_only "$CLIP")
rm -rf "$WORK/out"
read -r full_s full_mb < <(timed $BIN analyze "$CLIP" --out "$WORK/out" -j 1 --force -q)
cp "$WORK/out/side1080p30/analysis.json" "$WORK/analysis_full.json"
read -r novideo_s novideo_mb < <(timed $BIN analyze "$CLIP" --out "$WORK/out_novideo" -j 1 --force -q --no-video)
read -r lite_s lite_mb < <(timed $BIN analyze "$CLIP" --out "$WORK/out_lite" -j 1 --force -q --model lite)
# The same full run with one model thread, and with the model on every frame.
printf '[pose]\nthreads = 1\n' > "$WORK/one_thread.toml"
read -r one_s one_mb < <(timed $BIN analyze "$CLIP" --out "$WORK/out_one" -j 1 --force -q --config "$WORK/one_thread.toml")
cp "$WORK/out_one/side1080p30/analysis.json" "$WORK/analysis_one.json"
printf '[pose]\nanalysis_fps = 0.0\n' > "$WORK/every_frame.toml"
read -r every_s every_mb < <(timed $BIN analyze "$CLIP" --out "$WORK/out_every" -j 1 --force -q --config "$WORK/every_frame.toml")
# The person mask on every model frame (no mask-less model): what pose.mask_fps saves.
printf '[pose]\nmask_fps = 0.0\n' > "$WORK/mask_every.toml"
read -r maskall_s maskall_mb < <(timed $BIN analyze "$CLIP" --out "$WORK/out_maskall" -j 1 --force -q --config "$WORK/mask_every.toml")
peer_s=""; peer_mb=""
if [ "$PEER" = 1 ]; then
  PEER_VENV=${PEER_VENV:-$WORK/render/venv}
  if [ ! -x "$PEER_VENV/bin/python" ]; then
    cp -r "$SHARED/tools/synthetic-render" "$WORK/render"; chmod -R u+w "$WORK/render"
    bash "$WORK/render/setup.sh" >/dev/null
  fi
  read -r peer_s peer_mb < <(timed "$PEER_VENV/bin/python" "$SHARED/tools/peer/mediapipe_pose_peer.py" "$CLIP")
fi
# Batch scaling: 8 side-view clips on 1 core (taskset, 1 job) vs 2 cores (2 jobs).
BATCH="$WORK/batch8"; rm -rf "$BATCH"; mkdir -p "$BATCH"
for c in A04 A06 A09 A12 A13 A14 A15 A16; do ln -sf "$(realpath $SHARED/clips/${c}_*.mp4)" "$BATCH/"; done
read -r b1_s _ < <(timed taskset -c 0 $BIN analyze "$BATCH" --out "$WORK/b1" -j 1 --force -q)
read -r b2_s _ < <(timed $BIN analyze "$BATCH" --out "$WORK/b2" -j 2 --force -q)
long_row=""
if [ "$LONG" = 1 ]; then
  SHORT="$WORK/short10s.mp4"; LONGV="$WORK/long10min.mp4"
  [ -f "$SHORT" ] || ffmpeg -v error -y -stream_loop 2 -i samples/deadlift_sample.mp4 -t 10 -c:v libx264 -preset veryfast "$SHORT"
  [ -f "$LONGV" ] || ffmpeg -v error -y -stream_loop 150 -i samples/deadlift_sample.mp4 -t 600 -c:v libx264 -preset veryfast "$LONGV"
  read -r _ short_mb < <(timed $BIN analyze "$SHORT" --out "$WORK/mem" -j 1 --force -q)
  read -r _ long_mb < <(timed $BIN analyze "$LONGV" --out "$WORK/mem" -j 1 --force -q)
  long_row="| peak RSS, 10 s vs 10 min (640x360) | ${short_mb} MB vs ${long_mb} MB |"
fi
python3 - "$WORK/analysis_full.json" "$WORK/analysis_one.json" <<PY > bench/results.md
import json, sys
a = json.load(open(sys.argv[1])); t = a["timing"]; n = a["video"]["decoded_frames"]
t1 = json.load(open(sys.argv[2]))["timing"]
dur = float("$DUR")
def rt(s): return f"{dur/float(s):.2f}x" if s else "n/a"
rows = [
 ("decode only, ffmpeg -f null", "$ff_s", "$ff_mb"),
 ("decode only, formcheck reader (OpenCV)", "$dec_s", "$dec_mb"),
 ("formcheck analyze, full model, all outputs", "$full_s", "$full_mb"),
 ("formcheck analyze, full model, no annotated video (--no-video)", "$novideo_s", "$novideo_mb"),
 ("formcheck analyze, full model, 1 model thread", "$one_s", "$one_mb"),
 ("formcheck analyze, full model on every frame (analysis_fps = 0)", "$every_s", "$every_mb"),
 ("formcheck analyze, full model, person mask on every model frame (mask_fps = 0)", "$maskall_s", "$maskall_mb"),
 ("formcheck analyze, lite model, all outputs", "$lite_s", "$lite_mb"),
 ("MediaPipe Python peer (full model)", "$peer_s", "$peer_mb"),
]
print(f"Clip: 1080p30 side-view deadlift, {dur:.1f} s, {n} frames. Machine: $(nproc) cores. Date: $(date -u +%F).\n")
print("| run | wall s | real-time factor | peak RSS MB |\n|---|---|---|---|")
for name, s, mb in rows:
    print(f"| {name} | {s or 'n/a'} | {rt(s)} | {mb or 'n/a'} |")
full = float("$full_s")
print()
print(f"- formcheck full vs decode-only (formcheck reader): {full/float('$dec_s'):.2f}x the decode time")
if "$peer_s": print(f"- formcheck full vs MediaPipe peer: {float('$peer_s')/full:.2f}x faster")
print(f"- batch of 8 clips: 1 core (1 job) {float('$b1_s'):.1f} s, 2 cores (2 jobs) {float('$b2_s'):.1f} s, speed-up {float('$b1_s')/float('$b2_s'):.2f}x")
if "$long_row": print("\n$long_row")
def stages(t, label):
  print(f"\nPer stage, {label} (ms): " + ", ".join([
    f"waiting for decode (own thread) {t['decode_ms']/n:.1f} per frame",
    f"detector {t['detector_ms']/max(t['detector_runs'],1):.1f} per run x {t['detector_runs']} runs",
    f"landmark model {t['landmark_ms']/max(t['landmark_runs'],1):.1f} per run x {t['landmark_runs']} runs of {n} frames ({t.get('mask_runs', t['landmark_runs'])} with the mask)",
    f"back contour {t['back_contour_ms']/max(t['landmark_runs'],1):.2f} per run",
    f"pose reliability checks {t.get('reliability_ms', 0)/n:.3f} per frame = {100*t.get('reliability_ms', 0)/max(t['landmark_ms']+t['detector_ms']+t['decode_ms'],1e-9):.2f} % of the pose stage",
    f"bar {t['bar_ms']/max(t['landmark_runs'],1):.2f} per model frame", f"analysis {t['analysis_ms']:.0f} total"]))
stages(t, "full model, 2 model threads")
stages(t1, "full model, 1 model thread")
PY
cat bench/results.md
