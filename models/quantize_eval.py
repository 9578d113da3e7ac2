#!/usr/bin/env python3
"""fp32 vs quantised landmark model, in one process, back to back (models/README.md, "int8").

    python models/quantize_eval.py --crops /tmp/crops/lean_back15 ... \
        --models models/pose_landmark_full_int8.onnx [more.onnx ...] [--runs 150]

Speed: ms per run with 1 and 2 intra-op threads (no spinning, as formcheck's engine), the
models interleaved in blocks of 10 runs, median after warm-up. Accuracy on the held-out crops
vs fp32: landmark x,y in 256-px crop coordinates after the heatmap refinement formcheck does
(33 body points; shoulders, hips, knees apart), visibility, pose score, mask IoU (logit > 0).
"""

import argparse
import glob
import os
import time

import numpy as np
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
GROUPS = {"shoulder": [11, 12], "hip": [23, 24], "knee": [25, 26]}


def session(path, threads):
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def refine(xy, heat):
    """formcheck's refine_from_heatmap (MediaPipe kernel 7, min confidence 0.5)."""
    n, ch = heat.shape[0], heat.shape[2]
    conf = sigmoid(heat)
    out = xy.copy()
    for i in range(33):
        col, row = int(np.floor(xy[i, 0] / 4)), int(np.floor(xy[i, 1] / 4))
        if not (0 <= col < n and 0 <= row < n):
            continue
        r0, r1, c0, c1 = max(row - 3, 0), min(row + 4, n), max(col - 3, 0), min(col + 4, n)
        w = conf[r0:r1, c0:c1, i]
        if w.max() >= 0.5 and w.sum() > 0:
            rr, cc = np.mgrid[r0:r1, c0:c1]
            out[i] = ((cc * w).sum() / w.sum() * 4, (rr * w).sum() / w.sum() * 4)
    return out


def infer(sess, x):
    names = [o.name for o in sess.get_outputs()]
    o = dict(zip(names, sess.run(None, {sess.get_inputs()[0].name: x})))
    lm = o["Identity"].reshape(39, 5)
    heat = o["Identity_3"].reshape(64, 64, 39)
    return {
        "xy": refine(lm[:33, :2].astype(np.float64), heat),
        "vis": sigmoid(lm[:33, 3]),
        "score": float(o["Identity_1"].ravel()[0]),
        "mask": o["Identity_2"].reshape(256, 256) > 0,
    }


def crops(dirs, every):
    files = []
    for d in dirs:
        names = sorted(glob.glob(os.path.join(d, "*.f32")), key=lambda p: int(os.path.basename(p)[:-4]))
        files += names[::every]
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fp32", default=os.path.join(HERE, "pose_landmark_full.onnx"))
    ap.add_argument("--models", nargs="+", required=True)
    ap.add_argument("--crops", nargs="+", required=True)
    ap.add_argument("--every", type=int, default=1)
    ap.add_argument("--runs", type=int, default=150)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--no-accuracy", action="store_true")
    args = ap.parse_args()
    paths = [args.fp32] + args.models
    label = lambda p: os.path.basename(p)

    files = crops(args.crops, args.every)
    if not args.no_speed:
        x = np.fromfile(files[len(files) // 2], dtype="<f4").reshape(1, 256, 256, 3)
        for t in args.threads:
            ss = [session(p, t) for p in paths]
            times = [[] for _ in paths]
            for s in ss:
                for _ in range(15):
                    s.run(None, {s.get_inputs()[0].name: x})
            for _ in range(args.runs // 10):
                for s, tt in zip(ss, times):
                    for _ in range(10):
                        t0 = time.perf_counter()
                        s.run(None, {s.get_inputs()[0].name: x})
                        tt.append((time.perf_counter() - t0) * 1000)
            base = np.median(times[0])
            for p, tt in zip(paths, times):
                m = np.median(tt)
                print(f"speed threads={t} {label(p):40s} median {m:6.2f} ms  p10 {np.percentile(tt, 10):6.2f}"
                      f"  speed-up {base / m:4.2f}x")

    if args.no_accuracy:
        return
    ss = [session(p, 1) for p in paths]
    res = [[] for _ in paths]
    for f in files:
        x = np.fromfile(f, dtype="<f4").reshape(1, 256, 256, 3)
        for s, r in zip(ss, res):
            r.append(infer(s, x))
    ref = res[0]
    print(f"accuracy on {len(files)} crops from {', '.join(os.path.basename(d.rstrip('/')) for d in args.crops)}")
    for p, r in zip(paths[1:], res[1:]):
        err = np.array([np.linalg.norm(a["xy"] - b["xy"], axis=1) for a, b in zip(r, ref)])  # crops x 33
        vis = np.array([a["vis"] - b["vis"] for a, b in zip(r, ref)])
        flips = sum(int(((a["vis"] > 0.5) != (b["vis"] > 0.5)).sum()) for a, b in zip(r, ref))
        score = np.array([a["score"] - b["score"] for a, b in zip(r, ref)])
        iou = np.array([(a["mask"] & b["mask"]).sum() / max((a["mask"] | b["mask"]).sum(), 1) for a, b in zip(r, ref)])
        line = f"acc {label(p):40s} px median {np.median(err):5.2f} p95 {np.percentile(err, 95):5.2f} max {err.max():6.2f}"
        for g, idx in GROUPS.items():
            e = err[:, idx]
            line += f" | {g} {np.median(e):4.2f}/{np.percentile(e, 95):4.2f}"
        line += (f" | vis |d| median {np.median(np.abs(vis)):.3f} max {np.abs(vis).max():.3f} flips {flips}/{vis.size}"
                 f" | score |d| max {np.abs(score).max():.4f}"
                 f" | mask IoU median {np.median(iou):.4f} p5 {np.percentile(iou, 5):.4f} min {iou.min():.4f}")
        print(line)


if __name__ == "__main__":
    main()
