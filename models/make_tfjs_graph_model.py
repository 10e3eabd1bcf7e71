#!/usr/bin/python3
"""Translates an ONNX CNN written by models/make_mobilenetv2_onnx.py or make_resnet_onnx.py into the TF.js
graph-model that tfjs-converter would write for the same network (same weights, same function), so
benchmarks can give TF.js the graph it really runs in production:

  Conv + BatchNormalization [+ Clip(0,6) | Relu]  ->  _FusedConv2D {fused_ops: [BiasAdd(, Relu6|Relu)]}
                                                      FusedDepthwiseConv2dNative for depthwise convs
                                                      (BN folded into the filter and a bias)
  Add -> AddV2, Relu -> Relu, GlobalAveragePool + flatten -> Mean(axes 1,2), Gemm -> _FusedMatMul [BiasAdd]
  padding: SAME where it equals the ONNX pads (stride 1, odd kernel), VALID where there are none,
  otherwise an explicit Pad node + VALID (what Keras' ZeroPadding2D converts to);
  MaxPool with pads -> Pad + MaxPool VALID (exact: these networks max-pool ReLU outputs, which are >= 0).

Layout is NHWC: the input placeholder is [N, H, W, C] while the ONNX input is [N, C, H, W]; feed the
transposed tensor. Output node: `output` (an Identity), as in the ONNX model.

Usage: /usr/bin/python3 models/make_tfjs_graph_model.py MODEL.onnx OUT_DIR/model.json
       (writes model.json and model.bin beside it)
Needs Debian's python3-onnx and python3-numpy.
"""
import argparse
import base64
import json
import os

import numpy as np
import onnx
from onnx import numpy_helper

FLATTEN_HELPERS = {"Shape", "Gather", "Unsqueeze", "Concat", "Constant"}


def b64(text):
    return base64.b64encode(text.encode()).decode()


def ints(values):
    return {"list": {"i": [str(int(v)) for v in values]}}


