#!/usr/bin/python3
"""Builds a MobileNetV2 ONNX model the way PyTorch's exporter writes torchvision's mobilenet_v2 (opset 13,
training-style export: BatchNormalization nodes kept), with random but deterministic weights.

Architecture (Sandler et al. 2018): Conv 3x3/2 stem, inverted residual blocks (1x1 expand by 6,
depthwise 3x3, 1x1 project, residual Add when stride 1 and channels match), Conv 1x1 to 1280,
GlobalAveragePool, flatten, Gemm to 1000 classes. Every Conv is followed by BatchNormalization and, except
projections, Clip(min=0, max=6) with min/max as initializer inputs (opset 11+ form).

The flatten is written as torch's `x.view(x.size(0), -1)` exports it: Shape -> Gather(0) -> Unsqueeze ->
Concat(with -1) -> Reshape, which the engine must fold to a constant shape. `--flatten` writes a plain
Flatten instead.

Usage: /usr/bin/python3 models/make_mobilenetv2_onnx.py OUT.onnx [--width 1.0] [--size 224]
           [--classes 1000] [--seed 0] [--flatten] [--dynamic-batch] [--free-hw]
           [--float16 float16|float32]
Needs Debian's python3-onnx and python3-numpy (apt-get install -y python3-onnx python3-numpy).
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13

# (expansion t, output channels c, repeats n, first stride s), as in the paper's Table 2.
INVERTED_RESIDUAL_SETTING = [
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
]


def make_divisible(v, divisor=8):
    """torchvision's _make_divisible: round to a multiple of 8, never below 90% of v."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.initializers = []
        self.counter = 0

    def fresh(self, prefix):
        self.counter += 1
        return f"{prefix}_{self.counter}"

    def const(self, name, array):
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def conv_bn(self, x, cin, cout, kernel, stride, groups, prefix, relu6):
        """Conv (no bias) -> BatchNormalization -> optional Clip(0, 6), named like torch's export."""
        fan_in = (cin // groups) * kernel * kernel
        w = self.rng.normal(0.0, np.sqrt(2.0 / fan_in), (cout, cin // groups, kernel, kernel)).astype(np.float32)
        wname = self.const(f"{prefix}.weight", w)
        pad = (kernel - 1) // 2
        conv_out = self.fresh("conv")
        self.nodes.append(helper.make_node(
            "Conv", [x, wname], [conv_out], name=f"{prefix}/Conv", dilations=[1, 1], group=groups,
            kernel_shape=[kernel, kernel], pads=[pad, pad, pad, pad], strides=[stride, stride]))
        gamma = self.rng.uniform(0.5, 1.5, cout).astype(np.float32)
        beta = self.rng.normal(0.0, 0.1, cout).astype(np.float32)
        mean = self.rng.normal(0.0, 0.1, cout).astype(np.float32)
        var = self.rng.uniform(0.5, 1.5, cout).astype(np.float32)  # running variance must be positive
        names = [self.const(f"{prefix}.bn.{n}", a) for n, a in
                 (("weight", gamma), ("bias", beta), ("running_mean", mean), ("running_var", var))]
        bn_out = self.fresh("bn")
        self.nodes.append(helper.make_node(
            "BatchNormalization", [conv_out] + names, [bn_out], name=f"{prefix}/BatchNormalization",
            epsilon=1e-5, momentum=0.9))
        if not relu6:
            return bn_out
        out = self.fresh("relu6")
        self.nodes.append(helper.make_node("Clip", [bn_out, "clip_min", "clip_max"], [out], name=f"{prefix}/Clip"))
        return out

    def inverted_residual(self, x, cin, cout, stride, expand, prefix):
        hidden = int(round(cin * expand))
        y = x
        if expand != 1:
            y = self.conv_bn(y, cin, hidden, 1, 1, 1, f"{prefix}.expand", relu6=True)
        y = self.conv_bn(y, hidden, hidden, 3, stride, hidden, f"{prefix}.depthwise", relu6=True)
        y = self.conv_bn(y, hidden, cout, 1, 1, 1, f"{prefix}.project", relu6=False)
        if stride == 1 and cin == cout:
            out = self.fresh("add")
            self.nodes.append(helper.make_node("Add", [x, y], [out], name=f"{prefix}/Add"))
            return out
        return y

    def torch_view_flatten(self, x):
        """x.view(x.size(0), -1) as torch exports it at opset 13."""
        shape = self.fresh("shape")
        self.nodes.append(helper.make_node("Shape", [x], [shape], name="flatten/Shape"))
        idx = self.const("flatten.gather_index", np.array(0, dtype=np.int64))
        batch = self.fresh("gather")
        self.nodes.append(helper.make_node("Gather", [shape, idx], [batch], name="flatten/Gather", axis=0))
        axes = self.const("flatten.unsqueeze_axes", np.array([0], dtype=np.int64))
        batch1 = self.fresh("unsqueeze")
        self.nodes.append(helper.make_node("Unsqueeze", [batch, axes], [batch1], name="flatten/Unsqueeze"))
        minus_one = self.fresh("minus_one")
        self.nodes.append(helper.make_node(
            "Constant", [], [minus_one], name="flatten/Constant",
            value=numpy_helper.from_array(np.array([-1], dtype=np.int64))))
        target = self.fresh("concat")
        self.nodes.append(helper.make_node("Concat", [batch1, minus_one], [target], name="flatten/Concat", axis=0))
        out = self.fresh("reshape")
        self.nodes.append(helper.make_node("Reshape", [x, target], [out], name="flatten/Reshape"))
        return out


def build(width, size, classes, seed, plain_flatten, dynamic_batch, free_hw=False):
    b = Builder(seed)
    b.const("clip_min", np.array(0.0, dtype=np.float32))
    b.const("clip_max", np.array(6.0, dtype=np.float32))
    cin = make_divisible(32 * width)
    last = make_divisible(1280 * max(1.0, width))
    x = b.conv_bn("input", 3, cin, 3, 2, 1, "features.0", relu6=True)
    block = 1
    for t, c, n, s in INVERTED_RESIDUAL_SETTING:
        cout = make_divisible(c * width)
        for i in range(n):
            x = b.inverted_residual(x, cin, cout, s if i == 0 else 1, t, f"features.{block}")
            cin = cout
            block += 1
    x = b.conv_bn(x, cin, last, 1, 1, 1, f"features.{block}", relu6=True)
    pooled = b.fresh("pool")
    b.nodes.append(helper.make_node("GlobalAveragePool", [x], [pooled], name="pool/GlobalAveragePool"))
    if plain_flatten:
        flat = b.fresh("flatten")
        b.nodes.append(helper.make_node("Flatten", [pooled], [flat], name="flatten/Flatten", axis=1))
    else:
        flat = b.torch_view_flatten(pooled)
    fc_w = b.rng.normal(0.0, np.sqrt(1.0 / last), (classes, last)).astype(np.float32)
    fc_b = b.rng.normal(0.0, 0.01, classes).astype(np.float32)
    b.nodes.append(helper.make_node(
        "Gemm", [flat, b.const("classifier.1.weight", fc_w), b.const("classifier.1.bias", fc_b)], ["output"],
        name="classifier/Gemm", alpha=1.0, beta=1.0, transB=1))

    batch = "batch" if dynamic_batch else 1
    graph = helper.make_graph(
        b.nodes, f"mobilenet_v2_{width}_{size}",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                       [batch, 3, "height", "width"] if free_hw else [batch, 3, size, size])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [batch, classes])],
        initializer=b.initializers)
    model = helper.make_model(graph, producer_name="webcnn make_mobilenetv2_onnx.py",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 7  # what torch 1.x writes for opset 13; onnxruntime reads it
    onnx.checker.check_model(model, full_check=True)
    return model


def to_float16(model, arithmetic="float16"):
    """The model as onnxconverter_common's convert_float_to_float16(keep_io_types=True) writes it (the fp16
    variants ONNX Runtime users ship): float32 weights stored as float16, every activation float16, and
    Cast nodes at the edges so that the graph's inputs and outputs stay float32.
    arithmetic="float32": the same numbers computed in float32 instead (weights rounded to float16 and
    stored widened, the input rounded through Cast to float16 and back, no rounding between layers), an
    oracle for engines that hold float16 tensors as float32."""
    graph = model.graph
    for init in graph.initializer:
        if init.data_type == TensorProto.FLOAT:
            half = numpy_helper.to_array(init).astype(np.float16)
            init.CopyFrom(numpy_helper.from_array(half if arithmetic == "float16" else half.astype(np.float32), init.name))
    for vi in graph.input:
        half = vi.name + "_fp16"
        for node in graph.node:
            node.input[:] = [half if name == vi.name else name for name in node.input]
        if arithmetic == "float16":
            graph.node.insert(0, helper.make_node("Cast", [vi.name], [half], name=half + "/Cast", to=TensorProto.FLOAT16))
        else:
            graph.node.insert(0, helper.make_node("Cast", [half + "_h"], [half], name=half + "/Widen", to=TensorProto.FLOAT))
            graph.node.insert(0, helper.make_node("Cast", [vi.name], [half + "_h"], name=half + "/Cast", to=TensorProto.FLOAT16))
    if arithmetic == "float16":
        for vo in graph.output:
            half = vo.name + "_fp16"
            for node in graph.node:
                node.output[:] = [half if name == vo.name else name for name in node.output]
            graph.node.append(helper.make_node("Cast", [half], [vo.name], name=vo.name + "/Cast", to=TensorProto.FLOAT))
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("output")
    p.add_argument("--width", type=float, default=1.0, help="width multiplier (1.0, 0.75, 0.5, 0.35, ...)")
    p.add_argument("--size", type=int, default=224, help="input height and width")
    p.add_argument("--classes", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--flatten", action="store_true", help="plain Flatten instead of torch's view pattern")
    p.add_argument("--dynamic-batch", action="store_true", help="symbolic batch dimension 'batch'")
    p.add_argument("--free-hw", action="store_true", help="symbolic input height and width (any image size)")
    p.add_argument("--float16", choices=["float16", "float32"],
                   help="float16: float16 weights and activations, float32 input and output (Cast at the edges); "
                        "float32: the same numbers computed in float32 (see to_float16)")
    a = p.parse_args()
    model = build(a.width, a.size, a.classes, a.seed, a.flatten, a.dynamic_batch, a.free_hw)
    onnx.save(to_float16(model, a.float16) if a.float16 else model, a.output)


if __name__ == "__main__":
    main()
