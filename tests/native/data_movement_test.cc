// Concat, Transpose, Gather, Slice, Pad: the references against hand-worked examples (mostly the ONNX
// spec's own), the fast paths against the references on random shapes and dtypes (exact: nothing is
// computed, so results must match bit for bit), and the errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "ops/concat.h"
#include "ops/gather.h"
#include "ops/kernel.h"
#include "ops/pad.h"
#include "ops/slice.h"
#include "ops/transpose.h"
#include "support/single_node.h"

using namespace webcnn;
using namespace webcnn::single_node;
using namespace webcnn::data_movement;

namespace {

// Random bytes in a tensor of the given dtype; bools/uint8 too, since the ops only move bytes.
Tensor random_tensor(std::mt19937& rng, DataType dt, const Shape& shape) {
  Tensor t(dt, shape);
  auto* p = static_cast<uint8_t*>(t.raw());
  for (size_t i = 0; i < t.bytes(); ++i) p[i] = static_cast<uint8_t>(rng());
  return t;
}
bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() && std::memcmp(a.raw(), b.raw(), a.bytes()) == 0;
}
int64_t pick(std::mt19937& rng, int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); }
DataType pick_dtype(std::mt19937& rng) {
  static const DataType kTypes[] = {DataType::kFloat32, DataType::kUInt8, DataType::kInt64, DataType::kInt32};
  return kTypes[pick(rng, 0, 3)];
}
Shape random_shape(std::mt19937& rng, size_t rank, int64_t max_dim) {
  Shape s(rank);
  for (auto& d : s) d = pick(rng, 1, max_dim);
  return s;
}

}  // namespace

// ------------------------------------------------------------------------------------------------ Concat

TEST_CASE("Concat: hand-worked axes, negative axis, zero-size inputs, any dtype") {
  Tensor a = floats({2, 2}, {1, 2, 3, 4}), b = floats({2, 1}, {5, 6}), c = floats({1, 2}, {7, 8});
  auto r1 = run_node(make_node("Concat", {{"axis", Attribute::of_int(-1)}}), {var(a), var(b)});
  REQUIRE(r1.is_ok());
  CHECK(r1.value()[0].shape() == Shape{2, 3});
  CHECK(values<float>(r1.value()[0]) == std::vector<float>{1, 2, 5, 3, 4, 6});
  auto r0 = run_node(make_node("Concat", {{"axis", Attribute::of_int(0)}}), {var(a), konst(c)});
  REQUIRE(r0.is_ok());
  CHECK(values<float>(r0.value()[0]) == std::vector<float>{1, 2, 3, 4, 7, 8});
  auto empty = run_node(make_node("Concat", {{"axis", Attribute::of_int(1)}}),
                        {var(Tensor(DataType::kFloat32, {2, 0})), var(a)});
  REQUIRE(empty.is_ok());
  CHECK(values<float>(empty.value()[0]) == values<float>(a));
  auto ints =
      run_node(make_node("Concat", {{"axis", Attribute::of_int(0)}}), {var(i64({1}, {-5})), var(i64({2}, {6, 7}))});
  REQUIRE(ints.is_ok());
  CHECK(values<int64_t>(ints.value()[0]) == std::vector<int64_t>{-5, 6, 7});

  CHECK(error_mentions(run_node(make_node("Concat", {{"axis", Attribute::of_int(1)}}), {var(a), var(c)}).status(),
                       "Concat 'n': input 1 has shape [1,2]"));
  CHECK(error_mentions(run_node(make_node("Concat", {{"axis", Attribute::of_int(2)}}), {var(a)}).status(),
                       "out of range"));
  CHECK(error_mentions(run_node(make_node("Concat"), {var(a)}).status(), "'axis' is required"));
  CHECK(error_mentions(
      run_node(make_node("Concat", {{"axis", Attribute::of_int(0)}}), {var(a), var(i64({1, 2}, {1, 2}))}).status(),
      "input 1 is int64"));
}

