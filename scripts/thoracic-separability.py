#!/usr/bin/env python3
"""How well could ANY threshold on the upper-back measures separate the labelled clips?

Usage: scripts/thoracic-separability.py EVAL_OUT [LABELS_CSV]

Reads `formcheck eval`'s per-clip `analysis.json` (EVAL_OUT/clips/*/analysis.json, its
`upper_back` entries) and `../shared/clips/labels.csv`. For the side-view clips labelled for
`thoracic_rounding` (0 or 1) it takes two per-clip figures, the largest over the clip's reps:
  - increase: the worst frame's curve over the rep's reference frame's (its flattest back at
    the same posture: the rule's measure);
  - absolute: the worst frame's curve itself (the outline's bend, body shape included).
For each it tries every threshold between the observed values and prints the best F1 a rule
"flag when the figure >= threshold" could reach on these labels, with its confusion counts.
This is an upper bound for any threshold fitted to these clips: if it is under a target, no
threshold on that figure reaches the target.
"""
import csv
import glob
import json
import os
import sys

out = sys.argv[1]
labels_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    os.path.dirname(__file__), "..", "..", "shared", "clips", "labels.csv")
labels = {r["id"]: r for r in csv.DictReader(open(labels_path))}

rows = []
for path in sorted(glob.glob(os.path.join(out, "clips", "*", "analysis.json"))):
    cid = os.path.basename(os.path.dirname(path))[:3]
    lab = labels.get(cid, {})
    if lab.get("thoracic_rounding", "") not in ("0", "1") or "side" not in lab.get("view", ""):
        continue
    a = json.load(open(path))
    inc, absolute = [], []
    for u in a.get("upper_back") or []:
        w = (u.get("worst") or {}).get("curve_deg")
        r = (u.get("reference") or {}).get("curve_deg")
        if w is None:
            continue
        absolute.append(w)
        if r is not None:
            inc.append(w - r)
    rows.append((cid, int(lab["thoracic_rounding"]), max(inc, default=None),
                 max(absolute, default=None)))

print("| clip | label | increase (deg) | absolute curve (deg) |")
print("|---|---|---|---|")
for cid, y, i, a in rows:
    f = lambda v: "–" if v is None else f"{v:.1f}"
    print(f"| {cid} | {y} | {f(i)} | {f(a)} |")


def best(col):
    # a clip without the figure is never flagged (counts as a miss when labelled 1)
    vals = sorted({r[col] for r in rows if r[col] is not None})
    cands = [vals[0] - 1] + [(a + b) / 2 for a, b in zip(vals, vals[1:])] + [vals[-1] + 1]
    top = None
    for t in cands:
        tp = sum(1 for r in rows if r[1] == 1 and r[col] is not None and r[col] >= t)
        fp = sum(1 for r in rows if r[1] == 0 and r[col] is not None and r[col] >= t)
        fn = sum(1 for r in rows if r[1] == 1) - tp
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if top is None or f1 > top[0]:
            top = (f1, t, tp, fp, fn)
    return top


print()
print("| figure | best F1 | at threshold (deg) | TP | FP | FN |")
print("|---|---|---|---|---|---|")
for name, col in (("increase", 2), ("absolute curve", 3)):
    f1, t, tp, fp, fn = best(col)
    print(f"| {name} | {f1:.2f} | {t:.1f} | {tp} | {fp} | {fn} |")


def cuts(col):
    vals = sorted({r[col] for r in rows if r[col] is not None})
    return [vals[0] - 1] + [(a + b) / 2 for a, b in zip(vals, vals[1:])] + [vals[-1] + 1]


# both figures together: "increase >= a OR absolute >= b" and "... AND ...", every pair
top = None
for a in cuts(2):
    for b in cuts(3):
        for name, rule in (("or", lambda i, c: i or c), ("and", lambda i, c: i and c)):
            flag = [rule(r[2] is not None and r[2] >= a, r[3] is not None and r[3] >= b)
                    for r in rows]
            tp = sum(1 for r, f in zip(rows, flag) if f and r[1] == 1)
            fp = sum(1 for r, f in zip(rows, flag) if f and r[1] == 0)
            fn = sum(1 for r in rows if r[1] == 1) - tp
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            if top is None or f1 > top[0]:
                top = (f1, f"increase >= {a:.1f} {name} absolute >= {b:.1f}", tp, fp, fn,
                       (a, b, name))
f1, rule, tp, fp, fn, (a, b, name) = top
print(f"| both ({rule}) | {f1:.2f} | – | {tp} | {fp} | {fn} |")

# the same best pair on the renders whose back stays flat (no "round" in the name): a rule
# fitted to the clips must not flag them
flat, flagged = 0, []
for path in sorted(glob.glob(os.path.join(out, "synthetic", "*", "analysis.json"))):
    render = os.path.basename(os.path.dirname(path))
    if "round" in render:
        continue
    flat += 1
    for u in json.load(open(path)).get("upper_back") or []:
        w = (u.get("worst") or {}).get("curve_deg")
        r = (u.get("reference") or {}).get("curve_deg")
        i = None if w is None or r is None else w - r
        hit = ((i is not None and i >= a), (w is not None and w >= b))
        if (hit[0] or hit[1]) if name == "or" else (hit[0] and hit[1]):
            flagged.append(render)
            break
print(f"\nThat pair flags {len(flagged)} of the {flat} flat-back renders: {', '.join(flagged)}")
