// The public face of the engine: load a model, ask what it takes and gives, run it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn {

struct Graph;

// Returns the bytes of a TF.js weight shard named by its manifest path (relative to model.json), or an
// error naming it: files beside model.json natively, buffers handed over from JavaScript in wasm.
using TfjsShardReader = std::function<Result<std::vector<uint8_t>>(const std::string& path)>;

struct TensorSpec {
  std::string name;
  DataType dtype = DataType::kFloat32;
  Shape shape;        // -1 marks a dimension fixed only when the model runs (e.g. batch)
  QuantParams quant;  // uint8/int8 tensors of quantised models: real = scale * (q - zero_point)
};

struct ModelOptions {
  // Upper bound on the bytes of intermediate tensors a plan may take, plus the outputs each run copies
  // out (the load runs once). A browser tab gets a few GiB of wasm memory at most; asking for more fails
  // at load with a message instead of dying in malloc.
  size_t memory_budget = size_t{1} << 30;
  bool optimize = true;  // graph passes (fusion, layout); off only to debug them
  // Upper bound on a graph's nodes, checked right after import, before validation, passes and planning.
  // Real CNNs have hundreds to a few thousand nodes (ResNet-152: ~500 ONNX nodes, exports with unrolled
  // blocks tens of thousands); 200k is far above them, yet loads in about 3 s natively and keeps the
  // graph's bookkeeping (~1.3 KB a node) well inside the default memory budget.
  size_t max_nodes = 200000;
  // Plans kept for a model with free input dimensions, one per input-shape signature, least recently used
  // evicted first: alternating between this many shapes plans each once. Each plan holds its own arena;
  // the weights its kernels pack are shared between the plans (packed once, whatever the shape). Older
  // plans are also evicted when the cached plans' arenas plus the weights they hold that the newest plan
  // does not share would pass memory_budget.
  size_t plan_cache_size = 4;
};

struct ModelSummary {
  std::map<std::string, int> op_histogram;
  int64_t parameters = 0;  // elements of float constants (weights)
  int64_t macs = 0;        // multiply-accumulates of Conv/ConvTranspose/Gemm/MatMul at the declared shapes
  size_t arena_bytes = 0;  // planned peak of intermediates
  size_t intermediates_bytes = 0;
};

// What a model holds in memory (Model::memory). A model with free input dimensions caches a plan per
// input-shape signature; the weights its kernels pack are shared between those plans, packed once.
struct ModelMemory {
  size_t cached_plans = 0;
  uint64_t arena_bytes = 0;   // the cached plans' arenas (intermediates and scratch) together
  uint64_t weight_bytes = 0;  // weights held: imported constants kept to re-plan from, the plans' packed
                              //   and kept constants; a buffer several plans share counts once
  uint64_t weight_packs = 0;  // weight buffers packed so far by a model with free dims (0 for a static one)
};

// A convolution as the engine runs it (after BatchNorm folding and activation fusion).
struct ConvLayerInfo {
  std::string name;  // the node's name in the model file
  Shape weights;     // [O, I/group, kH, kW]
  int64_t group = 1;
};

// One node's share of a run (Model::profile).
struct NodeTiming {
  std::string name;  // the node's name in the model file
  std::string kind;  // op plus what decides its kernel: "Conv 1x1", "Conv 3x3 dw s2", "MaxPool 3x3 s2"
  Shape output_shape;
  int64_t macs = 0;  // multiply-accumulates (Conv, ConvTranspose, Gemm, MatMul), else 0
  double median_ms = 0;
};

struct OpProfile {
  std::vector<NodeTiming> nodes;   // in execution order; nodes that only alias their input are left out
  double whole_run_median_ms = 0;  // median over runs of the whole run, clock readings included
  size_t largest_step_bytes = 0;   // max over nodes of their non-constant inputs + outputs
  std::string largest_step;        // which node that is
};

// run_capturing()'s result: the model's outputs, and the requested layers' outputs as float32 NHWC
// [N, H, W, C] in the order asked for.
struct CapturedRun {
  std::vector<Tensor> outputs;
  std::vector<Tensor> layers;
};

