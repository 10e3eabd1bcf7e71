#!/usr/bin/python3
"""Turns an ONNX CNN written by models/make_mobilenetv2_onnx.py or make_resnet_onnx.py into a float32 .tflite
of the same network (same weights, same function), so webcnn's float32 engine can be compared with LiteRT.js
on the same MobileNetV2 (bench/run.mjs, model mobilenetv2: engines litert and webcnn-chromium).

The network is first translated exactly as for TF.js (models/make_tfjs_graph_model.py's Translator: BN
folded into filters and biases, Clip(0,6)/Relu fused, torch's asymmetric stride-2 padding made an explicit
Pad + VALID), then each TF node becomes the TFLite builtin TFLite's converter writes for it:

  _FusedConv2D -> CONV_2D (filter OHWI, fused RELU6/RELU)     FusedDepthwiseConv2dNative -> DEPTHWISE_CONV_2D
  Pad -> PAD    AddV2 -> ADD    Relu -> RELU    MaxPool -> MAX_POOL_2D    Mean -> MEAN    _FusedMatMul -> FULLY_CONNECTED

Layout NHWC: the input is [N, H, W, C] while the ONNX input is [N, C, H, W]; feed the transposed tensor.
Output tensor: `output`, as in the ONNX model. Checked against onnxruntime-node by
tests/node/tflite_oracle.test.mjs (LiteRT.js runs the file) and by bench/run.mjs before timing.

The FlatBuffer is written by models/tflite_writer.py (the stdlib writer the TFLite importer's tests use).

Usage: /usr/bin/python3 models/onnx_to_tflite.py MODEL.onnx OUT.tflite
Needs Debian's python3-onnx and python3-numpy.
"""
import argparse
import base64
import os
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tfjs_graph_model import Translator  # noqa: E402

ACT = {None: "NONE", "Relu": "RELU", "Relu6": "RELU6"}


def load_writer():
    """models/tflite_writer.py, beside this script: the stdlib FlatBuffers writer the TFLite tests use too."""
    from tflite_writer import TFLiteModel
    return TFLiteModel


class TfliteGraph:
    """Tensors and operators as the translation finds them; written out by tflite_writer at the end, after
    the graph output tensor has taken the ONNX output's name."""

    def __init__(self):
        self.tensors, self.ops = [], []  # [name, shape, dtype, data]; (op, inputs, outputs, options)
        self.index = {}  # TF tensor name -> tensor index
        self.shapes = {}

    def tensor(self, name, shape, dtype="float32", data=None):
        self.tensors.append([name, [int(d) for d in shape], dtype, None if data is None else np.ascontiguousarray(data)])
        self.index[name] = len(self.tensors) - 1
        self.shapes[name] = list(shape)
        return self.index[name]

    def op(self, op, inputs, outputs, **options):
        self.ops.append((op, inputs, outputs, options))

    def serialize(self, inputs, outputs, description):
        m = load_writer()(description=description)
        for name, shape, dtype, data in self.tensors:
            m.add_tensor(name, shape, dtype, data=data)
        for op, ins, outs, options in self.ops:
            m.add_operator(op, ins, outs, **options)
        m.inputs, m.outputs = inputs, outputs
        return m.serialize()


def attr_ints(node, key):
    return [int(v) for v in node["attr"][key]["list"]["i"]]


def attr_str(node, key):
    return base64.b64decode(node["attr"][key]["s"]).decode()


