#!/usr/bin/python3
"""Writes large, trivially shaped ONNX graphs for bench/planning_scale.mjs: load time must grow about
linearly with the node count (issue 18 item 2).

  chain:  x -> Identity -> Identity -> ... (N nodes) -> y       alias chains in the planner
  fanin:  x -> Relu (N times, in parallel) -> Concat -> y       N buffers live at once, N-way Concat
  relu:   x -> Relu -> Relu -> ... (N nodes) -> y                N short-lived arena buffers
  tfjs-chain: the Identity chain as a TF.js graph model; OUT is a directory, model.json is written there

Usage: /usr/bin/python3 bench/make_scale_graph.py {chain|fanin|relu|tfjs-chain} N OUT
Needs Debian's python3-onnx (not for tfjs-chain).
"""
import json
import os
import sys



def write_tfjs_chain(n, out_dir):
    shape = {"shape": {"dim": [{"size": "1"}, {"size": "4"}]}}
    nodes = [{"name": "x", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"}, "shape": shape}}]
    for i in range(n):
        nodes.append({"name": f"n{i}", "op": "Identity", "input": ["x" if i == 0 else f"n{i - 1}"],
                      "attr": {"T": {"type": "DT_FLOAT"}}})
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        json.dump({"format": "graph-model", "modelTopology": {"node": nodes}, "weightsManifest": []}, f)


def main():
    kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if kind == "tfjs-chain":
        write_tfjs_chain(n, out)
        return
    import onnx  # only the ONNX kinds need it
    from onnx import TensorProto, helper
    nodes = []
    if kind in ("chain", "relu"):
        op = "Identity" if kind == "chain" else "Relu"
        prev = "x"
        for i in range(n):
            name = "y" if i == n - 1 else f"t{i}"
            nodes.append(helper.make_node(op, [prev], [name], name=f"n{i}"))
            prev = name
        y_shape = [1, 4]
    elif kind == "fanin":
        for i in range(n):
            nodes.append(helper.make_node("Relu", ["x"], [f"r{i}"], name=f"r{i}"))
        nodes.append(helper.make_node("Concat", [f"r{i}" for i in range(n)], ["y"], name="cat", axis=1))
        y_shape = [1, 4 * n]
    else:
        sys.exit("kind must be chain, fanin or relu")
    graph = helper.make_graph(nodes, kind, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, out)


if __name__ == "__main__":
    main()