TEST_CASE("Concat fast path equals the reference on random shapes") {
  std::mt19937 rng(11);
  for (int iter = 0; iter < 200; ++iter) {
    const size_t rank = static_cast<size_t>(pick(rng, 1, 4));
    const Shape base = random_shape(rng, rank, 5);
    const int64_t axis = pick(rng, 0, static_cast<int64_t>(rank) - 1);
    const DataType dt = pick_dtype(rng);
    std::vector<Tensor> ins;
    std::vector<Shape> shapes;
    std::vector<const void*> ptrs;
    for (int64_t j = 0, n = pick(rng, 1, 4); j < n; ++j) {
      Shape s = base;
      s[static_cast<size_t>(axis)] = pick(rng, 0, 4);
      ins.push_back(random_tensor(rng, dt, s));
      shapes.push_back(s);
    }
    for (const Tensor& t : ins) ptrs.push_back(t.raw());
    Shape out_shape = concat_shape(shapes, axis).value();
    Tensor fast(dt, out_shape), ref(dt, out_shape);
    concat(ptrs, shapes, axis, fast.raw(), dtype_size(dt));
    reference::concat(ptrs, shapes, axis, ref.raw(), dtype_size(dt));
    REQUIRE(same_bytes(fast, ref));
  }
}

// --------------------------------------------------------------------------------------------- Transpose

TEST_CASE("Transpose: hand-worked NCHW<->NHWC, default perm, invalid perms") {
  // [1,2,2,3] NCHW: channel c holds c*6 + h*3 + w. NHWC element (h,w,c) = c*6 + h*3 + w.
  Tensor x = iota({1, 2, 2, 3});
  auto nhwc = run_node(make_node("Transpose", {{"perm", Attribute::of_ints({0, 2, 3, 1})}}), {var(x)});
  REQUIRE(nhwc.is_ok());
  CHECK(nhwc.value()[0].shape() == Shape{1, 2, 3, 2});
  CHECK(values<float>(nhwc.value()[0]) == std::vector<float>{0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11});
  auto back = run_node(make_node("Transpose", {{"perm", Attribute::of_ints({0, 3, 1, 2})}}), {var(nhwc.value()[0])});
  REQUIRE(back.is_ok());
  CHECK(values<float>(back.value()[0]) == values<float>(x));
  auto def = run_node(make_node("Transpose"), {var(floats({2, 3}, {1, 2, 3, 4, 5, 6}))});
  REQUIRE(def.is_ok());
  CHECK(def.value()[0].shape() == Shape{3, 2});
  CHECK(values<float>(def.value()[0]) == std::vector<float>{1, 4, 2, 5, 3, 6});
  CHECK(error_mentions(
      run_node(make_node("Transpose", {{"perm", Attribute::of_ints({0, 0})}}), {var(iota({2, 2}))}).status(),
      "Transpose 'n': perm [0,0] is not a permutation"));
  CHECK(error_mentions(
      run_node(make_node("Transpose", {{"perm", Attribute::of_ints({1, 0})}}), {var(iota({2, 2, 2}))}).status(),
      "entries for an input of rank 3"));
}

TEST_CASE("Transpose fast path equals the reference on random shapes, perms and dtypes") {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 400; ++iter) {
    const size_t rank = static_cast<size_t>(pick(rng, 1, 5));
    Shape shape = random_shape(rng, rank, rank <= 2 ? 40 : 9);
    if (iter % 10 == 0) shape[0] = 1;  // size-1 dims get dropped by the simplifier
    std::vector<int64_t> perm(rank);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    if (rank == 4 && iter % 3 == 0)
      perm = iter % 2 ? std::vector<int64_t>{0, 2, 3, 1} : std::vector<int64_t>{0, 3, 1, 2};
    const DataType dt = pick_dtype(rng);
    Tensor x = random_tensor(rng, dt, shape);
    const Shape out_shape = transpose_shape(shape, perm);
    Tensor fast(dt, out_shape), ref(dt, out_shape);
    transpose(x.raw(), shape, perm, fast.raw(), dtype_size(dt));
    reference::transpose(x.raw(), shape, perm, ref.raw(), dtype_size(dt));
    INFO("shape " << shape_to_string(shape) << " perm " << shape_to_string(perm));
    REQUIRE(same_bytes(fast, ref));
  }
  // A realistic activation, larger than one tile in both directions and not a multiple of it.
  Tensor big = random_tensor(rng, DataType::kFloat32, {2, 35, 19, 23});
  for (std::vector<int64_t> perm : {std::vector<int64_t>{0, 2, 3, 1}, std::vector<int64_t>{0, 3, 1, 2}}) {
    const Shape out_shape = transpose_shape(big.shape(), perm);
    Tensor fast(DataType::kFloat32, out_shape), ref(DataType::kFloat32, out_shape);
    transpose(big.raw(), big.shape(), perm, fast.raw(), 4);
    reference::transpose(big.raw(), big.shape(), perm, ref.raw(), 4);
    CHECK(same_bytes(fast, ref));
  }
}

