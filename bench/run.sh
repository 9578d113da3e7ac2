#!/usr/bin/env bash
# formcheck benchmark: every figure in one run on the same machine, so ratios are comparable.
#   bench/run.sh [--no-peer] [--long] [--note TEXT]
# Needs ../shared (clips, and the MediaPipe peer in ../shared/tools). Writes bench/results.md.
# --long adds the 10-minute memory check (about 10 minutes more). --note is printed under the
# table (e.g. "machine shared with 3 builds").
#
# The floor is measured in the same run: decode only (formcheck's reader), the model only
# (examples/model_only: the engine on as many inputs as the full run's analysis.json counts,
# with and without the mask, at the pipeline's thread count) and the encode only (libx264 at
# the annotated video's size, preset and frame count, from raw frames on a pipe). Floor =
# their CPU seconds over the cores: what the work costs if nothing else ran and no core idled.
# formcheck's CPU per stage comes from `perf record` (per shared object) when perf is allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
PEER=1; LONG=0; NOTE=""
while [ $# -gt 0 ]; do
  case "$1" in --no-peer) PEER=0;; --long) LONG=1;; --note) NOTE=$2; shift;; esac; shift
done
SHARED=../shared
[ -d "$SHARED/clips" ] || { echo "bench needs ../shared (clips)"; exit 1; }
command -v /usr/bin/time >/dev/null || { apt-get install -y -q time >/dev/null; }
cargo build --release --locked --examples -q
WORK=${BENCH_DIR:-/tmp/formcheck-bench}; mkdir -p "$WORK"
BIN=target/release/formcheck
CLIP="$WORK/side1080p30.mp4"
if [ ! -f "$CLIP" ]; then
  # A real side-view deadlift (A02, 1280x720, 10.9 s) brought to 1080p30 H.264: no 1080p side-view clip is in ../shared.
  ffmpeg -v error -y -i "$SHARED/clips/A02_BichraiX_dataset_good_good008.mp4" -vf scale=1920:1080 -r 30 -c:v libx264 -preset veryfast -crf 20 -an "$CLIP"
