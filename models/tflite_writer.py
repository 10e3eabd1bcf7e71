#!/usr/bin/env python3
"""A small FlatBuffers writer for TFLite files (schema version 3), Python 3 standard library only.

No flatbuffers package: the bytes are laid out here (tables with their vtables, vectors, strings, offsets
all pointing forward, vectors aligned to their element size, buffer data to 16 bytes), so a file can be
made in any environment. Tensor data may be bytes, array.array, or anything with .tobytes() (numpy).

API
---
    from tflite_writer import TFLiteModel

    m = TFLiteModel(description="tiny conv")
    x = m.add_tensor("input", [1, 8, 8, 3], "float32")
    w = m.add_tensor("w", [4, 3, 3, 3], "float32", data=weights_ohwi)      # constant: gets its own buffer
    b = m.add_tensor("b", [4], "float32", data=bias)
    y = m.add_tensor("y", [1, 4, 4, 4], "float32")
    m.add_operator("CONV_2D", [x, w, b], [y], padding="SAME", stride_w=2, stride_h=2,
                   fused_activation_function="RELU6")
    m.inputs, m.outputs = [x], [y]
    open("tiny.tflite", "wb").write(m.serialize())

- add_tensor(name, shape, dtype, data=None, quant=None, shape_signature=None) -> tensor index.
  dtype: "float32", "float16", "int32", "uint8", "int64", "bool", "int8". quant: dict(scale=[...],
  zero_point=[...], axis=0) (axis = quantized_dimension, meaningful with several scales).
- add_operator(op, inputs, outputs, custom_code=None, **options) -> operator index. `op` is a
  BuiltinOperator name (BUILTIN_CODES) or "CUSTOM" with custom_code; -1 in inputs marks an absent
  optional input. Options are the fields of the op's builtin options table by their schema.fbs names
  (OPTIONS lists them); enum fields take names: padding "SAME"/"VALID", fused_activation_function
  "NONE"/"RELU"/"RELU_N1_TO_1"/"RELU6"/"TANH", output_type "INT32"/"INT64"; vectors take lists.
- m.inputs / m.outputs: tensor indices of subgraph 0. serialize() -> bytes (identifier "TFL3").

The generic layer below (Table, serialize) writes any FlatBuffer; field numbers are schema.fbs's
declaration order from 0 (a union takes two: its type, then its value).
"""
import struct

TENSOR_TYPES = {"float32": 0, "float16": 1, "int32": 2, "uint8": 3, "int64": 4, "bool": 6, "int8": 9}

BUILTIN_CODES = {
    "ADD": 0, "AVERAGE_POOL_2D": 1, "CONCATENATION": 2, "CONV_2D": 3, "DEPTHWISE_CONV_2D": 4,
    "DEPTH_TO_SPACE": 5, "DEQUANTIZE": 6, "FLOOR": 8, "FULLY_CONNECTED": 9, "LOGISTIC": 14,
    "MAX_POOL_2D": 17, "MUL": 18, "RELU": 19, "RELU_N1_TO_1": 20, "RELU6": 21, "RESHAPE": 22,
    "RESIZE_BILINEAR": 23, "SOFTMAX": 25, "SPACE_TO_DEPTH": 26, "TANH": 28, "CUSTOM": 32, "PAD": 34,
    "GATHER": 36, "TRANSPOSE": 39, "MEAN": 40, "SUB": 41, "DIV": 42, "SQUEEZE": 43, "STRIDED_SLICE": 45,
    "EXP": 47, "SPLIT": 49, "CAST": 53, "PRELU": 54, "MAXIMUM": 55, "ARG_MAX": 56, "MINIMUM": 57,
    "PADV2": 60, "SLICE": 65, "TRANSPOSE_CONV": 67, "EXPAND_DIMS": 70, "SUM": 74, "SQRT": 75, "RSQRT": 76,
    "PACK": 83, "UNPACK": 88, "FLOOR_DIV": 90, "RESIZE_NEAREST_NEIGHBOR": 97, "LEAKY_RELU": 98,
    "SQUARED_DIFFERENCE": 99, "GATHER_ND": 107, "QUANTIZE": 114, "HARD_SWISH": 117,
}