// ------------------------------------------------------------------------------------------------ Gather

TEST_CASE("Gather: axis 0 and 1, negative and 2-D indices, int32 indices") {
  Tensor data = floats({3, 2}, {1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f});
  auto rows = run_node(make_node("Gather"), {var(data), konst(i64({2, 2}, {0, 1, 1, 2}))});
  REQUIRE(rows.is_ok());
  CHECK(rows.value()[0].shape() == Shape{2, 2, 2});
  CHECK(values<float>(rows.value()[0]) == std::vector<float>{1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f});
  auto cols = run_node(make_node("Gather", {{"axis", Attribute::of_int(-1)}}), {var(data), var(i32({1}, {-1}))});
  REQUIRE(cols.is_ok());
  CHECK(cols.value()[0].shape() == Shape{3, 1});
  CHECK(values<float>(cols.value()[0]) == std::vector<float>{1.2f, 3.4f, 5.7f});
  auto scalar = run_node(make_node("Gather"), {var(data), var(i64({}, {-3}))});
  REQUIRE(scalar.is_ok());
  CHECK(scalar.value()[0].shape() == Shape{2});
  CHECK(values<float>(scalar.value()[0]) == std::vector<float>{1.0f, 1.2f});
}

TEST_CASE("Gather: an out-of-range index is a run-time error naming the node, never a read") {
  Tensor data = iota({3, 2});
  for (int64_t bad : std::vector<int64_t>{3, -4, INT64_MAX, INT64_MIN}) {
    auto r = run_node(make_node("Gather"), {var(data), var(i64({2}, {0, bad}))});
    CHECK(error_mentions(r.status(), "Gather 'n': index " + std::to_string(bad) + " is out of range"));
    Tensor out(DataType::kFloat32, {2, 2});
    Tensor idx = i64({2}, {0, bad});
    CHECK_FALSE(reference::gather(data.raw(), data.shape(), 0, idx.raw(), DataType::kInt64, 2, out.raw(), 4).is_ok());
  }
  CHECK(error_mentions(run_node(make_node("Gather"), {var(data), var(floats({1}, {0}))}).status(), "int64 or int32"));
  CHECK(error_mentions(
      run_node(make_node("Gather", {{"axis", Attribute::of_int(2)}}), {var(data), var(i64({1}, {0}))}).status(),
      "out of range for rank 2"));
}

TEST_CASE("Gather fast path equals the reference on random shapes") {
  std::mt19937 rng(5);
  for (int iter = 0; iter < 200; ++iter) {
    const size_t rank = static_cast<size_t>(pick(rng, 1, 4));
    const Shape shape = random_shape(rng, rank, 6);
    const int64_t axis = pick(rng, 0, static_cast<int64_t>(rank) - 1), dim = shape[static_cast<size_t>(axis)];
    const DataType dt = pick_dtype(rng), it = iter % 2 ? DataType::kInt32 : DataType::kInt64;
    Tensor x = random_tensor(rng, dt, shape);
    Tensor idx(it, random_shape(rng, static_cast<size_t>(pick(rng, 0, 2)), 4));
    for (int64_t i = 0; i < idx.size(); ++i) {
      const int64_t v = pick(rng, -dim, dim - 1);
      if (it == DataType::kInt32) idx.data<int32_t>()[i] = static_cast<int32_t>(v);
      else idx.data<int64_t>()[i] = v;
    }
    Shape out_shape(shape.begin(), shape.begin() + axis);
    out_shape.insert(out_shape.end(), idx.shape().begin(), idx.shape().end());
    out_shape.insert(out_shape.end(), shape.begin() + axis + 1, shape.end());
    Tensor fast(dt, out_shape), ref(dt, out_shape);
    REQUIRE(gather(x.raw(), shape, axis, idx.raw(), it, idx.size(), fast.raw(), dtype_size(dt)).is_ok());
    REQUIRE(reference::gather(x.raw(), shape, axis, idx.raw(), it, idx.size(), ref.raw(), dtype_size(dt)).is_ok());
    REQUIRE(same_bytes(fast, ref));
  }
}

