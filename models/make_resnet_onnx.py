#!/usr/bin/python3
"""Builds a ResNet ONNX model the way PyTorch's exporter writes torchvision's resnet18/34/50 (opset 13,
BatchNormalization nodes kept), with random but deterministic weights.

Architecture (He et al. 2016): Conv 7x7/2 + BN + Relu, MaxPool 3x3/2 (pad 1), four stages of basic
(18, 34) or bottleneck (50) blocks with a Conv 1x1 + BN projection shortcut where the shape changes,
residual Add then Relu, GlobalAveragePool, Flatten, Gemm.

Usage: /usr/bin/python3 models/make_resnet_onnx.py OUT.onnx [--depth 18|34|50] [--size 224]
           [--classes 1000] [--seed 0] [--dynamic-batch]
Needs Debian's python3-onnx and python3-numpy.
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
# depth → (block kind, blocks per stage)
LAYERS = {18: ("basic", [2, 2, 2, 2]), 34: ("basic", [3, 4, 6, 3]), 50: ("bottleneck", [3, 4, 6, 3])}


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

    def node(self, op, inputs, name, **attrs):
        out = self.fresh(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], name=name, **attrs))
        return out

    def conv_bn(self, x, cin, cout, kernel, stride, prefix, relu, gamma_scale=1.0):
        fan_in = cin * kernel * kernel
        w = self.rng.normal(0.0, np.sqrt(2.0 / fan_in), (cout, cin, kernel, kernel)).astype(np.float32)
        pad = kernel // 2
        y = self.node("Conv", [x, self.const(f"{prefix}.weight", w)], f"{prefix}/Conv", dilations=[1, 1], group=1,
                      kernel_shape=[kernel, kernel], pads=[pad] * 4, strides=[stride, stride])
        bn = [("weight", self.rng.uniform(0.5, 1.5, cout) * gamma_scale), ("bias", self.rng.normal(0.0, 0.1, cout)),
              ("running_mean", self.rng.normal(0.0, 0.1, cout)), ("running_var", self.rng.uniform(0.5, 1.5, cout))]
        names = [self.const(f"{prefix}.bn.{n}", a.astype(np.float32)) for n, a in bn]
        y = self.node("BatchNormalization", [y] + names, f"{prefix}/BatchNormalization", epsilon=1e-5, momentum=0.9)
        return self.node("Relu", [y], f"{prefix}/Relu") if relu else y

    def block(self, x, kind, cin, planes, stride, prefix):
        # The last BN of a residual branch is scaled down so 16 stacked blocks keep activations in range.
        if kind == "basic":
            cout = planes
            y = self.conv_bn(x, cin, planes, 3, stride, f"{prefix}.conv1", relu=True)
            y = self.conv_bn(y, planes, planes, 3, 1, f"{prefix}.conv2", relu=False, gamma_scale=0.3)
        else:
            cout = planes * 4
            y = self.conv_bn(x, cin, planes, 1, 1, f"{prefix}.conv1", relu=True)
            y = self.conv_bn(y, planes, planes, 3, stride, f"{prefix}.conv2", relu=True)
            y = self.conv_bn(y, planes, cout, 1, 1, f"{prefix}.conv3", relu=False, gamma_scale=0.3)
        shortcut = x
        if stride != 1 or cin != cout:
            shortcut = self.conv_bn(x, cin, cout, 1, stride, f"{prefix}.downsample", relu=False)
        y = self.node("Add", [y, shortcut], f"{prefix}/Add")
        return self.node("Relu", [y], f"{prefix}/Relu"), cout


def build(depth, size, classes, seed, dynamic_batch):
    kind, counts = LAYERS[depth]
    b = Builder(seed)
    x = b.conv_bn("input", 3, 64, 7, 2, "conv1", relu=True)
    x = b.node("MaxPool", [x], "maxpool/MaxPool", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2])
    cin = 64
    for stage, (planes, n) in enumerate(zip([64, 128, 256, 512], counts)):
        for i in range(n):
            stride = 2 if stage > 0 and i == 0 else 1
            x, cin = b.block(x, kind, cin, planes, stride, f"layer{stage + 1}.{i}")
    x = b.node("GlobalAveragePool", [x], "avgpool/GlobalAveragePool")
    x = b.node("Flatten", [x], "flatten/Flatten", axis=1)
    fc_w = b.rng.normal(0.0, np.sqrt(1.0 / cin), (classes, cin)).astype(np.float32)
    fc_b = b.rng.normal(0.0, 0.01, classes).astype(np.float32)
    b.nodes.append(helper.make_node("Gemm", [x, b.const("fc.weight", fc_w), b.const("fc.bias", fc_b)], ["output"],
                                    name="fc/Gemm", alpha=1.0, beta=1.0, transB=1))
    batch = "batch" if dynamic_batch else 1
    graph = helper.make_graph(
        b.nodes, f"resnet{depth}_{size}",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [batch, 3, size, size])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [batch, classes])],
        initializer=b.initializers)
    model = helper.make_model(graph, producer_name="webcnn make_resnet_onnx.py",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 7
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("output")
    p.add_argument("--depth", type=int, default=18, choices=sorted(LAYERS))
    p.add_argument("--size", type=int, default=224, help="input height and width")
    p.add_argument("--classes", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dynamic-batch", action="store_true", help="symbolic batch dimension 'batch'")
    a = p.parse_args()
    onnx.save(build(a.depth, a.size, a.classes, a.seed, a.dynamic_batch), a.output)


if __name__ == "__main__":
    main()
