// The TF-derived op families (cast, logical, floor_division, strided_slice, topk, gather_nd, tile):
// hand-computed cases for each reference, and the kernels run through shape inference + constant
// folding (create → prepare → run), including the errors they must give. Exact results (tolerance 0:
// these ops move or compare values, or compute integer/float results that are exact by construction).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include "graph/graph.h"
#include "ops/strided_slice.h"
#include "passes/shape_inference.h"

using namespace webcnn;

namespace {

template <typename T>
Tensor make(DataType dt, Shape shape, std::vector<T> values) {
  Tensor t(dt, shape);
  REQUIRE(static_cast<int64_t>(values.size()) == t.size());
  for (size_t i = 0; i < values.size(); ++i) t.template data<T>()[i] = values[i];
  return t;
}
Tensor f32(Shape s, std::vector<float> v) { return make<float>(DataType::kFloat32, std::move(s), std::move(v)); }
Tensor i32(Shape s, std::vector<int32_t> v) { return make<int32_t>(DataType::kInt32, std::move(s), std::move(v)); }
Tensor i64(Shape s, std::vector<int64_t> v) { return make<int64_t>(DataType::kInt64, std::move(s), std::move(v)); }
Tensor boolean(Shape s, std::vector<uint8_t> v) { return make<uint8_t>(DataType::kBool, std::move(s), std::move(v)); }

// Runs one node on constant inputs through shape inference (which folds it); returns its outputs.
Result<std::vector<Tensor>> run_op(const std::string& op, std::vector<Tensor> inputs,
                                   std::map<std::string, Attribute> attrs = {}, size_t num_outputs = 1) {
  Graph g;
  Node n;
  n.op = op;
  n.name = "node";
  for (size_t i = 0; i < inputs.size(); ++i)
    n.inputs.push_back(g.add_constant("in" + std::to_string(i), std::move(inputs[i])));
  for (size_t i = 0; i < num_outputs; ++i) n.outputs.push_back(g.add_value("out" + std::to_string(i)));
  n.attrs = std::move(attrs);
  std::vector<ValueId> outs = n.outputs;
  g.add_node(std::move(n));
  g.outputs = outs;
  WEBCNN_TRY(infer_shapes_and_fold_constants(g));
  std::vector<Tensor> result;
  for (ValueId v : outs) result.push_back(*g.value(v).constant);
  return result;
}

Tensor run1(const std::string& op, std::vector<Tensor> inputs, std::map<std::string, Attribute> attrs = {}) {
  auto r = run_op(op, std::move(inputs), std::move(attrs));
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  return r.value()[0];
}

std::string run_error(const std::string& op, std::vector<Tensor> inputs, std::map<std::string, Attribute> attrs = {}) {
  auto r = run_op(op, std::move(inputs), std::move(attrs));
  return r.is_ok() ? std::string("(ok)") : r.status().message();
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

Attribute I(int64_t v) { return Attribute::of_int(v); }

Tensor iota_f32(Shape s) {
  Tensor t(DataType::kFloat32, s);
  for (int64_t i = 0; i < t.size(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
}

}  // namespace

TEST_CASE("Cast: truncation toward zero, NaN/overflow saturation, bool") {
  float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor t = run1("Cast", {f32({5}, {-1.7f, 2.5f, nan, 3e10f, -3e10f})}, {{"to", I(6)}});
  CHECK(t.dtype() == DataType::kInt32);
  CHECK(t.to_int64_vector() == std::vector<int64_t>{-1, 2, 0, 2147483647, -2147483648LL});
  Tensor b = run1("Cast", {i32({3}, {0, 5, -2})}, {{"to", I(9)}});
  CHECK(b.dtype() == DataType::kBool);
  CHECK(b.to_int64_vector() == std::vector<int64_t>{0, 1, 1});
  Tensor f = run1("Cast", {boolean({2}, {1, 0})}, {{"to", I(1)}});
  CHECK(f.to_float_vector() == std::vector<float>{1.f, 0.f});
  Tensor l = run1("Cast", {i64({2}, {-5, 7})}, {{"to", I(6)}});
  CHECK(l.to_int64_vector() == std::vector<int64_t>{-5, 7});
  CHECK(contains(run_error("Cast", {f32({1}, {1})}, {{"to", I(16)}}), "Cast 'node': attribute 'to'"));
}

TEST_CASE("Mod and FloorDiv: sign conventions by hand, broadcasting, division by zero") {
  Tensor a = i32({4}, {7, -7, 7, -7}), b = i32({4}, {3, 3, -3, -3});
  CHECK(run1("Mod", {a, b}).to_int64_vector() == std::vector<int64_t>{1, 2, -2, -1});
  CHECK(run1("Mod", {a, b}, {{"fmod", I(1)}}).to_int64_vector() == std::vector<int64_t>{1, -1, 1, -1});
  CHECK(run1("FloorDiv", {a, b}).to_int64_vector() == std::vector<int64_t>{2, -3, -3, 2});
  CHECK(run1("Mod", {f32({2}, {5.5f, -5.5f}), f32({}, {2.f})}).to_float_vector() == std::vector<float>{1.5f, 0.5f});
  CHECK(run1("FloorDiv", {f32({2}, {-7.5f, 7.5f}), f32({}, {2.f})}).to_float_vector() == std::vector<float>{-4.f, 3.f});
  // [2,1] with [3]: broadcast to [2,3]
  Tensor bc = run1("FloorDiv", {i32({2, 1}, {10, -10}), i32({3}, {1, 3, 4})});
  CHECK(bc.shape() == Shape{2, 3});
  CHECK(bc.to_int64_vector() == std::vector<int64_t>{10, 3, 2, -10, -4, -3});
  CHECK(contains(run_error("FloorDiv", {i32({2}, {1, 2}), i32({2}, {1, 0})}),
                 "FloorDiv 'node': integer division by zero"));
  CHECK(contains(run_error("Mod", {i32({2}, {1, 2}), i32({3}, {1, 2, 3})}), "do not broadcast"));
  CHECK(contains(run_error("Mod", {i32({1}, {1}), f32({1}, {1})}), "share a type"));
}

TEST_CASE("And/Or/Xor/Not/Where by hand, with broadcasting") {
  Tensor a = boolean({2}, {1, 0}), b = boolean({2, 1}, {1, 0});
  CHECK(run1("And", {a, b}).to_int64_vector() == std::vector<int64_t>{1, 0, 0, 0});
  CHECK(run1("Or", {a, b}).to_int64_vector() == std::vector<int64_t>{1, 1, 1, 0});
  CHECK(run1("Xor", {a, b}).to_int64_vector() == std::vector<int64_t>{0, 1, 1, 0});
  CHECK(run1("Not", {a}).to_int64_vector() == std::vector<int64_t>{0, 1});
  Tensor w = run1("Where", {boolean({3}, {1, 0, 1}), f32({3}, {1, 2, 3}), f32({}, {-1})});
  CHECK(w.to_float_vector() == std::vector<float>{1, -1, 3});
  Tensor w2 = run1("Where", {boolean({2, 1}, {0, 1}), i32({2}, {5, 6}), i32({2, 2}, {1, 2, 3, 4})});
  CHECK(w2.to_int64_vector() == std::vector<int64_t>{1, 2, 5, 6});
  CHECK(contains(run_error("And", {f32({1}, {1}), f32({1}, {1})}), "must be bool"));
  CHECK(contains(run_error("Where", {boolean({1}, {1}), f32({1}, {1}), i32({1}, {1})}), "share a type"));
}

TEST_CASE("StridedSlice: ranges, negative strides, masks, ellipsis, new and shrunk axes (by hand)") {
  auto ss = [](Tensor x, std::vector<int64_t> b, std::vector<int64_t> e, std::vector<int64_t> s,
               std::map<std::string, Attribute> masks = {}) {
    int64_t n = static_cast<int64_t>(b.size());
    return run1("StridedSlice", {std::move(x), i64({n}, b), i64({n}, e), i64({n}, s)}, std::move(masks));
  };
  Tensor x = iota_f32({3, 4});  // [[0,1,2,3],[4,5,6,7],[8,9,10,11]]
  Tensor a = ss(x, {1, 0}, {3, 4}, {1, 2});
  CHECK(a.shape() == Shape{2, 2});
  CHECK(a.to_float_vector() == std::vector<float>{4, 6, 8, 10});
  Tensor row = ss(x, {1}, {2}, {1}, {{"shrink_axis_mask", I(1)}});  // x[1]
  CHECK(row.shape() == Shape{4});
  CHECK(row.to_float_vector() == std::vector<float>{4, 5, 6, 7});
  Tensor col = ss(x, {0, -1}, {0, 0}, {1, 1},
                  {{"begin_mask", I(1)}, {"end_mask", I(1)}, {"shrink_axis_mask", I(2)}});  // x[:, -1]
  CHECK(col.shape() == Shape{3});
  CHECK(col.to_float_vector() == std::vector<float>{3, 7, 11});
  Tensor rev = ss(iota_f32({5}), {0}, {0}, {-1}, {{"begin_mask", I(1)}, {"end_mask", I(1)}});  // x[::-1]
  CHECK(rev.to_float_vector() == std::vector<float>{4, 3, 2, 1, 0});
  Tensor rev2 = ss(iota_f32({5}), {3}, {0}, {-2});  // x[3:0:-2]
  CHECK(rev2.to_float_vector() == std::vector<float>{3, 1});
  Tensor clamp = ss(iota_f32({5}), {-10}, {10}, {1});  // x[-10:10]
  CHECK(clamp.to_float_vector() == std::vector<float>{0, 1, 2, 3, 4});
  Tensor empty = ss(iota_f32({5}), {3}, {1}, {1});  // x[3:1]
  CHECK(empty.shape() == Shape{0});
  Tensor na = ss(x, {0, 0}, {0, 0}, {1, 1}, {{"ellipsis_mask", I(1)}, {"new_axis_mask", I(2)}});  // x[..., None]
  CHECK(na.shape() == Shape{3, 4, 1});
  CHECK(na.to_float_vector() == x.to_float_vector());
  Tensor na0 = ss(x, {0, 1}, {0, 3}, {1, 1}, {{"new_axis_mask", I(1)}});  // x[None, 1:3]
  CHECK(na0.shape() == Shape{1, 2, 4});
  CHECK(na0.to_float_vector() == std::vector<float>{4, 5, 6, 7, 8, 9, 10, 11});
  Tensor x3 = iota_f32({2, 3, 2});
  Tensor el = ss(x3, {0, 1}, {0, 2}, {1, 1}, {{"ellipsis_mask", I(1)}});  // x[..., 1:2]
  CHECK(el.shape() == Shape{2, 3, 1});
  CHECK(el.to_float_vector() == std::vector<float>{1, 3, 5, 7, 9, 11});
  Tensor mid = ss(x3, {0, 1, 0}, {0, 2, 0}, {1, 1, 1},
                  {{"ellipsis_mask", I(1)}, {"shrink_axis_mask", I(2)}, {"new_axis_mask", I(4)}});
  CHECK(mid.shape() == Shape{2, 3, 1});  // x[..., 1, None]
  CHECK(mid.to_float_vector() == std::vector<float>{1, 3, 5, 7, 9, 11});
  Tensor ints = run1("StridedSlice", {i32({4}, {10, 20, 30, 40}), i32({1}, {1}), i32({1}, {3}), i32({1}, {1})});
  CHECK(ints.dtype() == DataType::kInt32);
  CHECK(ints.to_int64_vector() == std::vector<int64_t>{20, 30});

  CHECK(contains(run_error("StridedSlice", {iota_f32({3}), i64({1}, {5}), i64({1}, {6}), i64({1}, {1})},
                           {{"shrink_axis_mask", I(1)}}),
                 "out of range"));
  CHECK(contains(run_error("StridedSlice", {iota_f32({3}), i64({1}, {0}), i64({1}, {2}), i64({1}, {0})}),
                 "stride of axis 0 is 0"));
  CHECK(contains(run_error("StridedSlice", {iota_f32({3}), i64({2}, {0, 0}), i64({2}, {1, 1}), i64({2}, {1, 1})}),
                 "more axes"));
  CHECK(contains(run_error("StridedSlice", {iota_f32({3}), i64({1}, {0}), i64({2}, {1, 1}), i64({1}, {1})}),
                 "same length"));
}

TEST_CASE("StridedSlice on random 3-D ranges agrees with direct indexing") {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 50; ++iter) {
    Shape s = {1 + static_cast<int64_t>(rng() % 5), 1 + static_cast<int64_t>(rng() % 6),
               1 + static_cast<int64_t>(rng() % 7)};
    std::vector<int64_t> b(3), e(3), st(3);
    for (int a = 0; a < 3; ++a) {
      int64_t d = s[static_cast<size_t>(a)];
      st[static_cast<size_t>(a)] = 1 + static_cast<int64_t>(rng() % 3);
      b[static_cast<size_t>(a)] = static_cast<int64_t>(rng() % static_cast<uint32_t>(d));
      e[static_cast<size_t>(a)] =
          b[static_cast<size_t>(a)] + static_cast<int64_t>(rng() % static_cast<uint32_t>(d + 1));
    }
    Tensor x = iota_f32(s);
    Tensor y = run1("StridedSlice", {x, i64({3}, b), i64({3}, e), i64({3}, st)});
    std::vector<float> want;
    for (int64_t i = b[0]; i < std::min(e[0], s[0]); i += st[0])
      for (int64_t j = b[1]; j < std::min(e[1], s[1]); j += st[1])
        for (int64_t k = b[2]; k < std::min(e[2], s[2]); k += st[2])
          want.push_back(static_cast<float>((i * s[1] + j) * s[2] + k));
    CHECK(y.to_float_vector() == want);
  }
}

TEST_CASE("TopK, ArgMax, ArgMin by hand: ties keep the lower index") {
  auto r = run_op("TopK", {f32({4}, {1, 3, 2, 3}), i64({1}, {2})}, {}, 2);
  REQUIRE(r.is_ok());
  CHECK(r.value()[0].to_float_vector() == std::vector<float>{3, 3});
  CHECK(r.value()[1].to_int64_vector() == std::vector<int64_t>{1, 3});
  r = run_op("TopK", {f32({4}, {1, 3, 2, 3}), i64({1}, {2})}, {{"largest", I(0)}}, 2);
  REQUIRE(r.is_ok());
  CHECK(r.value()[0].to_float_vector() == std::vector<float>{1, 2});
  CHECK(r.value()[1].to_int64_vector() == std::vector<int64_t>{0, 2});
  // Along axis 0 of [3,2]: columns [5,1,9] and [0,8,2].
  r = run_op("TopK", {f32({3, 2}, {5, 0, 1, 8, 9, 2}), i64({1}, {2})}, {{"axis", I(0)}}, 2);
  REQUIRE(r.is_ok());
  CHECK(r.value()[0].shape() == Shape{2, 2});
  CHECK(r.value()[0].to_float_vector() == std::vector<float>{9, 8, 5, 2});
  CHECK(r.value()[1].to_int64_vector() == std::vector<int64_t>{2, 1, 0, 2});
  CHECK(run_op("TopK", {f32({2}, {1, 2}), i64({1}, {3})}, {}, 2).status().message().find("out of range") !=
        std::string::npos);

  Tensor x = f32({2, 3}, {1, 5, 5, 7, 0, 7});
  Tensor am = run1("ArgMax", {x}, {{"axis", I(1)}, {"keepdims", I(0)}});
  CHECK(am.dtype() == DataType::kInt64);
  CHECK(am.to_int64_vector() == std::vector<int64_t>{1, 0});
  CHECK(run1("ArgMax", {x}, {{"axis", I(1)}, {"select_last_index", I(1)}}).to_int64_vector() ==
        std::vector<int64_t>{2, 2});
  Tensor amin = run1("ArgMin", {x}, {{"axis", I(0)}});
  CHECK(amin.shape() == Shape{1, 3});
  CHECK(amin.to_int64_vector() == std::vector<int64_t>{0, 1, 0});
  CHECK(contains(run_error("ArgMax", {x}, {{"axis", I(2)}}), "axis 2 is out of range"));
}

TEST_CASE("GatherND and Tile by hand") {
  Tensor data = f32({2, 2}, {0, 1, 2, 3});
  CHECK(run1("GatherND", {data, i64({2, 2}, {1, 0, 0, 1})}).to_float_vector() == std::vector<float>{2, 1});
  Tensor rows = run1("GatherND", {data, i64({1, 1}, {1})});
  CHECK(rows.shape() == Shape{1, 2});
  CHECK(rows.to_float_vector() == std::vector<float>{2, 3});
  CHECK(run1("GatherND", {data, i32({2}, {-1, -1})}).to_float_vector() == std::vector<float>{3});
  CHECK(contains(run_error("GatherND", {data, i64({2}, {2, 0})}), "GatherND 'node': index 2 is out of range"));
  CHECK(contains(run_error("GatherND", {data, i64({3}, {0, 0, 0})}), "exceeds the data rank"));

  Tensor t = run1("Tile", {i32({1, 2}, {1, 2}), i64({2}, {2, 2})});
  CHECK(t.shape() == Shape{2, 4});
  CHECK(t.to_int64_vector() == std::vector<int64_t>{1, 2, 1, 2, 1, 2, 1, 2});
  CHECK(contains(run_error("Tile", {i32({1, 2}, {1, 2}), i64({1}, {2})}), "repeats has 1 values"));
}

TEST_CASE("DepthToSpace by hand: DCR/CRD, NCHW/NHWC") {
  auto d2s = [](Tensor x, int64_t b, const char* mode, const char* layout) {
    return run1("DepthToSpace", {std::move(x)},
                {{"blocksize", I(b)}, {"mode", Attribute::of_string(mode)}, {"layout", Attribute::of_string(layout)}});
  };
  Tensor a = d2s(iota_f32({1, 8, 1, 1}), 2, "DCR", "NCHW");
  CHECK(a.shape() == Shape{1, 2, 2, 2});
  CHECK(a.to_float_vector() == std::vector<float>{0, 2, 4, 6, 1, 3, 5, 7});
  CHECK(d2s(iota_f32({1, 8, 1, 1}), 2, "CRD", "NCHW").to_float_vector() == iota_f32({8}).to_float_vector());
  Tensor n = d2s(iota_f32({1, 1, 1, 8}), 2, "DCR", "NHWC");  // TF's order
  CHECK(n.shape() == Shape{1, 2, 2, 2});
  CHECK(n.to_float_vector() == iota_f32({8}).to_float_vector());
  // NHWC [1,1,2,4], b 2: pixel 0 channels 0..3 → 2×2 block in columns 0-1, pixel 1 → columns 2-3.
  Tensor w = d2s(iota_f32({1, 1, 2, 4}), 2, "DCR", "NHWC");
  CHECK(w.shape() == Shape{1, 2, 4, 1});
  CHECK(w.to_float_vector() == std::vector<float>{0, 1, 4, 5, 2, 3, 6, 7});
  CHECK(contains(run_error("DepthToSpace", {iota_f32({1, 6, 1, 1})}, {{"blocksize", I(2)}}), "not a multiple"));
}

TEST_CASE("Split by hand: equal pieces, a smaller last piece, sizes with -1, inner axis") {
  auto r = run_op("Split", {iota_f32({6})}, {{"num_outputs", I(3)}}, 3);
  REQUIRE(r.is_ok());
  CHECK(r.value()[2].to_float_vector() == std::vector<float>{4, 5});
  r = run_op("Split", {iota_f32({5})}, {}, 2);
  REQUIRE(r.is_ok());
  CHECK(r.value()[0].to_float_vector() == std::vector<float>{0, 1, 2});
  CHECK(r.value()[1].to_float_vector() == std::vector<float>{3, 4});
  r = run_op("Split", {iota_f32({4}), i64({2}, {1, -1})}, {}, 2);
  REQUIRE(r.is_ok());
  CHECK(r.value()[1].to_float_vector() == std::vector<float>{1, 2, 3});
  r = run_op("Split", {iota_f32({2, 3}), i64({2}, {2, 1})}, {{"axis", I(1)}}, 2);
  REQUIRE(r.is_ok());
  CHECK(r.value()[0].to_float_vector() == std::vector<float>{0, 1, 3, 4});
  CHECK(r.value()[1].to_float_vector() == std::vector<float>{2, 5});
  CHECK(contains(run_op("Split", {iota_f32({4}), i64({2}, {1, 2})}, {}, 2).status().message(), "add up to 3"));
}

TEST_CASE("Range by hand: int and float, negative delta, empty") {
  CHECK(run1("Range", {i32({}, {1}), i32({}, {10}), i32({}, {3})}).to_int64_vector() == std::vector<int64_t>{1, 4, 7});
  CHECK(run1("Range", {f32({}, {0}), f32({}, {1}), f32({}, {0.25f})}).to_float_vector() ==
        std::vector<float>{0, 0.25f, 0.5f, 0.75f});
  CHECK(run1("Range", {i64({}, {5}), i64({}, {1}), i64({}, {-2})}).to_int64_vector() == std::vector<int64_t>{5, 3});
  CHECK(run1("Range", {i32({}, {3}), i32({}, {1}), i32({}, {1})}).shape() == Shape{0});
  CHECK(contains(run_error("Range", {i32({}, {0}), i32({}, {1}), i32({}, {0})}), "delta must be non-zero"));
}
