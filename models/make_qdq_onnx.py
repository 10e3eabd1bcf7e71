#!/usr/bin/python3
"""Builds small quantized ONNX models in the QDQ format onnxruntime's quantizer writes (quantize_static,
QuantFormat.QDQ): a float input, QuantizeLinear → DequantizeLinear in front of every quantized op's inputs,
int8/uint8 weights and int32 biases (scale s_x·s_w, zero point 0) stored quantized behind a
DequantizeLinear, and a QuantizeLinear after each op. Activation scales come from min/max calibration on
one pseudo-random input, as the quantizer's MinMax calibrator does; weights per tensor or per output channel.

Kinds:
  conv    Conv 3x3 (stride 2, pad 1, bias) [+ Relu] on [1, 3, 16, 16]
  matmul  MatMul [2, 5, 16] x [16, 12] [+ Relu]
  gemm    Gemm (transB 1, bias) [4, 16] -> [4, 12] [+ Relu]
  add     Add of two quantized inputs [1, 4, 6, 6] (different scales) [+ Relu]
  chain   a miniature MobileNet: Conv 3x3/2 + Relu, depthwise 3x3 + Clip(0, 6), Conv 1x1, residual Add,
          MaxPool, GlobalAveragePool, Reshape, Gemm
  mobilenetv2  MobileNetV2 (Sandler et al. 2018; BN folded into the convs, as the quantizer sees it) at
          --size, --width, 1000 classes: for benchmarks (float path vs fused), not for the quick tests
Outputs: `y` (float, the last QuantizeLinear's result dequantized, as the quantizer leaves graph outputs)
and `y_q` (the 8-bit tensor itself, so tests can count units).

Usage: /usr/bin/python3 models/make_qdq_onnx.py OUT.onnx --kind conv|matmul|gemm|add|chain
           [--act uint8|int8] [--weight int8|uint8] [--per-channel] [--relu] [--seed 0]
           [--size 224] [--width 1.0] (mobilenetv2)
Needs Debian's python3-onnx and python3-numpy.
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
NP = {"uint8": np.uint8, "int8": np.int8}
ONNX_TYPE = {"uint8": TensorProto.UINT8, "int8": TensorProto.INT8}
RANGE = {"uint8": (0, 255), "int8": (-128, 127)}


def conv_nchw(x, w, b, stride, pad, group):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = (h + 2 * pad - kh) // stride + 1, (wd + 2 * pad - kw) // stride + 1
    out = np.zeros((n, o, ho, wo), np.float64)
    og = o // group
    for g in range(group):
        xs = xp[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride]
                out[:, g * og:(g + 1) * og] += np.einsum("nchw,oc->nohw", patch, w[g * og:(g + 1) * og, :, i, j])
    if b is not None:
        out += b[None, :, None, None]
    return out


class Builder:
    def __init__(self, seed, act, weight, per_channel):
        self.rng = np.random.default_rng(seed)
        self.act, self.weight, self.per_channel = act, weight, per_channel
        self.nodes, self.initializers = [], []
        self.counter = 0

    def fresh(self, prefix):
        self.counter += 1
        return f"{prefix}_{self.counter}"

    def const(self, array, prefix):
        name = self.fresh(prefix)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def node(self, op, inputs, outputs=None, **attrs):
        outputs = outputs or [self.fresh(op.lower())]
        self.nodes.append(helper.make_node(op, inputs, outputs, name=self.fresh(op), **attrs))
        return outputs[0]

    # Activation quantisation from a calibrated float range (always containing 0, as the quantizer does).
    def act_params(self, lo, hi):
        lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
        qmin, qmax = RANGE[self.act]
        scale = np.float32((hi - lo) / (qmax - qmin) if hi > lo else 1.0)
        zp = int(np.clip(np.round(qmin - lo / scale), qmin, qmax))
        return scale, zp

    def qdq(self, x, values, out_name=None):
        """Q then DQ of float tensor x whose calibration values are `values`; returns (dq name, scale, zp,
        dequantized values, q name)."""
        scale, zp = self.act_params(values.min(), values.max())
        s = self.const(np.array(scale, np.float32), "scale")
        z = self.const(np.array(zp, NP[self.act]), "zero_point")
        self.last_params = [s, z]
        q = self.node("QuantizeLinear", [x, s, z], [out_name] if out_name else None)
        dq = self.node("DequantizeLinear", [q, s, z])
        qmin, qmax = RANGE[self.act]
        vq = np.clip(np.round(values / scale) + zp, qmin, qmax)
        return dq, scale, zp, (vq - zp) * np.float64(scale), q

    # Weights [O, ...] (axis = output channels) quantised; returns (dq name, float scales [O], dequantized).
    def weight_dq(self, w, axis):
        if self.per_channel:
            moved = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)
            lo, hi = moved.min(axis=1), moved.max(axis=1)
        else:
            lo, hi = np.array([w.min()]), np.array([w.max()])
        if self.weight == "int8":  # symmetric, zero point 0 (the quantizer's default for int8 weights)
            scale = (np.maximum(np.abs(lo), np.abs(hi)) / 127.0).astype(np.float32)
            zp = np.zeros_like(scale, np.int8)
        else:
            lo, hi = np.minimum(lo, 0), np.maximum(hi, 0)
            scale = ((hi - lo) / 255.0).astype(np.float32)
            zp = np.clip(np.round(-lo / scale), 0, 255).astype(np.uint8)
        shape = [1] * w.ndim
        shape[axis] = -1
        s_b, z_b = scale.reshape(shape) if self.per_channel else scale[0], zp.reshape(shape) if self.per_channel else zp[0]
        qmin, qmax = RANGE[self.weight]
        wq = np.clip(np.round(w / s_b) + z_b, qmin, qmax).astype(NP[self.weight])
        attrs = {"axis": axis} if self.per_channel else {}
        s = self.const(scale if self.per_channel else np.array(scale[0], np.float32), "w_scale")
        z = self.const(zp if self.per_channel else np.array(zp[0], NP[self.weight]), "w_zero_point")
        dq = self.node("DequantizeLinear", [self.const(wq, "w_q"), s, z], **attrs)
        deq = (wq.astype(np.float64) - z_b) * s_b.astype(np.float64)
        return dq, np.broadcast_to(scale, (w.shape[axis],)).astype(np.float32), deq

    def bias_dq(self, b, x_scale, w_scales):
        """int32 bias, scale s_x·s_w: per channel (axis 0) after per-channel weights, else one scalar scale
        and no axis, as the quantizer writes them."""
        scale = (np.float32(x_scale) * w_scales).astype(np.float32)
        bq = np.round(b / scale).astype(np.int32)
        if self.per_channel:
            s, z, attrs = self.const(scale, "b_scale"), self.const(np.zeros_like(bq), "b_zero_point"), {"axis": 0}
        else:
            s, z, attrs = self.const(scale[:1].reshape(()), "b_scale"), self.const(np.array(0, np.int32), "b_zero_point"), {}
        return self.node("DequantizeLinear", [self.const(bq, "b_q"), s, z], **attrs), bq * scale.astype(np.float64)

    def conv(self, x, xv, x_scale, cin, cout, k, stride, group=1):
        w = self.rng.normal(0, np.sqrt(2.0 / (cin // group * k * k)), (cout, cin // group, k, k)).astype(np.float32)
        b = self.rng.normal(0, 0.1, cout).astype(np.float32)
        wdq, w_scales, wv = self.weight_dq(w, 0)
        bdq, bv = self.bias_dq(b, x_scale, w_scales)
        y = self.node("Conv", [x, wdq, bdq], kernel_shape=[k, k], pads=[k // 2] * 4, strides=[stride] * 2,
                      group=group)
        return y, conv_nchw(xv, wv, bv, stride, k // 2, group)


def mobilenetv2(b, x, xv, s, width):
    def relu6(y, yv):
        y = b.node("Clip", [y, b.const(np.array(0, np.float32), "min"), b.const(np.array(6, np.float32), "max")])
        return b.qdq(y, np.clip(yv, 0, 6))

    def ch(c):
        return max(8, int(c * width + 4) // 8 * 8)

    cin = ch(32)
    h, hv = b.conv(x, xv, s, 3, cin, 3, 2)
    h, s, _, hv, _ = relu6(h, hv)
    for t, c, n, stride in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                            (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(n):
            cout, st = ch(c), stride if i == 0 else 1
            e, es, ev = h, s, hv
            if t != 1:
                e, ev = b.conv(h, hv, s, cin, cin * t, 1, 1)
                e, es, _, ev, _ = relu6(e, ev)
            d, dv = b.conv(e, ev, es, cin * t, cin * t, 3, st, group=cin * t)
            d, ds, _, dv, _ = relu6(d, dv)
            p, pv = b.conv(d, dv, ds, cin * t, cout, 1, 1)
            p, ps, _, pv, _ = b.qdq(p, pv)
            if st == 1 and cin == cout:
                p, pv = b.node("Add", [h, p]), hv + pv
                p, ps, _, pv, _ = b.qdq(p, pv)
            h, s, hv, cin = p, ps, pv, cout
    last = max(1280, ch(1280))
    h, hv = b.conv(h, hv, s, cin, last, 1, 1)
    h, s, _, hv, _ = relu6(h, hv)
    g = b.node("GlobalAveragePool", [h])
    g, s, _, gv, _ = b.qdq(g, hv.mean(axis=(2, 3), keepdims=True))
    params = b.last_params
    f = b.node("Reshape", [g, b.const(np.array([1, last], np.int64), "shape")])
    f = b.node("DequantizeLinear", [b.node("QuantizeLinear", [f] + params)] + params)
    w = b.rng.normal(0, 1 / np.sqrt(last), (1000, last)).astype(np.float32)
    bias = b.rng.normal(0, 0.01, 1000).astype(np.float32)
    wdq, w_scales, wv = b.weight_dq(w, 0)
    bdq, bv = b.bias_dq(bias, s, w_scales)
    return b.node("Gemm", [f, wdq, bdq], transB=1), gv.reshape(1, last) @ wv.T + bv


def build(kind, act, weight, per_channel, relu, seed, size=224, width=1.0):
    b = Builder(seed, act, weight, per_channel)
    rng = np.random.default_rng(seed + 1000)
    inputs = []

    def graph_input(name, shape):
        inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, shape))
        return name, rng.uniform(-2, 2, shape)

    def activation(y, yv, relu_here):
        if relu_here:
            return b.node("Relu", [y]), np.maximum(yv, 0)
        return y, yv

    last_q = None
    if kind == "mobilenetv2":
        x, xv = graph_input("input", [1, 3, size, size])
        x, s, _, xv, _ = b.qdq(x, xv)
        y, yv = mobilenetv2(b, x, xv, s, width)
    elif kind in ("conv", "chain"):
        x, xv = graph_input("input", [1, 3, 16, 16])
        x, s, _, xv, _ = b.qdq(x, xv)
        y, yv = b.conv(x, xv, s, 3, 8, 3, 2)
        y, yv = activation(y, yv, relu or kind == "chain")
        if kind == "chain":
            h, s, _, hv, _ = b.qdq(y, yv)
            d, dv = b.conv(h, hv, s, 8, 8, 3, 1, group=8)
            d = b.node("Clip", [d, b.const(np.array(0, np.float32), "min"), b.const(np.array(6, np.float32), "max")])
            d, s, _, dv, _ = b.qdq(d, np.clip(dv, 0, 6))
            p, pv = b.conv(d, dv, s, 8, 8, 1, 1)
            p, sp, _, pv, _ = b.qdq(p, pv)
            y, yv = b.node("Add", [h, p]), hv + pv
            y, s, zp, yv, _ = b.qdq(y, yv)
            params = b.last_params
            m = b.node("MaxPool", [y], kernel_shape=[2, 2], strides=[2, 2])  # keeps y's parameters
            m = b.node("DequantizeLinear", [b.node("QuantizeLinear", [m] + params)] + params)
            mv = yv.reshape(1, 8, 4, 2, 4, 2).max(axis=(3, 5))
            g = b.node("GlobalAveragePool", [m])
            g, s, _, gv, _ = b.qdq(g, mv.mean(axis=(2, 3), keepdims=True))
            params = b.last_params
            f = b.node("Reshape", [g, b.const(np.array([1, 8], np.int64), "shape")])
            f = b.node("DequantizeLinear", [b.node("QuantizeLinear", [f] + params)] + params)
            w = rng.normal(0, 0.5, (5, 8)).astype(np.float32)
            bias = rng.normal(0, 0.1, 5).astype(np.float32)
            wdq, w_scales, wv = b.weight_dq(w, 0)
            bdq, bv = b.bias_dq(bias, s, w_scales)
            y = b.node("Gemm", [f, wdq, bdq], transB=1)
            yv = gv.reshape(1, 8) @ wv.T + bv
    elif kind == "matmul":
        x, xv = graph_input("input", [2, 5, 16])
        x, s, _, xv, _ = b.qdq(x, xv)
        w = rng.normal(0, 0.3, (16, 12)).astype(np.float32)
        wdq, _, wv = b.weight_dq(w, 1)
        y, yv = activation(b.node("MatMul", [x, wdq]), xv @ wv, relu)
    elif kind == "gemm":
        x, xv = graph_input("input", [4, 16])
        x, s, _, xv, _ = b.qdq(x, xv)
        w = rng.normal(0, 0.3, (12, 16)).astype(np.float32)
        bias = rng.normal(0, 0.1, 12).astype(np.float32)
        wdq, w_scales, wv = b.weight_dq(w, 0)
        bdq, bv = b.bias_dq(bias, s, w_scales)
        y, yv = activation(b.node("Gemm", [x, wdq, bdq], transB=1), xv @ wv.T + bv, relu)
    elif kind == "add":
        a, av = graph_input("a", [1, 4, 6, 6])
        c, cv = graph_input("b", [1, 4, 6, 6])
        a, _, _, av, _ = b.qdq(a, av)
        c, _, _, cv, _ = b.qdq(c, cv * 0.5)
        y, yv = activation(b.node("Add", [a, c]), av + cv, relu)
    else:
        raise SystemExit(f"unknown kind {kind}")
    out, _, _, _, last_q = b.qdq(y, yv, out_name="y_q")
    b.node("Identity", [out], ["y"])
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(yv.shape)),
               helper.make_tensor_value_info("y_q", ONNX_TYPE[act], list(yv.shape))]
    graph = helper.make_graph(b.nodes, f"qdq_{kind}", inputs, outputs, b.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="webcnn")
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out")
    p.add_argument("--kind", required=True, choices=["conv", "matmul", "gemm", "add", "chain", "mobilenetv2"])
    p.add_argument("--act", default="uint8", choices=["uint8", "int8"])
    p.add_argument("--weight", default="int8", choices=["uint8", "int8"])
    p.add_argument("--per-channel", action="store_true")
    p.add_argument("--relu", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--width", type=float, default=1.0)
    a = p.parse_args()
    onnx.save(build(a.kind, a.act, a.weight, a.per_channel, a.relu, a.seed, a.size, a.width), a.out)


if __name__ == "__main__":
    main()
