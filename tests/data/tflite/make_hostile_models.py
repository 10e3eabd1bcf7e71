#!/usr/bin/python3
"""Makes the malformed .tflite files of tests/native/tflite_hostile_test.cc with models/tflite_writer.py:
each is a valid tiny model (RELU on a [1, 4] float input, or a CONV_2D) with one thing wrong, named after
it. Byte-level damage (truncation, offsets, vtables, vector lengths) is done by the test itself.
Run: /usr/bin/python3 tests/data/tflite/make_hostile_models.py
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "models"))
from tflite_writer import TFLiteModel, Table, Vector  # noqa: E402


def relu_model():
    m = TFLiteModel("hostile")
    x = m.add_tensor("x", [1, 4], "float32")
    y = m.add_tensor("y", [1, 4], "float32")
    m.add_operator("RELU", [x], [y])
    m.inputs, m.outputs = [x], [y]
    return m


def conv_model(quant_lengths=None):
    m = TFLiteModel("hostile conv")
    x = m.add_tensor("x", [1, 3, 3, 2], "uint8", quant=dict(scale=[0.1], zero_point=[3]))
    wq = dict(scale=[0.1, 0.2], zero_point=[0, 0, 0] if quant_lengths else [0, 0], axis=0)
    w = m.add_tensor("w", [2, 1, 1, 2], "int8", data=struct.pack("4b", 1, 2, 3, 4), quant=wq)
    y = m.add_tensor("y", [1, 3, 3, 2], "uint8", quant=dict(scale=[0.1], zero_point=[3]))
    m.add_operator("CONV_2D", [x, w, -1], [y], padding="VALID", stride_w=1, stride_h=1)
    m.inputs, m.outputs = [x], [y]
    return m


def save(name, m):
    with open(os.path.join(HERE, "hostile_" + name + ".tflite"), "wb") as f:
        f.write(m.serialize())


def main():
    m = relu_model()
    m.operators[0].fields[1] = Vector("i", [7])  # tensor index 7 of 2
    save("tensor_index", m)

    m = relu_model()
    m.tensors[0].fields[2] = ("I", 5)  # buffer 5 of 1
    save("buffer_index", m)

    m = relu_model()
    m.operators[0].fields[0] = ("I", 3)  # opcode 3 of 1
    save("opcode_index", m)

    m = relu_model()
    m.tensors[1].fields[0] = Vector("i", [1, -4])
    save("negative_dim", m)

    save("quant_lengths", conv_model(quant_lengths=True))

    m = relu_model()  # the input tensor also has data
    m.buffers.append(struct.pack("4f", 1, 2, 3, 4))
    m.tensors[0].fields[2] = ("I", len(m.buffers) - 1)
    save("input_is_constant", m)

    m = TFLiteModel("cycle")  # a = RELU(b), b = RELU(a)
    x = m.add_tensor("x", [1, 4], "float32")
    a = m.add_tensor("a", [1, 4], "float32")
    b = m.add_tensor("b", [1, 4], "float32")
    m.add_operator("RELU", [b], [a])
    m.add_operator("RELU", [a], [b])
    m.inputs, m.outputs = [x], [b]
    save("cycle", m)

    m = TFLiteModel("bool 81")  # a bool option byte that is neither 0 nor 1 (UB if loaded as a C++ bool)
    x = m.add_tensor("x", [1, 2, 2, 1], "float32")
    size = m.add_tensor("size", [2], "int32", data=struct.pack("2i", 3, 3))
    y = m.add_tensor("y", [1, 3, 3, 1], "float32")
    m.add_operator("RESIZE_BILINEAR", [x, size], [y], align_corners=81)
    m.inputs, m.outputs = [x], [y]
    save("bool_81", m)

    m = relu_model()  # unsupported builtins and a custom op, all named at once
    z = m.add_tensor("z", [1, 4], "float32")
    w = m.add_tensor("w", [1, 4], "float32")
    v = m.add_tensor("v", [1, 4], "float32")
    m.add_operator("CUSTOM", [1], [z], custom_code="MyFancyOp")
    m.opcodes.append((62, None))  # GREATER_EQUAL
    m.operators.append(Table({0: ("I", len(m.opcodes) - 1), 1: Vector("i", [z]), 2: Vector("i", [w])}))
    m.opcodes.append((130, None))  # BROADCAST_TO: a code past the int8 deprecated field (127 there)
    m.operators.append(Table({0: ("I", len(m.opcodes) - 1), 1: Vector("i", [w]), 2: Vector("i", [v])}))
    m.outputs = [v]
    save("unsupported_ops", m)


if __name__ == "__main__":
    main()
