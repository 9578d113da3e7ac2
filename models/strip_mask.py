#!/usr/bin/env python3
"""Makes `pose_landmark_full_nomask.onnx`: the full landmark model without its person-mask
output (`Identity_2`) and the nodes only that output needs. The mask head is about half of
every run (measured with ONNX Runtime 1.31.1 on 2 cores: 35.3 -> 16.1 ms per crop); the other
outputs (landmarks, pose score, heatmap, world landmarks) are bit-identical to the full model.
formcheck runs this model on the frames whose mask it does not need (`pose.mask_fps`).

Needs only `pip install onnx`. Deterministic: the sha256 is in models/README.md.

    python models/strip_mask.py models/pose_landmark_full.onnx models/pose_landmark_full_nomask.onnx
"""

import sys

import onnx
import onnx.utils


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    model = onnx.load(src)
    inputs = [i.name for i in model.graph.input]
    outputs = [o.name for o in model.graph.output if o.name != "Identity_2"]
    if len(outputs) == len(model.graph.output):
        sys.exit(f"{src}: no Identity_2 (mask) output")
    onnx.utils.extract_model(src, dst, inputs, outputs)
    print(f"{dst}: outputs {outputs}")


if __name__ == "__main__":
    main()
