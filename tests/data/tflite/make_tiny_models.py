#!/usr/bin/python3
"""Makes the tiny .tflite models of tests/native/tflite_import_test.cc with models/tflite_writer.py, and
for the float ones an input and the expected output computed here with numpy (float64, straight from
TFLite's op definitions), never by webcnn. Run from anywhere (the system python3 with python3-numpy): /usr/bin/python3 tests/data/tflite/make_tiny_models.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "models"))
from tflite_writer import TFLiteModel  # noqa: E402

rng = np.random.default_rng(14)


def f32(a):
    return np.asarray(a, dtype=np.float32)


def same_pads(n, k, s, d=1):
    out = -(-n // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2, out


def conv_nhwc(x, w_ohwi, b, stride, pad, dil=(1, 1), depthwise=False):
    """x [1,H,W,C]; w OHWI (conv) or [1,kH,kW,C*m] (depthwise); pad ((top,bottom),(left,right))."""
    x = np.pad(x.astype(np.float64), ((0, 0), pad[0], pad[1], (0, 0)))
    _, H, W, C = x.shape
    if depthwise:
        kh, kw, cm = w_ohwi.shape[1:]
    else:
        O, kh, kw, _ = w_ohwi.shape
    oh = (H - (kh - 1) * dil[0] - 1) // stride[0] + 1
    ow = (W - (kw - 1) * dil[1] - 1) // stride[1] + 1
    out = np.zeros((1, oh, ow, cm if depthwise else O))
    for y in range(oh):
        for xx in range(ow):
            patch = x[0, y * stride[0]:y * stride[0] + (kh - 1) * dil[0] + 1:dil[0],
                      xx * stride[1]:xx * stride[1] + (kw - 1) * dil[1] + 1:dil[1], :]
            if depthwise:
                m = cm // C
                out[0, y, xx] = (np.repeat(patch, m, axis=2) * w_ohwi[0]).sum(axis=(0, 1))
            else:
                out[0, y, xx] = np.tensordot(w_ohwi, patch, axes=([1, 2, 3], [0, 1, 2]))
    return out + b


def pool(x, k, s, pad, kind):
    _, H, W, C = x.shape
    (t, bo), (l, r) = pad
    oh = (H + t + bo - k[0]) // s[0] + 1
    ow = (W + l + r - k[1]) // s[1] + 1
    out = np.zeros((1, oh, ow, C))
    for y in range(oh):
        for xx in range(ow):
            y0, x0 = y * s[0] - t, xx * s[1] - l
            win = x[0, max(y0, 0):min(y0 + k[0], H), max(x0, 0):min(x0 + k[1], W)]
            out[0, y, xx] = win.max(axis=(0, 1)) if kind == "max" else win.mean(axis=(0, 1))
    return out


def save(name, model, x=None, y=None):
    """y: the expected output, or a list of them (one .expected<k>.npy per model output)."""
    with open(os.path.join(HERE, name + ".tflite"), "wb") as f:
        f.write(model.serialize())
    if x is not None:
        np.save(os.path.join(HERE, name + ".input.npy"), f32(x))
        if isinstance(y, list):
            for k, yk in enumerate(y):
                np.save(os.path.join(HERE, "%s.expected%d.npy" % (name, k)), f32(yk))
        else:
            np.save(os.path.join(HERE, name + ".expected.npy"), f32(y))


def conv_chain():
    """CONV_2D SAME s2 RELU6 → DEPTHWISE m=2 dilation 2 VALID → AVERAGE_POOL SAME → MAX_POOL VALID →
    RESHAPE → FULLY_CONNECTED RELU → SOFTMAX."""
    m = TFLiteModel("conv chain")
    x = f32(rng.uniform(-1, 1, (1, 17, 19, 3)))
    w1 = f32(rng.uniform(-0.5, 0.5, (5, 3, 3, 3)))
    b1 = f32(rng.uniform(-0.2, 0.2, 5))
    w2 = f32(rng.uniform(-0.5, 0.5, (1, 3, 3, 10)))
    b2 = f32(rng.uniform(-0.2, 0.2, 10))
    w3 = f32(rng.uniform(-0.5, 0.5, (7, 40)))
    b3 = f32(rng.uniform(-0.2, 0.2, 7))
    t, bo, _ = same_pads(17, 3, 2)
    l, r, _ = same_pads(19, 3, 2)
    a1 = np.clip(conv_nhwc(x, w1, b1, (2, 2), ((t, bo), (l, r))), 0, 6)           # [1,9,10,5]
    a2 = conv_nhwc(a1, w2, b2, (1, 1), ((0, 0), (0, 0)), dil=(2, 2), depthwise=True)  # [1,5,6,10]
    t, bo, _ = same_pads(5, 3, 2)
    l, r, _ = same_pads(6, 3, 2)
    a3 = pool(a2, (3, 3), (2, 2), ((t, bo), (l, r)), "avg")                        # [1,3,3,10]
    a4 = pool(a3, (2, 2), (1, 1), ((0, 0), (0, 0)), "max")                         # [1,2,2,10]
    a5 = a4.reshape(1, 40)
    a6 = np.maximum(a5 @ w3.T.astype(np.float64) + b3, 0)
    e = np.exp(a6 - a6.max())
    y = e / e.sum()
    ti = m.add_tensor("input", [1, 17, 19, 3], "float32")
    tw1 = m.add_tensor("conv/w", [5, 3, 3, 3], "float32", data=w1)
    tb1 = m.add_tensor("conv/b", [5], "float32", data=b1)
    t1 = m.add_tensor("conv", [1, 9, 10, 5], "float32")
    m.add_operator("CONV_2D", [ti, tw1, tb1], [t1], padding="SAME", stride_w=2, stride_h=2,
                   fused_activation_function="RELU6")
    tw2 = m.add_tensor("dw/w", [1, 3, 3, 10], "float32", data=w2)
    tb2 = m.add_tensor("dw/b", [10], "float32", data=b2)
    t2 = m.add_tensor("dw", [1, 5, 6, 10], "float32")
    m.add_operator("DEPTHWISE_CONV_2D", [t1, tw2, tb2], [t2], padding="VALID", stride_w=1, stride_h=1,
                   depth_multiplier=2, dilation_w_factor=2, dilation_h_factor=2)
    t3 = m.add_tensor("avg", [1, 3, 3, 10], "float32")
    m.add_operator("AVERAGE_POOL_2D", [t2], [t3], padding="SAME", stride_w=2, stride_h=2, filter_width=3,
                   filter_height=3)
    t4 = m.add_tensor("max", [1, 2, 2, 10], "float32")
    m.add_operator("MAX_POOL_2D", [t3], [t4], padding="VALID", stride_w=1, stride_h=1, filter_width=2,
                   filter_height=2)
    ts = m.add_tensor("shape", [2], "int32", data=np.array([1, 40], np.int32))
    t5 = m.add_tensor("flat", [1, 40], "float32")
    m.add_operator("RESHAPE", [t4, ts], [t5])
    tw3 = m.add_tensor("fc/w", [7, 40], "float32", data=w3)
    tb3 = m.add_tensor("fc/b", [7], "float32", data=b3)
    t6 = m.add_tensor("fc", [1, 7], "float32")
    m.add_operator("FULLY_CONNECTED", [t5, tw3, tb3], [t6], fused_activation_function="RELU")
    t7 = m.add_tensor("probs", [1, 7], "float32")
    m.add_operator("SOFTMAX", [t6], [t7], beta=1.0)
    m.inputs, m.outputs = [ti], [t7]
    save("conv_chain", m, x, y)


def resize_bilinear_half_pixel(x, oh, ow):
    _, H, W, C = x.shape
    out = np.zeros((1, oh, ow, C))
    for y in range(oh):
        fy = (y + 0.5) * H / oh - 0.5
        y0 = int(np.floor(fy))
        ly = fy - y0
        y0c, y1c = min(max(y0, 0), H - 1), min(max(y0 + 1, 0), H - 1)
        for xx in range(ow):
            fx = (xx + 0.5) * W / ow - 0.5
            x0 = int(np.floor(fx))
            lx = fx - x0
            x0c, x1c = min(max(x0, 0), W - 1), min(max(x0 + 1, 0), W - 1)
            top = x[0, y0c, x0c] * (1 - lx) + x[0, y0c, x1c] * lx
            bot = x[0, y1c, x0c] * (1 - lx) + x[0, y1c, x1c] * lx
            out[0, y, xx] = top * (1 - ly) + bot * ly
    return out


def misc_ops():
    """ADD (RELU) → MUL → SUB → CONCATENATION → PAD → RESIZE_BILINEAR (half-pixel) → TRANSPOSE → MEAN →
    LOGISTIC."""
    m = TFLiteModel("misc ops")
    x = f32(rng.uniform(-1, 1, (1, 6, 8, 4)))
    c = f32(rng.uniform(-0.5, 0.5, 4))
    a = np.maximum(x + c, 0)
    b = a * x
    s = b - np.float32(0.25)
    cat = np.concatenate([s, x], axis=3)
    p = np.pad(cat, ((0, 0), (1, 0), (0, 2), (0, 0)))
    rz = resize_bilinear_half_pixel(p.astype(np.float64), 14, 5)
    tr = rz.transpose(0, 3, 1, 2)
    mean = tr.mean(axis=(2, 3))
    y = 1 / (1 + np.exp(-mean))
    ti = m.add_tensor("input", [1, 6, 8, 4], "float32")
    tc = m.add_tensor("c", [4], "float32", data=c)
    ta = m.add_tensor("add", [1, 6, 8, 4], "float32")
    m.add_operator("ADD", [ti, tc], [ta], fused_activation_function="RELU")
    tb = m.add_tensor("mul", [1, 6, 8, 4], "float32")
    m.add_operator("MUL", [ta, ti], [tb])
    tq = m.add_tensor("quarter", [], "float32", data=f32([0.25]))
    ts = m.add_tensor("sub", [1, 6, 8, 4], "float32")
    m.add_operator("SUB", [tb, tq], [ts])
    tcat = m.add_tensor("concat", [1, 6, 8, 8], "float32")
    m.add_operator("CONCATENATION", [ts, ti], [tcat], axis=3)
    tpads = m.add_tensor("paddings", [4, 2], "int32", data=np.array([[0, 0], [1, 0], [0, 2], [0, 0]], np.int32))
    tp = m.add_tensor("pad", [1, 7, 10, 8], "float32")
    m.add_operator("PAD", [tcat, tpads], [tp])
    tsize = m.add_tensor("size", [2], "int32", data=np.array([14, 5], np.int32))
    tr_ = m.add_tensor("resize", [1, 14, 5, 8], "float32")
    m.add_operator("RESIZE_BILINEAR", [tp, tsize], [tr_], half_pixel_centers=True)
    tperm = m.add_tensor("perm", [4], "int32", data=np.array([0, 3, 1, 2], np.int32))
    tt = m.add_tensor("transpose", [1, 8, 14, 5], "float32")
    m.add_operator("TRANSPOSE", [tr_, tperm], [tt])
    taxes = m.add_tensor("axes", [2], "int32", data=np.array([2, 3], np.int32))
    tm = m.add_tensor("mean", [1, 8], "float32")
    m.add_operator("MEAN", [tt, taxes], [tm], keep_dims=False)
    ty = m.add_tensor("output", [1, 8], "float32")
    m.add_operator("LOGISTIC", [tm], [ty])
    m.inputs, m.outputs = [ti], [ty]
    save("misc_ops", m, x, y)


def float16_transpose_conv():
    """float16 weights → DEQUANTIZE → TRANSPOSE_CONV (SAME, stride 2) with a bias."""
    m = TFLiteModel("float16 transpose conv")
    x = f32(rng.uniform(-1, 1, (1, 4, 5, 2)))
    w16 = rng.uniform(-1, 1, (3, 3, 3, 2)).astype(np.float16)  # [O, kH, kW, I]
    bias = f32(rng.uniform(-0.3, 0.3, 3))
    w = w16.astype(np.float64)
    OH, OW, s, k = 8, 10, 2, 3
    pad_t = max((4 - 1) * s + k - OH, 0) // 2
    pad_l = max((5 - 1) * s + k - OW, 0) // 2
    y = np.zeros((1, OH, OW, 3)) + bias
    for iy in range(4):
        for ix in range(5):
            for ky in range(k):
                for kx in range(k):
                    oy, ox = iy * s + ky - pad_t, ix * s + kx - pad_l
                    if 0 <= oy < OH and 0 <= ox < OW:
                        y[0, oy, ox] += w[:, ky, kx, :] @ x[0, iy, ix].astype(np.float64)
    ti = m.add_tensor("input", [1, 4, 5, 2], "float32")
    tw16 = m.add_tensor("w16", [3, 3, 3, 2], "float16", data=w16)
    tw = m.add_tensor("w", [3, 3, 3, 2], "float32")
    m.add_operator("DEQUANTIZE", [tw16], [tw])
    tos = m.add_tensor("output_shape", [4], "int32", data=np.array([1, OH, OW, 3], np.int32))
    tb = m.add_tensor("bias", [3], "float32", data=bias)
    ty = m.add_tensor("output", [1, OH, OW, 3], "float32")
    m.add_operator("TRANSPOSE_CONV", [tos, tw, ti, tb], [ty], padding="SAME", stride_w=2, stride_h=2)
    m.inputs, m.outputs = [ti], [ty]
    save("float16_transpose_conv", m, x, y)


def quantized_chain():
    """uint8 input → CONV_2D (int8 per-channel weights, int32 bias) → DEPTHWISE (per-channel, axis 3) →
    MAX_POOL → RESHAPE → FULLY_CONNECTED → SOFTMAX, plus a LOGISTIC and a TANH (no quantised engine op:
    dequantize → float → quantize). Weights follow a formula the test checks after the re-layout:
    conv w[o,kh,kw,i] = o*27 + kh*9 + kw*3 + i - 50, depthwise w[0,kh,kw,c] = c*9 + kh*3 + kw - 20."""
    m = TFLiteModel("quantized chain")
    q_in = dict(scale=[1 / 128], zero_point=[128])
    ti = m.add_tensor("input", [1, 6, 6, 3], "uint8", quant=q_in)
    w = np.fromfunction(lambda o, kh, kw, i: o * 27 + kh * 9 + kw * 3 + i - 50, (4, 3, 3, 3)).astype(np.int8)
    tw = m.add_tensor("conv/w", [4, 3, 3, 3], "int8", data=w,
                      quant=dict(scale=[0.01, 0.02, 0.03, 0.04], zero_point=[0] * 4, axis=0))
    tb = m.add_tensor("conv/b", [4], "int32", data=np.array([1, -2, 3, -4], np.int32))
    t1 = m.add_tensor("conv", [1, 6, 6, 4], "uint8", quant=dict(scale=[0.05], zero_point=[3]))
    m.add_operator("CONV_2D", [ti, tw, tb], [t1], padding="SAME", stride_w=1, stride_h=1,
                   fused_activation_function="RELU6")
    dw = np.fromfunction(lambda z, kh, kw, c: c * 9 + kh * 3 + kw - 20, (1, 3, 3, 4)).astype(np.int8)
    tdw = m.add_tensor("dw/w", [1, 3, 3, 4], "int8", data=dw,
                       quant=dict(scale=[0.1, 0.2, 0.3, 0.4], zero_point=[0] * 4, axis=3))
    t2 = m.add_tensor("dw", [1, 4, 4, 4], "uint8", quant=dict(scale=[0.07], zero_point=[10]))
    m.add_operator("DEPTHWISE_CONV_2D", [t1, tdw, -1], [t2], padding="VALID", stride_w=1, stride_h=1,
                   depth_multiplier=1)
    t3 = m.add_tensor("max", [1, 2, 2, 4], "uint8", quant=dict(scale=[0.07], zero_point=[10]))
    m.add_operator("MAX_POOL_2D", [t2], [t3], padding="VALID", stride_w=2, stride_h=2, filter_width=2,
                   filter_height=2)
    ts = m.add_tensor("shape", [2], "int32", data=np.array([1, 16], np.int32))
    t4 = m.add_tensor("flat", [1, 16], "uint8", quant=dict(scale=[0.07], zero_point=[10]))
    m.add_operator("RESHAPE", [t3, ts], [t4])
    fw = (np.arange(5 * 16).reshape(5, 16) % 200).astype(np.uint8)
    tfw = m.add_tensor("fc/w", [5, 16], "uint8", data=fw, quant=dict(scale=[0.003], zero_point=[100]))
    t5 = m.add_tensor("fc", [1, 5], "uint8", quant=dict(scale=[0.2], zero_point=[120]))
    m.add_operator("FULLY_CONNECTED", [t4, tfw, -1], [t5])
    t6 = m.add_tensor("probs", [1, 5], "uint8", quant=dict(scale=[1 / 256], zero_point=[0]))
    m.add_operator("SOFTMAX", [t5], [t6], beta=1.0)
    t7 = m.add_tensor("tanh", [1, 5], "uint8", quant=dict(scale=[1 / 128], zero_point=[128]))
    m.add_operator("TANH", [t5], [t7])
    m.inputs, m.outputs = [ti], [t6, t7]
    save("quantized_chain", m)


def nearest_index(o, n_in, n_out, align, half):
    # TFLite's GetNearestNeighbor (reference_ops.h).
    scale = (n_in - 1) / (n_out - 1) if align and n_out > 1 else n_in / n_out
    v = (o + (0.5 if half else 0.0)) * scale
    i = int(np.floor(v + 0.5)) if align else int(np.floor(v))  # TfLiteRound: half away from zero
    return max(min(i, n_in - 1), 0)


def resize_bilinear_align(x, oh, ow):
    _, H, W, C = x.shape
    out = np.zeros((1, oh, ow, C))
    for y in range(oh):
        fy = y * (H - 1) / (oh - 1)
        y0 = int(np.floor(fy))
        y1, ly = min(y0 + 1, H - 1), fy - y0
        for xx in range(ow):
            fx = xx * (W - 1) / (ow - 1)
            x0 = int(np.floor(fx))
            x1, lx = min(x0 + 1, W - 1), fx - x0
            top = x[0, y0, x0] * (1 - lx) + x[0, y0, x1] * lx
            bot = x[0, y1, x0] * (1 - lx) + x[0, y1, x1] * lx
            out[0, y, xx] = top * (1 - ly) + bot * ly
    return out


def shape_ops():
    """One op per output: nearest resizes (align_corners, half-pixel), align-corners bilinear,
    STRIDED_SLICE with a shrink mask, SPLIT, GATHER, PRELU, HARD_SWISH, SLICE, SQUEEZE."""
    m = TFLiteModel("shape ops")
    x = f32(rng.uniform(-3, 3, (1, 6, 8, 4)))
    ti = m.add_tensor("input", [1, 6, 8, 4], "float32")
    outs, ys = [], []

    def out(name, y):
        t = m.add_tensor(name, list(y.shape), "float32")
        outs.append(t)
        ys.append(y)
        return t

    def i32(name, v):
        v = np.asarray(v, np.int32)
        return m.add_tensor(name, list(v.shape), "int32", data=v)

    for name, (oh, ow), align, half in [("nearest_align", (9, 13), True, False), ("nearest_half", (4, 5), False, True),
                                        ("nearest_plain", (11, 3), False, False)]:
        y = x[:, [nearest_index(o, 6, oh, align, half) for o in range(oh)]][:, :, [nearest_index(o, 8, ow, align, half) for o in range(ow)]]
        m.add_operator("RESIZE_NEAREST_NEIGHBOR", [ti, i32(name + "/size", [oh, ow])], [out(name, y)],
                       align_corners=align, half_pixel_centers=half)
    y = resize_bilinear_align(x.astype(np.float64), 11, 3)
    m.add_operator("RESIZE_BILINEAR", [ti, i32("bilinear/size", [11, 3])], [out("bilinear_align", y)], align_corners=True)
    y = x[0, 1:6:2, 0:8:3, 0:3]
    m.add_operator("STRIDED_SLICE", [ti, i32("ss/begin", [0, 1, 0, 0]), i32("ss/end", [1, 6, 8, 3]),
                                     i32("ss/strides", [1, 2, 3, 1])], [out("strided_slice", y)], shrink_axis_mask=1)
    a, b = np.split(x, 2, axis=3)
    m.add_operator("SPLIT", [i32("split/axis", 3), ti], [out("split0", a), out("split1", b)], num_splits=2)
    y = x[:, :, [3, 0, 3], :]
    m.add_operator("GATHER", [ti, i32("gather/indices", [3, 0, 3])], [out("gather", y)], axis=2)
    alpha = f32([0.1, -0.2, 0.3, 2.0])
    ta = m.add_tensor("prelu/alpha", [4], "float32", data=alpha)
    m.add_operator("PRELU", [ti, ta], [out("prelu", np.where(x >= 0, x, x * alpha))])
    m.add_operator("HARD_SWISH", [ti], [out("hard_swish", x * np.clip(x + 3, 0, 6) / 6)])
    m.add_operator("SLICE", [ti, i32("slice/begin", [0, 2, 1, 0]), i32("slice/size", [-1, 3, -1, 2])],
                   [out("slice", x[:, 2:5, 1:, 0:2])])
    tr = m.add_tensor("reshaped", [1, 6, 1, 32], "float32")
    m.add_operator("RESHAPE", [ti, i32("reshape/shape", [1, 6, 1, 32])], [tr])
    m.add_operator("SQUEEZE", [tr], [out("squeeze", x.reshape(1, 6, 32))], squeeze_dims=[2])
    m.inputs, m.outputs = [ti], outs
    save("shape_ops", m, x, ys)


if __name__ == "__main__":
    conv_chain()
    misc_ops()
    float16_transpose_conv()
    quantized_chain()
    shape_ops()
