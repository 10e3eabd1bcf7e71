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

The FlatBuffer is written by the small forward writer below (TFLite schema 3, file identifier TFL3).
When models/tflite_writer.py (the TFLite importer's test-model writer) is merged, this writer should give
way to it.

Usage: /usr/bin/python3 models/onnx_to_tflite.py MODEL.onnx OUT.tflite
Needs Debian's python3-onnx and python3-numpy.
"""
import argparse
import base64
import os
import struct
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tfjs_graph_model import Translator  # noqa: E402

# TFLite schema enums (schema.fbs).
ADD, CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, MAX_POOL_2D, RELU, PAD, MEAN = 0, 3, 4, 9, 17, 19, 34, 40
OPT_CONV, OPT_DEPTHWISE, OPT_POOL, OPT_FC, OPT_ADD, OPT_PAD, OPT_REDUCER = 1, 2, 5, 8, 11, 22, 27
FLOAT32, INT32 = 0, 2
SAME, VALID = 0, 1
ACT = {None: 0, "Relu": 1, "Relu6": 3}


class FlatBufferWriter:
    """Writes a FlatBuffer front to back: a table's children (vectors, strings, tables) follow it, so every
    uoffset points forward as the format requires. Values: ('u8'|'i32'|'u32'|'bool', v) scalars, ('str', s),
    ('i32s', list), ('bytes', b), ('table', fields), ('tables', [fields]); fields = {field_id: value}."""

    SIZES = {"u8": 1, "bool": 1, "i32": 4, "u32": 4, "ref": 4}

    def __init__(self):
        self.buf = bytearray()

    def align(self, n, extra=0):
        while (len(self.buf) + extra) % n:
            self.buf.append(0)

    def finish(self, root, identifier=b"TFL3"):
        self.buf += b"\0\0\0\0" + identifier
        pos = self.table(root)
        struct.pack_into("<I", self.buf, 0, pos)
        return bytes(self.buf)

    def value(self, kind, v):
        """Writes a child object; returns its position."""
        if kind == "table":
            return self.table(v)
        if kind == "str":
            data = v.encode() + b"\0"
            self.align(4)
            pos = len(self.buf)
            self.buf += struct.pack("<I", len(data) - 1) + data
            return pos
        if kind == "i32s":
            self.align(4)
            pos = len(self.buf)
            self.buf += struct.pack(f"<I{len(v)}i", len(v), *v)
            return pos
        if kind == "bytes":
            self.align(16, 4)  # tensor data 16-byte aligned, as TFLite's converter writes it
            pos = len(self.buf)
            self.buf += struct.pack("<I", len(v)) + v
            return pos
        if kind == "tables":
            self.align(4)
            pos = len(self.buf)
            self.buf += struct.pack("<I", len(v)) + b"\0" * (4 * len(v))
            for i, t in enumerate(v):
                slot = pos + 4 + 4 * i
                struct.pack_into("<I", self.buf, slot, self.table(t) - slot)
            return pos
        raise ValueError(kind)

    def table(self, fields):
        # Inline layout: soffset, then the fields (scalars in place, 4-byte uoffsets for children).
        ids = sorted(fields)
        layout, size = {}, 4
        for i in ids:
            kind = fields[i][0]
            n = self.SIZES.get(kind, 4)
            size = (size + n - 1) // n * n
            layout[i] = size
            size += n
        size = (size + 3) // 4 * 4
        vtable_len = 4 + 2 * (max(ids) + 1 if ids else 0)
        self.align(2)
        vtable = len(self.buf)
        entries = [layout.get(i, 0) for i in range(vtable_len // 2 - 2)]
        self.buf += struct.pack(f"<HH{len(entries)}H", vtable_len, size, *entries)
        self.align(4)
        table = len(self.buf)
        self.buf += b"\0" * size
        struct.pack_into("<i", self.buf, table, table - vtable)
        for i in ids:
            kind, v = fields[i]
            at = table + layout[i]
            if kind in ("u8", "bool"):
                struct.pack_into("<B", self.buf, at, int(v))
            elif kind == "i32":
                struct.pack_into("<i", self.buf, at, v)
            elif kind == "u32":
                struct.pack_into("<I", self.buf, at, v)
        for i in ids:
            kind, v = fields[i]
            if kind not in self.SIZES:
                at = table + layout[i]
                struct.pack_into("<I", self.buf, at, self.value(kind, v) - at)
        return table


class TfliteModel:
    def __init__(self):
        self.tensors, self.buffers, self.ops, self.codes = [], [{}], [], []
        self.index = {}  # TF tensor name -> TFLite tensor index
        self.shapes = {}

    def tensor(self, name, shape, dtype=FLOAT32, data=None):
        buffer = 0
        if data is not None:
            self.buffers.append({0: ("bytes", np.ascontiguousarray(data).tobytes())})
            buffer = len(self.buffers) - 1
        self.tensors.append({0: ("i32s", [int(d) for d in shape]), 1: ("u8", dtype), 2: ("u32", buffer), 3: ("str", name)})
        self.index[name] = len(self.tensors) - 1
        self.shapes[name] = list(shape)
        return self.index[name]

    def op(self, code, inputs, outputs, options_type=0, options=None):
        if code not in self.codes:
            self.codes.append(code)
        fields = {0: ("u32", self.codes.index(code)), 1: ("i32s", inputs), 2: ("i32s", outputs)}
        if options_type:
            fields[3] = ("u8", options_type)
            fields[4] = ("table", options or {})
        self.ops.append(fields)

    def serialize(self, inputs, outputs, description):
        codes = [{0: ("u8", min(c, 127)), 2: ("i32", 1), 3: ("i32", c)} for c in self.codes]
        graph = {0: ("tables", self.tensors), 1: ("i32s", inputs), 2: ("i32s", outputs), 3: ("tables", self.ops), 4: ("str", "main")}
        model = {0: ("u32", 3), 1: ("tables", codes), 2: ("tables", [graph]), 3: ("str", description), 4: ("tables", self.buffers)}
        return FlatBufferWriter().finish(model)


def attr_ints(node, key):
    return [int(v) for v in node["attr"][key]["list"]["i"]]


def attr_str(node, key):
    return base64.b64decode(node["attr"][key]["s"]).decode()


def out_size(size, kernel, stride, padding):
    return -(-size // stride) if padding == "SAME" else (size - kernel) // stride + 1


def convert(t, description):
    weights = {name: array for name, _, array in t.weights}
    m = TfliteModel()
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
            pad = SAME if padding == "SAME" else VALID
            if depthwise:
                opts = {0: ("u8", pad), 1: ("i32", stride[1]), 2: ("i32", stride[0]), 3: ("i32", 1), 4: ("u8", act),
                        5: ("i32", 1), 6: ("i32", 1)}
                m.op(DEPTHWISE_CONV_2D, [m.index[x], fi, bi], [yi], OPT_DEPTHWISE, opts)
            else:
                opts = {0: ("u8", pad), 1: ("i32", stride[1]), 2: ("i32", stride[0]), 3: ("u8", act), 4: ("i32", 1), 5: ("i32", 1)}
                m.op(CONV_2D, [m.index[x], fi, bi], [yi], OPT_CONV, opts)
        elif op == "Pad":
            x, p = ins
            pads = weights[p].astype(np.int32)
            pi = m.tensor(f"{name}/paddings", pads.shape, INT32, pads)
            shape = [d + int(a) + int(b) for d, (a, b) in zip(m.shapes[x], pads)]
            m.op(PAD, [m.index[x], pi], [m.tensor(name, shape)], OPT_PAD, {})
        elif op in ("AddV2", "Relu"):
            y = m.tensor(name, m.shapes[ins[0]])
            if op == "AddV2":
                m.op(ADD, [m.index[ins[0]], m.index[ins[1]]], [y], OPT_ADD, {0: ("u8", 0)})
            else:
                m.op(RELU, [m.index[ins[0]]], [y])
        elif op == "MaxPool":
            k = attr_ints(node, "ksize")[1:3]
            s = attr_ints(node, "strides")[1:3]
            padding = attr_str(node, "padding")
            n, h, wd, c = m.shapes[ins[0]]
            y = m.tensor(name, [n, out_size(h, k[0], s[0], padding), out_size(wd, k[1], s[1], padding), c])
            opts = {0: ("u8", SAME if padding == "SAME" else VALID), 1: ("i32", s[1]), 2: ("i32", s[0]), 3: ("i32", k[1]),
                    4: ("i32", k[0]), 5: ("u8", 0)}
            m.op(MAX_POOL_2D, [m.index[ins[0]]], [y], OPT_POOL, opts)
        elif op == "Mean":
            x, axes = ins
            ai = m.tensor(f"{name}/axes", [2], INT32, weights[axes].astype(np.int32))
            n, _, _, c = m.shapes[x]
            m.op(MEAN, [m.index[x], ai], [m.tensor(name, [n, c])], OPT_REDUCER, {0: ("bool", False)})
        elif op == "_FusedMatMul":
            x, w, b = ins
            wt = np.ascontiguousarray(weights[w].T.astype(np.float32))  # [O, I]
            wi = m.tensor(f"{name}/weights", wt.shape, data=wt)
            bi = m.tensor(f"{name}/bias", [wt.shape[0]], data=weights[b].astype(np.float32))
            y = m.tensor(name, [m.shapes[x][0], wt.shape[0]])
            m.op(FULLY_CONNECTED, [m.index[x], wi, bi], [y], OPT_FC, {0: ("u8", 0), 1: ("u8", 0), 2: ("bool", False)})
        elif op == "Identity":
            # The graph output: the producing tensor takes the ONNX output's name.
            src = m.index[ins[0]]
            m.tensors[src][3] = ("str", name)
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