_ACT = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3, "TANH": 4}
_PAD = {"SAME": 0, "VALID": 1}
_TYPE = {"INT32": 2, "INT64": 4}

# op -> (BuiltinOptions union type, {field: (index, scalar type or "vec:<type>", enum map or None)})
_F = lambda i, t, e=None: (i, t, e)  # noqa: E731
OPTIONS = {
    "CONV_2D": (1, {"padding": _F(0, "b", _PAD), "stride_w": _F(1, "i"), "stride_h": _F(2, "i"),
                    "fused_activation_function": _F(3, "b", _ACT), "dilation_w_factor": _F(4, "i"),
                    "dilation_h_factor": _F(5, "i")}),
    "DEPTHWISE_CONV_2D": (2, {"padding": _F(0, "b", _PAD), "stride_w": _F(1, "i"), "stride_h": _F(2, "i"),
                              "depth_multiplier": _F(3, "i"), "fused_activation_function": _F(4, "b", _ACT),
                              "dilation_w_factor": _F(5, "i"), "dilation_h_factor": _F(6, "i")}),
    "AVERAGE_POOL_2D": (5, {"padding": _F(0, "b", _PAD), "stride_w": _F(1, "i"), "stride_h": _F(2, "i"),
                            "filter_width": _F(3, "i"), "filter_height": _F(4, "i"),
                            "fused_activation_function": _F(5, "b", _ACT)}),
    "FULLY_CONNECTED": (8, {"fused_activation_function": _F(0, "b", _ACT), "weights_format": _F(1, "b"),
                            "keep_num_dims": _F(2, "?")}),
    "SOFTMAX": (9, {"beta": _F(0, "f")}),
    "CONCATENATION": (10, {"axis": _F(0, "i"), "fused_activation_function": _F(1, "b", _ACT)}),
    "ADD": (11, {"fused_activation_function": _F(0, "b", _ACT)}),
    "RESIZE_BILINEAR": (15, {"align_corners": _F(2, "?"), "half_pixel_centers": _F(3, "?")}),
    "RESHAPE": (17, {"new_shape": _F(0, "vec:i")}),
    "MUL": (21, {"fused_activation_function": _F(0, "b", _ACT)}),
    "PAD": (22, {}),
    "GATHER": (23, {"axis": _F(0, "i"), "batch_dims": _F(1, "i")}),
    "TRANSPOSE": (26, {}),
    "MEAN": (27, {"keep_dims": _F(0, "?")}),
    "SUM": (27, {"keep_dims": _F(0, "?")}),
    "SUB": (28, {"fused_activation_function": _F(0, "b", _ACT)}),
    "DIV": (29, {"fused_activation_function": _F(0, "b", _ACT)}),
    "SQUEEZE": (30, {"squeeze_dims": _F(0, "vec:i")}),
    "STRIDED_SLICE": (32, {"begin_mask": _F(0, "i"), "end_mask": _F(1, "i"), "ellipsis_mask": _F(2, "i"),
                           "new_axis_mask": _F(3, "i"), "shrink_axis_mask": _F(4, "i")}),
    "SPLIT": (35, {"num_splits": _F(0, "i")}),
    "ARG_MAX": (40, {"output_type": _F(0, "b", _TYPE)}),
    "PADV2": (43, {}),
    "SLICE": (48, {}),
    "TRANSPOSE_CONV": (49, {"padding": _F(0, "b", _PAD), "stride_w": _F(1, "i"), "stride_h": _F(2, "i"),
                            "fused_activation_function": _F(3, "b", _ACT)}),
    "PACK": (59, {"values_count": _F(0, "i"), "axis": _F(1, "i")}),
    "UNPACK": (64, {"num": _F(0, "i"), "axis": _F(1, "i")}),
    "RESIZE_NEAREST_NEIGHBOR": (74, {"align_corners": _F(0, "?"), "half_pixel_centers": _F(1, "?")}),
    "LEAKY_RELU": (75, {"alpha": _F(0, "f")}),
}
OPTIONS["MAX_POOL_2D"] = OPTIONS["AVERAGE_POOL_2D"]

