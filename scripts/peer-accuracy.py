#!/usr/bin/env python3
"""MediaPipe's own Python pipeline (the peer of bench/run.sh) on a render: its raw trunk and
hip angle RMSE against the render's truth, the yardstick for what the model alone gives.

Usage (the peer's venv, made by bench/run.sh: /tmp/formcheck-bench/peer-venv):
  peer-venv/bin/python scripts/peer-accuracy.py VIDEO GT_JSON

VIDEO is a render (or its mirror: the truth's angles are the same); GT_JSON its truth. The
peer runs as `../shared/tools/peer` does (legacy `mp.solutions.pose`, full model, tracking and
segmentation on). The near side is the one the model sees better (mean visibility of shoulder,
hip and knee), the facing direction from the nose against the ears; the trunk angle is the
hip→shoulder line from vertical (+ forward), the hip angle the shoulder–hip–knee angle, both
as formcheck defines them, with no filtering, gating or repair.
"""
import json
import math
import sys

import cv2
import mediapipe as mp

video, gt_path = sys.argv[1], sys.argv[2]
truth = json.load(open(gt_path))["frames"]
P = mp.solutions.pose.PoseLandmark
cap = cv2.VideoCapture(video)
frames = []
with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1,
                            enable_segmentation=True) as pose:
    while True:
        ok, image = cap.read()
        if not ok:
            break
        h, w = image.shape[:2]
        r = pose.process(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        frames.append(None if r.pose_landmarks is None else
                      [(l.x * w, l.y * h, l.visibility) for l in r.pose_landmarks.landmark])


def visibility(side):
    ids = [getattr(P, f"{side}_{j}") for j in ("SHOULDER", "HIP", "KNEE")]
    v = [f[i][2] for f in frames if f for i in ids]
    return sum(v) / max(1, len(v))


side = "LEFT" if visibility("LEFT") > visibility("RIGHT") else "RIGHT"
S, H, K = (getattr(P, f"{side}_{j}") for j in ("SHOULDER", "HIP", "KNEE"))
ahead = [f[P.NOSE][0] - (f[P.LEFT_EAR][0] + f[P.RIGHT_EAR][0]) / 2 for f in frames if f]
sign = 1 if sum(ahead) >= 0 else -1
trunk_err, hip_err = [], []
for f, g in zip(frames, truth):
    if not f:
        continue
    s, hp, k = f[S], f[H], f[K]
    trunk = math.degrees(math.atan2(sign * (s[0] - hp[0]), hp[1] - s[1]))
    hip = abs(math.degrees(math.atan2(s[1] - hp[1], s[0] - hp[0])
                           - math.atan2(k[1] - hp[1], k[0] - hp[0])))
    hip = 360 - hip if hip > 180 else hip
    true_hip = g["hip_angle_deg"] if g["hip_angle_deg"] <= 180 else 360 - g["hip_angle_deg"]
    trunk_err.append(trunk - g["trunk_angle_deg"])
    hip_err.append(hip - true_hip)


def rmse(e):
    return math.sqrt(sum(x * x for x in e) / len(e)) if e else float("nan")


print(f"{len(frames)} frames, {len(trunk_err)} with a pose, near side {side.lower()}: "
      f"trunk RMSE {rmse(trunk_err):.1f}, hip RMSE {rmse(hip_err):.1f}")