class Model {
 public:
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // Errors carry a StatusCode: a failing load is kInvalidModel unless a more precise kind is known
  // (kUnsupportedOp, kResourceExhausted for the memory budget, kInvalidArgument for a file that cannot
  // be opened); a failing run, profile or conv_weights is kInvalidArgument unless likewise more precise.

  // From an importer's graph (inputs may have -1 dims; planned at first run if so).
  static Result<std::unique_ptr<Model>> from_graph(Graph graph, ModelOptions options = {});
  // .onnx bytes.
  static Result<std::unique_ptr<Model>> load_onnx(const uint8_t* data, size_t size, ModelOptions options = {});
  // .onnx bytes handed over: freed once imported, before planning, so loading peaks lower.
  static Result<std::unique_ptr<Model>> load_onnx(std::vector<uint8_t> bytes, ModelOptions options = {});
  // .tflite bytes (TFLite FlatBuffer, schema 3, subgraph 0), freed once imported as load_onnx's.
  static Result<std::unique_ptr<Model>> load_tflite(std::vector<uint8_t> bytes, ModelOptions options = {});
  // A TF.js model (graph model or layers-model) from the text of its model.json; weight shards are read
  // through `read_shard` one at a time as the importer needs them.
  static Result<std::unique_ptr<Model>> load_tfjs(const std::string& model_json, const TfjsShardReader& read_shard,
                                                  ModelOptions options = {});
  // A file: .onnx, .tflite (or "TFL3" at bytes 4..8), or a TF.js model.json (weights beside it). Errors
  // name the file.
  static Result<std::unique_ptr<Model>> load_file(const std::string& path, ModelOptions options = {});

  const std::vector<TensorSpec>& inputs() const { return inputs_; }
  const std::vector<TensorSpec>& outputs() const { return outputs_; }

  // Runs with named inputs; returns outputs in outputs() order. Input shapes may differ from the
  // last run: the model re-plans for them. Integer inputs (shape-like) may also change values.
  Result<std::vector<Tensor>> run(const std::map<std::string, const Tensor*>& inputs);

  // Like run(), and also copies out the outputs of the named convolution layers (conv_layers() names;
  // activations fused into a convolution are included) as float32 NHWC, an 8-bit layer's dequantized. A new set of
  // layers re-plans the model once, so the arena keeps those tensors alive; asking for the same set again costs only
  // the copies.
  Result<CapturedRun> run_capturing(const std::map<std::string, const Tensor*>& inputs,
                                    const std::vector<std::string>& layers);

  // The convolutions of the current plan in execution order; empty until the model has a plan (models
  // with free input dimensions are planned at their first run).
  std::vector<ConvLayerInfo> conv_layers() const;
  // One layer's weights as the engine uses them (BatchNorm folded in; a QLinearConv's dequantized per output
  // channel), float32 [O, I/group, kH, kW].
  // Recovered from the packed form the plan's kernels keep (the imported copy is gone once a static
  // model is planned): meant for inspection, not for every frame.
  Result<Tensor> conv_weights(const std::string& layer) const;

  // Graph statistics at the declared input shapes (unknown dims taken as 1).
  Result<ModelSummary> summary();
  // What the model holds now: cached plans, their arenas, its weights.
  ModelMemory memory() const;

  // Runs warmup + runs times as run() does (same plan, same arena) with a steady-clock reading around
  // every node: where the time goes, per node in execution order.
  Result<OpProfile> profile(const std::map<std::string, const Tensor*>& inputs, int warmup, int runs);

 private:
  struct Impl;
  explicit Model(std::unique_ptr<Impl> impl);
  // from_graph() before its errors get their default kind.
  static Result<std::unique_ptr<Model>> build(Graph graph, ModelOptions options);
  // run_capturing(), also timing each plan step when `step_ms` is given.
  Result<CapturedRun> run_steps(const std::map<std::string, const Tensor*>& inputs,
                                const std::vector<std::string>& layers, std::vector<double>* step_ms);
  std::unique_ptr<Impl> impl_;
  std::vector<TensorSpec> inputs_, outputs_;
};

}  // namespace webcnn