def out_size(size, kernel, stride, padding):
    return -(-size // stride) if padding == "SAME" else (size - kernel) // stride + 1


def convert(t, description):
    weights = {name: array for name, _, array in t.weights}
    m = TfliteGraph()
    for node in t.nodes:
        op, name = node["op"], node["name"]
        ins = node.get("input", [])
        if op == "Const":
            continue
        if op == "Placeholder":
            dims = [int(d["size"]) for d in node["attr"]["shape"]["shape"]["dim"]]
            m.tensor(name, [1] + dims[1:])
            graph_input = m.index[name]
        elif op in ("_FusedConv2D", "FusedDepthwiseConv2dNative"):
            x, w, b = ins
            filt = weights[w]  # HWIO, or (kh, kw, C, 1)
            kh, kw = filt.shape[:2]
            stride = attr_ints(node, "strides")[1:3]
            padding = attr_str(node, "padding")
            fused = [base64.b64decode(s).decode() for s in node["attr"]["fused_ops"]["list"]["s"]]
            act = ACT[fused[1] if len(fused) > 1 else None]
            n, h, wd, _ = m.shapes[x]
            depthwise = op == "FusedDepthwiseConv2dNative"
            filt = filt.transpose(3, 0, 1, 2)  # OHWI, or [1, kh, kw, C]
            cout = filt.shape[3] if depthwise else filt.shape[0]
            fi = m.tensor(f"{name}/filter", filt.shape, data=filt.astype(np.float32))
            bi = m.tensor(f"{name}/bias", [cout], data=weights[b].astype(np.float32))
            yi = m.tensor(name, [n, out_size(h, kh, stride[0], padding), out_size(wd, kw, stride[1], padding), cout])
            common = dict(padding=padding, stride_w=stride[1], stride_h=stride[0], fused_activation_function=act,
                          dilation_w_factor=1, dilation_h_factor=1)
            if depthwise:
                m.op("DEPTHWISE_CONV_2D", [m.index[x], fi, bi], [yi], depth_multiplier=1, **common)
            else:
                m.op("CONV_2D", [m.index[x], fi, bi], [yi], **common)
        elif op == "Pad":
            x, p = ins
            pads = weights[p].astype(np.int32)
            pi = m.tensor(f"{name}/paddings", pads.shape, "int32", pads)
            shape = [d + int(a) + int(b) for d, (a, b) in zip(m.shapes[x], pads)]
            m.op("PAD", [m.index[x], pi], [m.tensor(name, shape)])
        elif op in ("AddV2", "Relu"):
            y = m.tensor(name, m.shapes[ins[0]])
            if op == "AddV2":
                m.op("ADD", [m.index[ins[0]], m.index[ins[1]]], [y], fused_activation_function="NONE")
            else:
                m.op("RELU", [m.index[ins[0]]], [y])
        elif op == "MaxPool":
            k = attr_ints(node, "ksize")[1:3]
            s = attr_ints(node, "strides")[1:3]
            padding = attr_str(node, "padding")
            n, h, wd, c = m.shapes[ins[0]]
            y = m.tensor(name, [n, out_size(h, k[0], s[0], padding), out_size(wd, k[1], s[1], padding), c])
            m.op("MAX_POOL_2D", [m.index[ins[0]]], [y], padding=padding, stride_w=s[1], stride_h=s[0], filter_width=k[1],
                 filter_height=k[0], fused_activation_function="NONE")
        elif op == "Mean":
            x, axes = ins
            ai = m.tensor(f"{name}/axes", [2], "int32", weights[axes].astype(np.int32))
            n, _, _, c = m.shapes[x]
            m.op("MEAN", [m.index[x], ai], [m.tensor(name, [n, c])], keep_dims=False)
        elif op == "_FusedMatMul":
            x, w, b = ins
            wt = np.ascontiguousarray(weights[w].T.astype(np.float32))  # [O, I]
            wi = m.tensor(f"{name}/weights", wt.shape, data=wt)
            bi = m.tensor(f"{name}/bias", [wt.shape[0]], data=weights[b].astype(np.float32))
            y = m.tensor(name, [m.shapes[x][0], wt.shape[0]])
            m.op("FULLY_CONNECTED", [m.index[x], wi, bi], [y], fused_activation_function="NONE", keep_num_dims=False)
        elif op == "Identity":
            # The graph output: the producing tensor takes the ONNX output's name.
            src = m.index[ins[0]]
            m.tensors[src][0] = name
            graph_output = src
        else:
            raise SystemExit(f"{name}: TF op {op} has no TFLite translation here")
    return m.serialize([graph_input], [graph_output], description)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("onnx_model")
    p.add_argument("output", help="the .tflite to write")
    a = p.parse_args()
    t = Translator(onnx.load(a.onnx_model))
    t.translate()
    data = convert(t, "webcnn models/onnx_to_tflite.py from " + os.path.basename(a.onnx_model))
    os.makedirs(os.path.dirname(os.path.abspath(a.output)), exist_ok=True)
    with open(a.output, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