fi
DUR=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$CLIP")
timed() { # prints "wall_s peak_rss_mb cpu_s" (cpu: user + system, children included)
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.txt" "$@" >"$WORK/stdout.txt" 2>"$WORK/stderr.txt" || { cat "$WORK/stderr.txt" >&2; return 1; }
  awk '{printf "%s %.0f %.2f\n", $1, $2/1024, $3+$4}' "$WORK/time.txt"
}
ROUNDS=${BENCH_ROUNDS:-3}
best() { # best (lowest wall) of $ROUNDS rounds of `timed`: the machine is noisy (a run here
  # varies by 10-15 % from one minute to the next), the floor is not
  local b r i; b=$(timed "$@")
  for ((i = 1; i < ROUNDS; i++)); do
    r=$(timed "$@")
    if awk -v x="${r%% *}" -v y="${b%% *}" 'BEGIN{exit !(x<y)}'; then b=$r; fi
  done
  echo "$b"
}
CORES=$(nproc)
rtf() { python3 -c "print(f'{$DUR/$1:.2f}')"; }
echo "clip: $CLIP ($DUR s)"
read -r ff_s ff_mb ff_cpu < <(timed ffmpeg -v error -i "$CLIP" -f null -)
read -r dec_s dec_mb dec_cpu < <(best target/release/examples/decode_only "$CLIP")
rm -rf "$WORK/out"
read -r full_s full_mb full_cpu < <(best $BIN analyze "$CLIP" --out "$WORK/out" -j 1 --force -q)
cp "$WORK/out/side1080p30/analysis.json" "$WORK/analysis_full.json"
read -r novideo_s novideo_mb novideo_cpu < <(best $BIN analyze "$CLIP" --out "$WORK/out_novideo" -j 1 --force -q --no-video)
# The floor's model part: as many model runs as the full run made, at its thread count (-j 1:
# all cores to the one video's model, see run_batch).
read -r L_RUNS M_RUNS D_RUNS W H FPS < <(python3 -c "
import json; a = json.load(open('$WORK/analysis_full.json')); t = a['timing']; v = a['video']
print(t['landmark_runs'], t['mask_runs'], t['detector_runs'], v['width'], v['height'], v['fps'])")
read -r model_s model_mb model_cpu < <(best target/release/examples/model_only models "$L_RUNS" "$M_RUNS" "$D_RUNS" "$CORES")
model_line=$(cat "$WORK/stdout.txt")
model_loop_cpu=$(sed -n 's/.* cpu_s=\([0-9.]*\).*/\1/p' <<<"$model_line")
# The floor's encode part: the annotated video's encoder settings
# (src/outputs/annotated/encoder.rs) on the clip's own frames as raw I420 on a pipe; only the
# encoder's CPU counts.
# annotated.mp4's size: output.annotated_max_short_side_px (720 by default) caps the short side
# (outputs::annotated::output_size), so the encode part is measured at that size, not the input's.
read -r OW OH < <(python3 -c "
import re
m = re.search(r'^annotated_max_short_side_px\s*=\s*(\d+)', open('formcheck.toml').read(), re.M)
cap = int(m.group(1)) if m else 0; w, h = $W, $H; short = min(w, h)
s = cap / short if cap and short > cap else 1.0
even = lambda v: max(2, round(v * s / 2) * 2) if s < 1 else v
print(even(w), even(h))")
PRESET=$(python3 -c "p=$OW*$OH; print('ultrafast' if p>=1280*720 else 'superfast' if p>854*480 else 'veryfast')")
encode_only() {
  ffmpeg -v error -i "$CLIP" -vf "scale=$OW:$OH" -f rawvideo -pix_fmt yuv420p - | /usr/bin/time -f "%e %M %U %S" -o "$WORK/enc_time.txt" \
    ffmpeg -v error -y -f rawvideo -pix_fmt yuv420p -s "${OW}x${OH}" -r "$FPS" -i - -an -vf "pad=ceil(iw/2)*2:ceil(ih/2)*2" \
    -c:v libx264 -preset "$PRESET" -crf 23 -pix_fmt yuv420p -movflags +faststart "$WORK/encode_only.mp4"
  awk '{printf "%s %.0f %.2f\n", $1, $2/1024, $3+$4}' "$WORK/enc_time.txt"
}
read -r enc_s enc_mb enc_cpu < <(encode_only)
read -r enc2_s enc2_mb enc2_cpu < <(encode_only)
if awk -v x="$enc2_cpu" -v y="$enc_cpu" 'BEGIN{exit !(x<y)}'; then enc_s=$enc2_s; enc_mb=$enc2_mb; enc_cpu=$enc2_cpu; fi
ENC_FRAMES=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$WORK/encode_only.mp4")
# Where formcheck's CPU goes: perf samples every ms of CPU time (cpu-clock, children followed)
# per process name and shared object. Skipped where perf is missing or not allowed.
perf_table="$WORK/perf.tsv"; rm -f "$perf_table"
if command -v perf >/dev/null && perf record -q -e cpu-clock -c 1000000 -o "$WORK/perf.data" -- \
     $BIN analyze "$CLIP" --out "$WORK/out_perf" -j 1 --force -q >/dev/null 2>&1; then
  perf report -i "$WORK/perf.data" --stdio --sort comm,dso -F sample,comm,dso 2>/dev/null \
    | awk '!/^#/ && NF>=3 {print $1"\t"$2"\t"$3}' > "$perf_table" || true
fi
read -r lite_s lite_mb lite_cpu < <(timed $BIN analyze "$CLIP" --out "$WORK/out_lite" -j 1 --force -q --model lite)
# The same full run with one model thread, and with the model on every frame.
printf '[pose]\nthreads = 1\n' > "$WORK/one_thread.toml"
read -r one_s one_mb _ < <(timed $BIN analyze "$CLIP" --out "$WORK/out_one" -j 1 --force -q --config "$WORK/one_thread.toml")
cp "$WORK/out_one/side1080p30/analysis.json" "$WORK/analysis_one.json"
printf '[pose]\nanalysis_fps = 0.0\n' > "$WORK/every_frame.toml"
read -r every_s every_mb _ < <(timed $BIN analyze "$CLIP" --out "$WORK/out_every" -j 1 --force -q --config "$WORK/every_frame.toml")
# The person mask on every model frame (no mask-less model): what pose.mask_fps saves.
printf '[pose]\nmask_fps = 0.0\n' > "$WORK/mask_every.toml"
read -r maskall_s maskall_mb _ < <(timed $BIN analyze "$CLIP" --out "$WORK/out_maskall" -j 1 --force -q --config "$WORK/mask_every.toml")
peer_s=""; peer_mb=""
if [ "$PEER" = 1 ]; then
  # only what the peer needs (its README): mediapipe 0.10.21, the last with mp.solutions
  PEER_VENV=${PEER_VENV:-$WORK/peer-venv}
  if [ ! -x "$PEER_VENV/bin/python" ]; then
    python3 -m venv "$PEER_VENV"
    "$PEER_VENV/bin/pip" install -q "mediapipe==0.10.21" "numpy<2"
  fi
  read -r peer_s peer_mb _ < <(best "$PEER_VENV/bin/python" "$SHARED/tools/peer/mediapipe_pose_peer.py" "$CLIP")
fi
# Batch scaling: 8 side-view clips on 1 core (taskset, 1 job) vs 2 cores (2 jobs).
BATCH="$WORK/batch8"; rm -rf "$BATCH"; mkdir -p "$BATCH"
for c in A04 A06 A09 A12 A13 A14 A15 A16; do ln -sf "$(realpath $SHARED/clips/${c}_*.mp4)" "$BATCH/"; done
read -r b1_s _ _ < <(timed taskset -c 0 $BIN analyze "$BATCH" --out "$WORK/b1" -j 1 --force -q)
read -r b2_s _ _ < <(timed $BIN analyze "$BATCH" --out "$WORK/b2" -j 2 --force -q)
# Peak RSS at 1080p, flat in length: the bench clip against six times its length.
LONG1080="$WORK/side1080p30_x6.mp4"
[ -f "$LONG1080" ] || ffmpeg -v error -y -stream_loop 5 -i "$CLIP" -c copy "$LONG1080"
LONG1080_S=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$LONG1080")
read -r _ rss10_mb _ < <(timed $BIN analyze "$CLIP" --out "$WORK/rss" -j 1 --force -q)
read -r rss60_s rss60_mb _ < <(timed $BIN analyze "$LONG1080" --out "$WORK/rss" -j 1 --force -q)
# 4K: analysed on a 1080p copy of each frame (video/decode.rs); the same clip brought to 2160p.
CLIP4K="$WORK/side2160p30.mp4"
[ -f "$CLIP4K" ] || ffmpeg -v error -y -i "$CLIP" -vf scale=3840:2160 -c:v libx264 -preset ultrafast -crf 20 -an "$CLIP4K"
read -r k4_s k4_mb _ < <(timed $BIN analyze "$CLIP4K" --out "$WORK/out4k" -j 1 --force -q)
read -r k4nv_s k4nv_mb _ < <(timed $BIN analyze "$CLIP4K" --out "$WORK/out4k_nv" -j 1 --force -q --no-video)
long_row=""
if [ "$LONG" = 1 ]; then
  SHORT="$WORK/short10s.mp4"; LONGV="$WORK/long10min.mp4"
  [ -f "$SHORT" ] || ffmpeg -v error -y -stream_loop 2 -i samples/deadlift_sample.mp4 -t 10 -c:v libx264 -preset veryfast "$SHORT"
  [ -f "$LONGV" ] || ffmpeg -v error -y -stream_loop 150 -i samples/deadlift_sample.mp4 -t 600 -c:v libx264 -preset veryfast "$LONGV"
  read -r _ short_mb _ < <(timed $BIN analyze "$SHORT" --out "$WORK/mem" -j 1 --force -q)
  read -r _ long_mb _ < <(timed $BIN analyze "$LONGV" --out "$WORK/mem" -j 1 --force -q)
  long_row="| peak RSS, 10 s vs 10 min (640x360) | ${short_mb} MB vs ${long_mb} MB |"
fi
python3 - "$WORK/analysis_full.json" "$WORK/analysis_one.json" "$perf_table" <<PY > bench/results.md
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
print(f"Clip: 1080p30 side-view deadlift, {dur:.1f} s, {n} frames. Machine: $CORES cores. Date: $(date -u +%F).")
if "$NOTE": print(f"\n**Note:** $NOTE")
print("\nRows marked * are the best of $ROUNDS rounds.\n")
print("| run | wall s | real-time factor | CPU s | peak RSS MB |\n|---|---|---|---|---|")
cpu = {"decode only, formcheck reader (OpenCV)": "$dec_cpu", "formcheck analyze, full model, all outputs": "$full_cpu",
       "formcheck analyze, full model, no annotated video (--no-video)": "$novideo_cpu", "decode only, ffmpeg -f null": "$ff_cpu"}
best2 = {"decode only, formcheck reader (OpenCV)", "formcheck analyze, full model, all outputs",
         "formcheck analyze, full model, no annotated video (--no-video)", "MediaPipe Python peer (full model)"}
for name, s, mb in rows:
    star = " *" if name in best2 else ""
    print(f"| {name}{star} | {s or 'n/a'} | {rt(s)} | {cpu.get(name, '')} | {mb or 'n/a'} |")

# The floor, measured in this run.
import re
kv = dict(re.findall(r"(\w+)=([0-9.]+)", "$model_line"))
dec_cpu, model_cpu, enc_cpu = float("$dec_cpu"), float("$model_loop_cpu"), float("$enc_cpu")
floor_nv = (dec_cpu + model_cpu) / $CORES
floor_full = (dec_cpu + model_cpu + enc_cpu) / $CORES
print("\n### The floor (same run)\n")
print("| part | what runs | wall s | CPU s |\n|---|---|---|---|")
print(f"| decode * | examples/decode_only: formcheck's reader, every frame | $dec_s | {dec_cpu:.2f} |")
print(f"| model * | examples/model_only: {kv.get('landmark_runs')} landmark runs ({kv.get('mask_runs')} with the mask: {kv.get('with_mask_ms')} ms, without: {kv.get('no_mask_ms')} ms a run), {kv.get('detector_runs')} detector runs ({kv.get('detector_ms')} ms), {kv.get('threads')} intra-op threads; model loading ({kv.get('load_cpu_s')} CPU s) left out | {kv.get('wall_s')} | {model_cpu:.2f} |")
print(f"| encode * | ffmpeg libx264 $PRESET crf 23, ${OW}x${OH} (annotated.mp4's size), $ENC_FRAMES frames of raw I420 on a pipe (the encoder process only) | $enc_s | {enc_cpu:.2f} |")
print(f"| **floor, no video** | (decode + model) CPU / $CORES cores | **{floor_nv:.2f}** | |")
print(f"| **floor, all outputs** | (decode + model + encode) CPU / $CORES cores | **{floor_full:.2f}** | |")
full_s, nv_s = float("$full_s"), float("$novideo_s")
peer = float("$peer_s") if "$peer_s" else None
# CPU over the floor's CPU reads the same on a loaded machine, where wall times stretch.
print("\n| formcheck | wall s | wall over the floor | CPU over the floor's CPU | wall over decode | peer / formcheck | targets (issue 19) |\n|---|---|---|---|---|---|---|")
for label, s, c, fl, t_floor, t_peer in [("all outputs", full_s, float("$full_cpu"), floor_full, 1.4, 2.5), ("--no-video", nv_s, float("$novideo_cpu"), floor_nv, 1.25, 4.0)]:
    ps = f"{peer/s:.2f}x" if peer else "n/a"
    ok_f = "met" if s / fl <= t_floor else "not met"
    ok_p = ("met" if peer / s >= t_peer else "not met") if peer else "n/a"
    print(f"| {label} | {s:.2f} | {s/fl:.2f}x | {c/(fl*$CORES):.2f}x | {s/float('$dec_s'):.2f}x | {ps} | <= {t_floor}x floor: {ok_f}; >= {t_peer}x peer: {ok_p} |")
print(f"\nThe model's chain alone: each frame's crop comes from the frame before's landmarks, so its runs cannot overlap; at {kv.get('threads')} threads they take {kv.get('wall_s')} s wall, a second lower bound next to the floor.")
cpu_gap = float("$full_cpu") - (dec_cpu + model_cpu + enc_cpu)
print(f"\nformcheck, all outputs, used {float('$full_cpu'):.2f} CPU s against the floor's {dec_cpu + model_cpu + enc_cpu:.2f}: {cpu_gap:.2f} CPU s more, of which the table below says where.")

# Per stage CPU (perf, one more full run): samples are 1 ms of CPU each.
rows_perf = []
try:
    for line in open(sys.argv[3]):
        ms, comm, dso = line.rstrip("\n").split("\t")
        rows_perf.append((int(ms), comm, dso))
except (OSError, ValueError):
    rows_perf = []
if rows_perf:
    def stage(comm, dso):
        if comm == "ffmpeg":
            if dso.startswith("libx264"): return "encode: libx264 (ffmpeg child)"
            if dso == "[kernel.kallsyms]": return "ffmpeg children: kernel (pipes, page faults)"
            if dso.startswith("ld-linux"): return "dynamic loading at start-up (all processes)"
            return "annotated pass: decode + scale (ffmpeg child), muxing"
        if dso.startswith("libonnxruntime"): return "model (ONNX Runtime)"
        if re.match(r"lib(avcodec|avformat|avutil|swscale|swresample|dav1d|opencv_videoio)", dso): return "decode, analysis pass (OpenCV/FFmpeg in formcheck)"
        if re.match(r"lib(opencv_|tbb|lapack|blas|gdcm|gomp)", dso): return "OpenCV image work (crop warp, colour, bar tracking, drawing)"
        if dso == "formcheck": return "formcheck's own code (bar, back contour, drawing, analysis, outputs)"
        if re.match(r"lib(c|m|stdc\+\+|gcc_s|pthread)[.-]", dso): return "libc/libm/libstdc++ (copies, allocation, maths) in formcheck"
        if dso == "[kernel.kallsyms]": return "kernel (formcheck: I/O, pipes, page faults, threads)"
        if dso.startswith("ld-linux"): return "dynamic loading at start-up (all processes)"
        return "other"
    groups = {}
    for ms, comm, dso in rows_perf:
        groups[stage(comm, dso)] = groups.get(stage(comm, dso), 0) + ms
    total = sum(groups.values())
    print("\n### Where formcheck's CPU goes (perf, one more full run, all outputs)\n")
    print("| stage | CPU s | share |\n|---|---|---|")
    for g, ms in sorted(groups.items(), key=lambda x: -x[1]):
        print(f"| {g} | {ms/1000:.2f} | {100*ms/total:.0f} % |")
    print(f"| total | {total/1000:.2f} | |")
full = float("$full_s")
print()
print(f"- formcheck full vs decode-only (formcheck reader): {full/float('$dec_s'):.2f}x the decode time")
if "$peer_s": print(f"- formcheck full vs MediaPipe peer: {float('$peer_s')/full:.2f}x faster")
print(f"- batch of 8 clips: 1 core (1 job) {float('$b1_s'):.1f} s, 2 cores (2 jobs) {float('$b2_s'):.1f} s, speed-up {float('$b1_s')/float('$b2_s'):.2f}x")
print(f"- peak RSS at 1080p, all outputs: {float('$DUR'):.1f} s clip $rss10_mb MB, {float('$LONG1080_S'):.1f} s clip (the same looped six times) $rss60_mb MB ({float('$rss60_s'):.1f} s wall)")
print(f"- 4K (the bench clip at 3840x2160, analysed on a 1080p copy of each frame): all outputs $k4_s s wall, peak RSS $k4_mb MB; --no-video $k4nv_s s, $k4nv_mb MB")
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