class Translator:
    def __init__(self, model):
        g = model.graph
        self.graph = g
        self.inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
        self.consumers = {}
        for n in g.node:
            for i in n.input:
                self.consumers.setdefault(i, []).append(n)
        self.nodes = []           # TF NodeDefs (JSON form)
        self.weights = []         # (name, ndarray) in manifest order
        self.tf_name = {}         # ONNX tensor name -> TF tensor name
        self.done = set()         # ONNX nodes already folded into an earlier TF node
        self.nonnegative = set()  # TF tensors known to be >= 0 (ReLU/ReLU6 outputs)

    # ---- helpers --------------------------------------------------------------------------------
    def const(self, name, array):
        dtype = {np.dtype(np.float32): ("DT_FLOAT", "float32"), np.dtype(np.int32): ("DT_INT32", "int32")}[array.dtype]
        self.nodes.append({"name": name, "op": "Const", "attr": {
            "value": {"tensor": {"dtype": dtype[0], "tensorShape": {"dim": [{"size": str(d)} for d in array.shape]}}},
            "dtype": {"type": dtype[0]}}})
        self.weights.append((name, dtype[1], array))
        return name

    def only_consumer(self, tensor, op):
        users = self.consumers.get(tensor, [])
        if len(users) == 1 and users[0].op_type == op and tensor not in self.graph_outputs:
            return users[0]
        return None

    @staticmethod
    def attrs(node):
        return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

    def padding(self, x, pads, kernel, stride, prefix):
        """(tf input, padding string): SAME/VALID when exact, else a Pad node feeding VALID."""
        top, left, bottom, right = pads
        if not any(pads):
            return x, "VALID"
        same = [(k - 1) // 2 for k in kernel]
        if stride == [1, 1] and all(k % 2 == 1 for k in kernel) and [top, left] == same and [bottom, right] == same:
            return x, "SAME"
        paddings = self.const(f"{prefix}/Pad/paddings",
                              np.array([[0, 0], [top, bottom], [left, right], [0, 0]], dtype=np.int32))
        name = f"{prefix}/Pad"
        self.nodes.append({"name": name, "op": "Pad", "input": [x, paddings],
                           "attr": {"T": {"type": "DT_FLOAT"}, "Tpaddings": {"type": "DT_INT32"}}})
        if x in self.nonnegative:
            self.nonnegative.add(name)
        return name, "VALID"

    # ---- ops ------------------------------------------------------------------------------------
    def conv(self, n):
        a = self.attrs(n)
        w = self.inits[n.input[1]].astype(np.float64)
        cout, cin_per_group, kh, kw = w.shape
        group = a.get("group", 1)
        bias = self.inits[n.input[2]].astype(np.float64) if len(n.input) > 2 and n.input[2] else np.zeros(cout)
        out = n.output[0]
        prefix = n.name.rsplit("/", 1)[0] or n.output[0]
        # Fold a following BatchNormalization (inference form) into filter and bias.
        bn = self.only_consumer(out, "BatchNormalization")
        if bn is not None:
            gamma, beta, mean, var = (self.inits[i].astype(np.float64) for i in bn.input[1:5])
            scale = gamma / np.sqrt(var + self.attrs(bn).get("epsilon", 1e-5))
            w = w * scale[:, None, None, None]
            bias = (bias - mean) * scale + beta
            self.done.add(id(bn))
            out = bn.output[0]
        fused = ["BiasAdd"]
        act = self.only_consumer(out, "Clip") or self.only_consumer(out, "Relu")
        if act is not None and act.op_type == "Clip":
            lo, hi = (float(self.inits[i]) for i in act.input[1:3])
            if (lo, hi) != (0.0, 6.0):
                act = None
        if act is not None:
            fused.append("Relu6" if act.op_type == "Clip" else "Relu")
            self.done.add(id(act))
            out = act.output[0]
        stride = list(a.get("strides", [1, 1]))
        dil = list(a.get("dilations", [1, 1]))
        x, padding = self.padding(self.tf_name[n.input[0]], list(a.get("pads", [0, 0, 0, 0])), [kh, kw], stride, prefix)
        depthwise = group > 1
        if depthwise:
            if cin_per_group != 1 or cout != group:
                raise SystemExit(f"{n.name}: only depthwise (multiplier 1) or dense convs are translated")
            filt = w.transpose(2, 3, 0, 1)  # (C, 1, kh, kw) -> (kh, kw, C, 1)
            op = "FusedDepthwiseConv2dNative"
        else:
            filt = w.transpose(2, 3, 1, 0)  # (O, I, kh, kw) -> HWIO
            op = "_FusedConv2D"
        wname = self.const(f"{prefix}/weights", np.ascontiguousarray(filt, dtype=np.float32))
        bname = self.const(f"{prefix}/bias", bias.astype(np.float32))
        name = f"{prefix}/{op}"
        attr = {"T": {"type": "DT_FLOAT"}, "strides": ints([1] + stride + [1]), "dilations": ints([1] + dil + [1]),
                "padding": {"s": b64(padding)}, "data_format": {"s": b64("NHWC")}, "explicit_paddings": {"list": {}},
                "num_args": {"i": "1"}, "fused_ops": {"list": {"s": [b64(f) for f in fused]}}, "epsilon": {"f": 0}}
        if not depthwise:
            attr["use_cudnn_on_gpu"] = {"b": True}
        self.nodes.append({"name": name, "op": op, "input": [x, wname, bname], "attr": attr})
        if len(fused) > 1:
            self.nonnegative.add(name)
        self.tf_name[out] = name

    def max_pool(self, n):
        a = self.attrs(n)
        kernel = list(a["kernel_shape"])
        stride = list(a.get("strides", [1, 1]))
        src = self.tf_name[n.input[0]]
        pads = list(a.get("pads", [0, 0, 0, 0]))
        if any(pads) and src not in self.nonnegative:
            raise SystemExit(f"{n.name}: zero padding equals MaxPool's -inf padding only on non-negative input")
        x, padding = self.padding(src, pads, kernel, stride, n.name.rsplit("/", 1)[0])
        self.nodes.append({"name": n.name, "op": "MaxPool", "input": [x], "attr": {
            "T": {"type": "DT_FLOAT"}, "ksize": ints([1] + kernel + [1]), "strides": ints([1] + stride + [1]),
            "padding": {"s": b64(padding)}, "data_format": {"s": b64("NHWC")}}})
        self.nonnegative.add(n.name)
        self.tf_name[n.output[0]] = n.name

    def simple(self, n, op):
        self.nodes.append({"name": n.name, "op": op, "input": [self.tf_name[i] for i in n.input],
                           "attr": {"T": {"type": "DT_FLOAT"}}})
        if op == "Relu":
            self.nonnegative.add(n.name)
        self.tf_name[n.output[0]] = n.name

    def global_average_pool(self, n):
        # Mean without keep_dims gives [N, C]: the flatten that follows becomes a no-op.
        axes = self.const(f"{n.name}/reduction_indices", np.array([1, 2], dtype=np.int32))
        self.nodes.append({"name": n.name, "op": "Mean", "input": [self.tf_name[n.input[0]], axes],
                           "attr": {"T": {"type": "DT_FLOAT"}, "Tidx": {"type": "DT_INT32"}, "keep_dims": {"b": False}}})
        self.tf_name[n.output[0]] = n.name
        self.flat = n.name

    def gemm(self, n):
        a = self.attrs(n)
        if a.get("transA", 0) or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0:
            raise SystemExit(f"{n.name}: only Gemm(transA=0, alpha=1, beta=1) is translated")
        w = self.inits[n.input[1]]
        if a.get("transB", 0):
            w = w.T
        prefix = n.name.rsplit("/", 1)[0]
        wname = self.const(f"{prefix}/weights", np.ascontiguousarray(w, dtype=np.float32))
        bname = self.const(f"{prefix}/bias", self.inits[n.input[2]].astype(np.float32))
        name = f"{prefix}/_FusedMatMul"
        self.nodes.append({"name": name, "op": "_FusedMatMul", "input": [self.tf_name[n.input[0]], wname, bname],
                           "attr": {"T": {"type": "DT_FLOAT"}, "transpose_a": {"b": False}, "transpose_b": {"b": False},
                                    "num_args": {"i": "1"}, "fused_ops": {"list": {"s": [b64("BiasAdd")]}},
                                    "epsilon": {"f": 0}}})
        self.tf_name[n.output[0]] = name

    def flatten_alias(self, n):
        # Flatten / torch's Reshape(x, [N, -1]) of the [N, C] Mean output: nothing to do.
        src = self.tf_name.get(n.input[0])
        if src != getattr(self, "flat", None):
            raise SystemExit(f"{n.name}: {n.op_type} is only translated right after GlobalAveragePool")
        self.tf_name[n.output[0]] = src

    # ---- whole graph ----------------------------------------------------------------------------
    def translate(self):
        g = self.graph
        self.graph_outputs = {o.name for o in g.output}
        (inp,) = [i for i in g.input if i.name not in self.inits]
        dims = [d.dim_value or -1 for d in inp.type.tensor_type.shape.dim]
        n_, c, h, w = dims
        self.nodes.append({"name": inp.name, "op": "Placeholder", "attr": {
            "dtype": {"type": "DT_FLOAT"},
            "shape": {"shape": {"dim": [{"size": str(d)} for d in (n_, h, w, c)]}}}})
        self.tf_name[inp.name] = inp.name
        for n in g.node:
            if id(n) in self.done:
                continue
            t = n.op_type
            if t == "Conv":
                self.conv(n)
            elif t == "Add":
                self.simple(n, "AddV2")
            elif t == "Relu":
                self.simple(n, "Relu")
            elif t == "MaxPool":
                self.max_pool(n)
            elif t == "GlobalAveragePool":
                self.global_average_pool(n)
            elif t in ("Flatten", "Reshape"):
                self.flatten_alias(n)
            elif t in FLATTEN_HELPERS:
                continue  # the shape computation feeding torch's flatten Reshape
            elif t == "Gemm":
                self.gemm(n)
            else:
                raise SystemExit(f"{n.name}: ONNX op {t} is not translated")
        for o in g.output:
            self.nodes.append({"name": o.name, "op": "Identity", "input": [self.tf_name[o.name]],
                               "attr": {"T": {"type": "DT_FLOAT"}}})


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("onnx_model")
    p.add_argument("output", help="path of model.json; the weights go to <stem>.bin beside it")
    a = p.parse_args()
    t = Translator(onnx.load(a.onnx_model))
    t.translate()
    out_dir = os.path.dirname(os.path.abspath(a.output))
    os.makedirs(out_dir, exist_ok=True)
    stem = os.path.splitext(os.path.basename(a.output))[0]
    bin_name = stem + ".bin"
    with open(os.path.join(out_dir, bin_name), "wb") as f:
        for _, _, array in t.weights:
            f.write(np.ascontiguousarray(array).tobytes())
    model = {
        "format": "graph-model",
        "generatedBy": "webcnn models/make_tfjs_graph_model.py from " + os.path.basename(a.onnx_model),
        "convertedBy": "webcnn models/make_tfjs_graph_model.py (tfjs-converter's fused form)",
        "modelTopology": {"node": t.nodes, "library": {}, "versions": {"producer": 1286}},
        "weightsManifest": [{"paths": [bin_name], "weights": [
            {"name": name, "shape": list(array.shape), "dtype": dtype} for name, dtype, array in t.weights]}],
    }
    with open(a.output, "w") as f:
        json.dump(model, f)


if __name__ == "__main__":
    main()