# ---- generic FlatBuffer layer ----------------------------------------------------------------------

_SCALAR = {"b": ("<b", 1), "B": ("<B", 1), "?": ("<B", 1), "h": ("<h", 2), "i": ("<i", 4), "I": ("<I", 4),
           "q": ("<q", 8), "f": ("<f", 4)}


class Table:
    """fields: {index: value}; value is ("b"|"B"|"?"|"h"|"i"|"I"|"q"|"f", x) for a scalar, a Table, a
    String, or a Vector."""

    def __init__(self, fields=None):
        self.fields = dict(fields or {})


class String:
    def __init__(self, s):
        self.data = s.encode("utf-8") if isinstance(s, str) else bytes(s)


class Vector:
    """kind: a scalar code ("i", "f", "q", ...) with a list of numbers, "bytes" with raw bytes (align:
    of the first element), or "offset" with a list of Tables/Strings."""

    def __init__(self, kind, items, align=None):
        self.kind, self.items, self.align = kind, items, align


def serialize(root, identifier=b"TFL3"):
    buf = bytearray(8)
    buf[4:8] = identifier[:4].ljust(4, b"\0")
    pending = []  # (slot position, object): uoffsets are patched once the object is placed after them

    def pad_to(n, extra=0):  # so that (len + extra) % n == 0
        while (len(buf) + extra) % n:
            buf.append(0)

    def place(obj):
        if isinstance(obj, Table):
            return place_table(obj)
        if isinstance(obj, String):
            pad_to(4)
            pos = len(buf)
            buf.extend(struct.pack("<I", len(obj.data)) + obj.data + b"\0")
            return pos
        if isinstance(obj, Vector):
            return place_vector(obj)
        raise TypeError("cannot serialise %r" % (obj,))

    def place_vector(v):
        if v.kind == "bytes":
            data = bytes(v.items)
            pad_to(max(4, v.align or 1), 4)
            pos = len(buf)
            buf.extend(struct.pack("<I", len(data)) + data)
            return pos
        if v.kind == "offset":
            pad_to(4)
            pos = len(buf)
            buf.extend(struct.pack("<I", len(v.items)))
            for item in v.items:
                pending.append((len(buf), item))
                buf.extend(b"\0\0\0\0")
            return pos
        fmt, size = _SCALAR[v.kind]
        pad_to(max(4, size), 4)
        pos = len(buf)
        buf.extend(struct.pack("<I", len(v.items)))
        for x in v.items:
            buf.extend(struct.pack(fmt, x))
        return pos

    def place_table(t):
        # Inline layout: largest scalars first; offsets (tables, strings, vectors) are 4 bytes.
        items = []
        for index, value in t.fields.items():
            if isinstance(value, tuple):
                fmt, size = _SCALAR[value[0]]
                items.append((size, index, struct.pack(fmt, value[1]), None))
            else:
                items.append((4, index, b"\0\0\0\0", value))
        items.sort(key=lambda it: (-it[0], it[1]))
        max_align = max([4] + [it[0] for it in items])
        offsets, layout, off = {}, [], 4
        for size, index, data, child in items:
            while off % size:
                off += 1
            offsets[index] = off
            layout.append((off, data, child))
            off += size
        obj_size = off
        n = max(t.fields) + 1 if t.fields else 0
        vtable = struct.pack("<HH", 4 + 2 * n, obj_size) + b"".join(
            struct.pack("<H", offsets.get(i, 0)) for i in range(n))
        pad_to(2)
        vt_pos = len(buf)
        buf.extend(vtable)
        pad_to(max_align)
        pos = len(buf)
        buf.extend(b"\0" * obj_size)
        struct.pack_into("<i", buf, pos, pos - vt_pos)
        for off, data, child in layout:
            buf[pos + off:pos + off + len(data)] = data
            if child is not None:
                pending.append((pos + off, child))
        return pos

    root_pos = place(root)
    struct.pack_into("<I", buf, 0, root_pos)
    while pending:
        slot, obj = pending.pop(0)
        struct.pack_into("<I", buf, slot, place(obj) - slot)
    pad_to(16)
    return bytes(buf)

