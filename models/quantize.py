#!/usr/bin/env python3
"""Static int8 quantisation of the BlazePose full landmark model: an experiment, not shipped
(models/README.md, "int8 quantisation: tried, not shipped", has the figures).

Needs only `pip install onnxruntime==1.31.1 onnx numpy`.

Calibration crops are the landmark model's own inputs, dumped by formcheck while it analyses
the synthetic renders (never the real clips, which carry no licence):

    mkdir -p /tmp/crops/clean
    FORMCHECK_DUMP_CROPS=/tmp/crops/clean \
        target/release/formcheck analyze ../shared/synthetic/clean/video.mp4 --out /tmp/o --force -q -j 1
    (likewise drift10 and hips_first20; the other renders are held out for evaluation)

    python models/quantize.py --crops /tmp/crops/clean /tmp/crops/drift10 /tmp/crops/hips_first20 \
        --out /tmp/qdq.onnx

Each `<n>.f32` file is one 1x256x256x3 RGB crop in [0, 1], raw little-endian f32.
Defaults: QDQ, per-channel, QUInt8 activations / QInt8 weights, MinMax calibration on every
crop in the given folders (sorted). `models/quantize_eval.py` compares the result with fp32.
"""

import argparse
import glob
import os
import sys
import tempfile

import numpy as np
import onnx
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_dynamic,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPE = (1, 256, 256, 3)


def crop_files(dirs, every):
    files = []
    for d in dirs:
        names = sorted(
            glob.glob(os.path.join(d, "*.f32")),
            key=lambda p: int(os.path.basename(p).split(".")[0]),
        )
        files += names[::every]
    return files


def load_crop(path):
    x = np.fromfile(path, dtype="<f4")
    if x.size != np.prod(SHAPE):
        sys.exit(f"{path}: {x.size} floats, expected {np.prod(SHAPE)}")
    return x.reshape(SHAPE)


class Crops(CalibrationDataReader):
    def __init__(self, files, input_name):
        self.files = iter(files)
        self.input_name = input_name

    def get_next(self):
        f = next(self.files, None)
        return None if f is None else {self.input_name: load_crop(f)}


def output_ancestors(model):
    """Node names feeding each graph output."""
    producer = {o: n for n in model.graph.node for o in n.output}
    result = {}
    for out in model.graph.output:
        seen, stack = set(), [out.name]
        while stack:
            t = stack.pop()
            n = producer.get(t)
            if n is not None and n.name not in seen:
                seen.add(n.name)
                stack += list(n.input)
        result[out.name] = seen
    return result


def excluded_nodes(model, what):
    """Nodes kept in fp32: 'heads' = the last Conv of every output; 'mask' = every node only
    the mask (Identity_2) depends on; 'first' = the first Conv."""
    nodes = []
    anc = output_ancestors(model)
    producer = {o: n for n in model.graph.node for o in n.output}
    for w in what:
        if w == "heads":
            for out in model.graph.output:
                n = producer[out.name]
                while n.op_type != "Conv":
                    n = producer[n.input[0]]
                nodes.append(n.name)
        elif w == "mask":
            others = set().union(*(v for k, v in anc.items() if k != "Identity_2"))
            nodes += [n.name for n in model.graph.node if n.name in anc["Identity_2"] - others]
        elif w == "first":
            nodes.append(next(n.name for n in model.graph.node if n.op_type == "Conv"))
        else:
            sys.exit(f"unknown --exclude {w}")
    return sorted(set(nodes))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--model", default=os.path.join(HERE, "pose_landmark_full.onnx"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--crops", nargs="+", help="folders of <n>.f32 calibration crops")
    ap.add_argument("--every", type=int, default=1, help="use every Nth crop of each folder")
    ap.add_argument("--format", choices=["qdq", "qop"], default="qdq")
    ap.add_argument("--calib", choices=["minmax", "entropy", "percentile"], default="minmax")
    ap.add_argument("--exclude", nargs="*", default=[], help="heads, mask, first")
    ap.add_argument("--per-tensor", action="store_true", help="per-tensor weight scales")
    ap.add_argument(
        "--pointwise-only",
        action="store_true",
        help="exclude depthwise Convs (QDQ: ORT still fuses them to QLinearConv)",
    )
    ap.add_argument("--dynamic", action="store_true", help="quantize_dynamic (no calibration)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        pre = os.path.join(tmp, "pre.onnx")
        # Same as `python -m onnxruntime.quantization.preprocess --input M --output pre.onnx
        # --skip_symbolic_shape True`: all shapes are static, so the symbolic pass (which
        # needs sympy) is skipped.
        quant_pre_process(args.model, pre, skip_symbolic_shape=True)
        model = onnx.load(pre)
        if args.dynamic:
            quantize_dynamic(pre, args.out, weight_type=QuantType.QInt8, per_channel=True)
            print(f"wrote {args.out} (dynamic)")
            return
        if not args.crops:
            sys.exit("--crops is needed for static quantisation")
        files = crop_files(args.crops, args.every)
        if not files:
            sys.exit("no .f32 crops found")
        exclude = excluded_nodes(model, args.exclude)
        if args.pointwise_only:
            exclude += [n.name for n in model.graph.node if n.op_type == "Conv" and
                        any(a.name == "group" and a.i > 1 for a in n.attribute)]
        quantize_static(
            pre,
            args.out,
            Crops(files, model.graph.input[0].name),
            quant_format=QuantFormat.QDQ if args.format == "qdq" else QuantFormat.QOperator,
            per_channel=not args.per_tensor,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method={
                "minmax": CalibrationMethod.MinMax,
                "entropy": CalibrationMethod.Entropy,
                "percentile": CalibrationMethod.Percentile,
            }[args.calib],
            nodes_to_exclude=exclude,
        )
        print(f"wrote {args.out}: {len(files)} calibration crops, {len(exclude)} nodes kept fp32")


if __name__ == "__main__":
    main()