// ------------------------------------------------------------------------------------------------- Slice

TEST_CASE("Slice: ONNX examples, negative values, clamping, INT_MAX ends, negative steps") {
  Tensor data = floats({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  auto run = [&](const Tensor& x, std::vector<int64_t> starts, std::vector<int64_t> ends, std::vector<int64_t> axes,
                 std::vector<int64_t> steps) {
    std::vector<Arg> args = {var(x), konst(i64({static_cast<int64_t>(starts.size())}, starts)),
                             konst(i64({static_cast<int64_t>(ends.size())}, ends))};
    args.push_back(axes.empty() ? absent() : konst(i64({static_cast<int64_t>(axes.size())}, axes)));
    args.push_back(steps.empty() ? absent() : konst(i64({static_cast<int64_t>(steps.size())}, steps)));
    return run_node(make_node("Slice"), args);
  };
  // The spec's examples.
  auto a = run(data, {1, 0}, {2, 3}, {0, 1}, {1, 2});
  REQUIRE(a.is_ok());
  CHECK(a.value()[0].shape() == Shape{1, 2});
  CHECK(values<float>(a.value()[0]) == std::vector<float>{5, 7});
  auto b = run(data, {0, 1}, {-1, 1000}, {}, {});
  REQUIRE(b.is_ok());
  CHECK(values<float>(b.value()[0]) == std::vector<float>{2, 3, 4});
  // Reverse every row: start -1, end "before the beginning", step -1.
  auto rev = run(data, {-1}, {INT64_MIN}, {1}, {-1});
  REQUIRE(rev.is_ok());
  CHECK(values<float>(rev.value()[0]) == std::vector<float>{4, 3, 2, 1, 8, 7, 6, 5});
  // Step -3 from 3: elements 3, 0 of each row.
  auto step3 = run(data, {10}, {-10}, {-1}, {-3});
  REQUIRE(step3.is_ok());
  CHECK(values<float>(step3.value()[0]) == std::vector<float>{4, 1, 8, 5});
  // INT_MAX end, int32 inputs too.
  auto i32_args = run_node(make_node("Slice"),
                           {var(data), konst(i32({1}, {2})), konst(i32({1}, {INT32_MAX})), konst(i32({1}, {1}))});
  REQUIRE(i32_args.is_ok());
  CHECK(values<float>(i32_args.value()[0]) == std::vector<float>{3, 4, 7, 8});
  // Extreme steps take one element without overflowing.
  auto huge = run(data, {0}, {4}, {1}, {INT64_MAX});
  REQUIRE(huge.is_ok());
  CHECK(values<float>(huge.value()[0]) == std::vector<float>{1, 5});
  auto huge_neg = run(data, {-1}, {INT64_MIN}, {1}, {INT64_MIN});
  REQUIRE(huge_neg.is_ok());
  CHECK(values<float>(huge_neg.value()[0]) == std::vector<float>{4, 8});
  // A start past the end gives an empty axis.
  auto empty = run(data, {1000}, {1001}, {1}, {});
  REQUIRE(empty.is_ok());
  CHECK(empty.value()[0].shape() == Shape{2, 0});

  CHECK(error_mentions(run(data, {0}, {1}, {1}, {0}).status(), "Slice 'n': step for axis 1 is 0"));
  CHECK(error_mentions(run(data, {0, 0}, {1, 1}, {1, -1}, {}).status(), "listed twice"));
  CHECK(error_mentions(run(data, {0}, {1}, {2}, {}).status(), "out of range"));
  CHECK(error_mentions(run_node(make_node("Slice"), {var(data), var(i64({1}, {0})), konst(i64({1}, {1}))}).status(),
                       "starts must be a constant"));
}

TEST_CASE("Slice fast path equals the reference on random plans") {
  std::mt19937 rng(3);
  for (int iter = 0; iter < 300; ++iter) {
    const size_t rank = static_cast<size_t>(pick(rng, 1, 4));
    const Shape shape = random_shape(rng, rank, 7);
    std::vector<int64_t> starts, ends, axes, steps;
    for (size_t i = 0; i < rank; ++i) {
      if (pick(rng, 0, 2) == 0) continue;
      axes.push_back(static_cast<int64_t>(i) - (pick(rng, 0, 1) ? static_cast<int64_t>(rank) : 0));
      starts.push_back(pick(rng, -9, 9));
      ends.push_back(pick(rng, 0, 5) == 0 ? (pick(rng, 0, 1) ? INT64_MAX : INT64_MIN) : pick(rng, -9, 9));
      int64_t step = pick(rng, -3, 3);
      steps.push_back(step == 0 ? 1 : step);
    }
    const DataType dt = pick_dtype(rng);
    Tensor x = random_tensor(rng, dt, shape);
    auto plan = slice_plan(shape, starts, ends, axes, steps);
    REQUIRE(plan.is_ok());
    Shape out_shape;
    for (const SliceAxis& a : plan.value()) out_shape.push_back(a.count);
    Tensor fast(dt, out_shape), ref(dt, out_shape);
    slice(x.raw(), shape, plan.value(), fast.raw(), dtype_size(dt));
    reference::slice(x.raw(), shape, plan.value(), ref.raw(), dtype_size(dt));
    REQUIRE(same_bytes(fast, ref));
  }
}

// --------------------------------------------------------------------------------------------------- Pad

TEST_CASE("Pad: the spec's constant, reflect and edge examples, wrap, crop, axes, constant_value") {
  Tensor x = floats({3, 2}, {1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f});
  auto pad = [&](const char* mode, std::vector<int64_t> pads, std::vector<Arg> extra = {}) {
    std::vector<Arg> args = {var(x), konst(i64({static_cast<int64_t>(pads.size())}, pads))};
    for (Arg& a : extra) args.push_back(std::move(a));
    return run_node(make_node("Pad", {{"mode", Attribute::of_string(mode)}}), args);
  };
  auto c = pad("constant", {0, 2, 0, 0});
  REQUIRE(c.is_ok());
  CHECK(c.value()[0].shape() == Shape{3, 4});
  CHECK(values<float>(c.value()[0]) == std::vector<float>{0, 0, 1.0f, 1.2f, 0, 0, 2.3f, 3.4f, 0, 0, 4.5f, 5.7f});
  auto r = pad("reflect", {0, 2, 0, 0});
  REQUIRE(r.is_ok());
  CHECK(values<float>(r.value()[0]) ==
        std::vector<float>{1.0f, 1.2f, 1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f, 4.5f, 5.7f});
  auto e = pad("edge", {0, 2, 0, 0});
  REQUIRE(e.is_ok());
  CHECK(values<float>(e.value()[0]) ==
        std::vector<float>{1.0f, 1.0f, 1.0f, 1.2f, 2.3f, 2.3f, 2.3f, 3.4f, 4.5f, 4.5f, 4.5f, 5.7f});
  // wrap on rows: one row before (the last), one after (the first).
  auto w = pad("wrap", {1, 0, 1, 0});
  REQUIRE(w.is_ok());
  CHECK(values<float>(w.value()[0]) == std::vector<float>{4.5f, 5.7f, 1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f, 1.0f, 1.2f});
  // Negative pads crop: drop the first row, add a column of 9 at the end.
  auto crop = pad("constant", {-1, 0, 0, 1}, {konst(floats({}, {9}))});
  REQUIRE(crop.is_ok());
  CHECK(values<float>(crop.value()[0]) == std::vector<float>{2.3f, 3.4f, 9, 4.5f, 5.7f, 9});
  // opset 18 axes: pad only axis -1 (one before, one after), value 7.
  auto ax = pad("constant", {1, 1}, {konst(floats({1}, {7})), konst(i64({1}, {-1}))});
  REQUIRE(ax.is_ok());
  CHECK(ax.value()[0].shape() == Shape{3, 4});
  CHECK(values<float>(ax.value()[0])[0] == 7);
  CHECK(values<float>(ax.value()[0])[1] == 1.0f);
  CHECK(values<float>(ax.value()[0])[3] == 7);
  // Int data with an int constant.
  auto ints = run_node(make_node("Pad"), {var(i64({2}, {5, 6})), konst(i64({2}, {1, 2})), konst(i64({}, {-1}))});
  REQUIRE(ints.is_ok());
  CHECK(values<int64_t>(ints.value()[0]) == std::vector<int64_t>{-1, 5, 6, -1, -1});

  CHECK(error_mentions(pad("constant", {0, 2, 0}).status(), "Pad 'n': pads has 3 entries, expected 4"));
  CHECK(error_mentions(pad("constant", {-2, 0, -2, 0}).status(), "crop more than"));
  CHECK(error_mentions(pad("mirror", {0, 0, 0, 0}).status(), "unknown mode 'mirror'"));
  CHECK(error_mentions(pad("constant", {0, INT64_MAX, 0, 0}).status(), "out of range"));
  CHECK(error_mentions(pad("constant", {0, int64_t{1} << 30, 0, int64_t{1} << 30}).status(), "2^31-1"));
  CHECK(error_mentions(pad("constant", {0, 0, 0, 0}, {konst(i64({}, {1}))}).status(), "constant_value is int64"));
  CHECK(error_mentions(run_node(make_node("Pad", {{"mode", Attribute::of_string("edge")}}),
                                {var(Tensor(DataType::kFloat32, {0, 2})), konst(i64({4}, {1, 0, 0, 0}))})
                           .status(),
                       "nothing left to pad from"));
}

TEST_CASE("Pad source index: reflect and wrap beyond one period, crop then pad") {
  PadAxis a;  // input [a b c] (size 3), 4 before, 4 after: out size 11
  a.in_dim = 3;
  a.keep_begin = 0;
  a.keep = 3;
  a.before = 4;
  a.out_dim = 11;
  // Reflect (numpy 'reflect'): ... c b a b c b a ... around index 0 -> out = [a? ] worked by hand:
  // positions -4..6 map to 0 1 2 1 | 0 1 2 | 1 0 1 2.
  std::vector<int64_t> reflect, wrap, edge;
  for (int64_t o = 0; o < 11; ++o) {
    reflect.push_back(pad_source_index(a, o, PadMode::kReflect));
    wrap.push_back(pad_source_index(a, o, PadMode::kWrap));
    edge.push_back(pad_source_index(a, o, PadMode::kEdge));
  }
  CHECK(reflect == std::vector<int64_t>{0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2});
  CHECK(wrap == std::vector<int64_t>{2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0});
  CHECK(edge == std::vector<int64_t>{0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2});
  // pads (+1, -2) on [a b c d] in reflect mode: crop to [a b], then reflect one before: b a b.
  auto plan = pad_plan({4}, {1, -2}, {}, PadMode::kReflect);
  REQUIRE(plan.is_ok());
  std::vector<int64_t> got;
  for (int64_t o = 0; o < plan.value()[0].out_dim; ++o)
    got.push_back(pad_source_index(plan.value()[0], o, PadMode::kReflect));
  CHECK(got == std::vector<int64_t>{1, 0, 1});
}

TEST_CASE("Pad fast path equals the reference on random shapes and modes") {
  std::mt19937 rng(9);
  for (int iter = 0; iter < 300; ++iter) {
    const size_t rank = static_cast<size_t>(pick(rng, 0, 4));
    const Shape shape = random_shape(rng, rank, 6);
    const PadMode mode = static_cast<PadMode>(pick(rng, 0, 3));
    std::vector<int64_t> pads(2 * rank);
    for (size_t i = 0; i < rank; ++i) {
      pads[i] = pick(rng, -1, 4);
      pads[i + rank] = pick(rng, -1, 4);
      if (shape[i] + std::min<int64_t>(pads[i], 0) + std::min<int64_t>(pads[i + rank], 0) < 1)
        pads[i] = pads[i + rank] = 1;
    }
    const DataType dt = pick_dtype(rng);
    Tensor x = random_tensor(rng, dt, shape), value = random_tensor(rng, dt, {});
    auto plan = pad_plan(shape, pads, {}, mode);
    REQUIRE(plan.is_ok());
    Shape out_shape;
    for (const PadAxis& a : plan.value()) out_shape.push_back(a.out_dim);
    Tensor fast(dt, out_shape), ref(dt, out_shape);
    pad(x.raw(), plan.value(), mode, value.raw(), fast.raw(), dtype_size(dt));
    reference::pad(x.raw(), plan.value(), mode, value.raw(), ref.raw(), dtype_size(dt));
    INFO("shape " << shape_to_string(shape) << " pads " << shape_to_string(pads));
    REQUIRE(same_bytes(fast, ref));
  }
}