# ---- TFLite model ----------------------------------------------------------------------------------


def _bytes_of(data):
    if data is None:
        return None
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    return data.tobytes()


class TFLiteModel:
    def __init__(self, description="webcnn tflite_writer"):
        self.description = description
        self.tensors, self.operators, self.opcodes = [], [], []
        self.buffers = [b""]  # buffer 0: the empty sentinel every tensor without data points at
        self.inputs, self.outputs = [], []

    def add_tensor(self, name, shape, dtype, data=None, quant=None, shape_signature=None):
        fields = {0: Vector("i", list(shape)), 1: ("b", TENSOR_TYPES[dtype]), 3: String(name)}
        raw = _bytes_of(data)
        if raw is not None:
            self.buffers.append(raw)
            fields[2] = ("I", len(self.buffers) - 1)
        if quant is not None:
            q = {2: Vector("f", [float(s) for s in quant["scale"]]),
                 3: Vector("q", [int(z) for z in quant.get("zero_point", [0] * len(quant["scale"]))])}
            if quant.get("axis", 0):
                q[6] = ("i", int(quant["axis"]))
            fields[4] = Table(q)
        if shape_signature is not None:
            fields[7] = Vector("i", list(shape_signature))
        self.tensors.append(Table(fields))
        return len(self.tensors) - 1

    def _opcode(self, op, custom_code):
        code = BUILTIN_CODES[op]
        key = (code, custom_code)
        if key not in self.opcodes:
            self.opcodes.append(key)
        return self.opcodes.index(key)

    def add_operator(self, op, inputs, outputs, custom_code=None, **options):
        fields = {0: ("I", self._opcode(op, custom_code)), 1: Vector("i", list(inputs)),
                  2: Vector("i", list(outputs))}
        if op in OPTIONS:
            union_type, spec = OPTIONS[op]
            ofields = {}
            for key, value in options.items():
                if key not in spec:
                    raise KeyError("%s has no option %r (known: %s)" % (op, key, ", ".join(spec)))
                index, kind, enum = spec[key]
                if enum is not None and isinstance(value, str):
                    value = enum[value]
                ofields[index] = Vector(kind[4:], list(value)) if kind.startswith("vec:") else (kind, value)
            fields[3] = ("B", union_type)
            fields[4] = Table(ofields)
        elif options:
            raise KeyError("no options table known for %s" % op)
        self.operators.append(Table(fields))
        return len(self.operators) - 1

    def serialize(self):
        codes = [Table({0: ("b", min(code, 127)), 2: ("i", 1), 3: ("i", code),
                        **({1: String(custom)} if custom else {})}) for code, custom in self.opcodes]
        subgraph = Table({0: Vector("offset", self.tensors), 1: Vector("i", self.inputs),
                          2: Vector("i", self.outputs), 3: Vector("offset", self.operators),
                          4: String("main")})
        buffers = [Table({0: Vector("bytes", b, align=16)}) if b else Table() for b in self.buffers]
        model = Table({0: ("I", 3), 1: Vector("offset", codes), 2: Vector("offset", [subgraph]),
                       3: String(self.description), 4: Vector("offset", buffers)})
        return serialize(model)
