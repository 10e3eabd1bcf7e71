// Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout, Shape, Size, Expand, ConstantOfShape, Constant:
// the shape rules against hand-worked ONNX examples, the kernels' copies, the planner's aliasing, errors.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "ops/kernel.h"
#include "ops/shape_ops.h"
#include "passes/shape_inference.h"
#include "runtime/execution_plan.h"
#include "support/single_node.h"

using namespace webcnn;
using namespace webcnn::single_node;

TEST_CASE("Reshape shape rules: 0 copies, -1 infers, allowzero keeps zeros") {
  using shape_ops::reshape_shape;
  CHECK(reshape_shape({2, 3, 4}, {4, -1}, false).value() == Shape{4, 6});
  CHECK(reshape_shape({2, 3, 4}, {0, -1}, false).value() == Shape{2, 12});
  CHECK(reshape_shape({2, 3, 4}, {0, 0, 4}, false).value() == Shape{2, 3, 4});
  CHECK(reshape_shape({2, 3, 4}, {-1}, false).value() == Shape{24});
  CHECK(reshape_shape({2, 3, 4}, {2, 3, 4, 1, 1}, false).value() == Shape{2, 3, 4, 1, 1});
  CHECK(reshape_shape({1}, {}, false).value() == Shape{});
  // allowzero: 0 is a real zero-sized dim (ONNX test_reshape_allowzero_reordered).
  CHECK(reshape_shape({0, 3, 4}, {3, 4, 0}, true).value() == Shape{3, 4, 0});
  CHECK(reshape_shape({0, 3, 4}, {3, 4, 0}, false).status().message().find("cannot reshape") != std::string::npos);
  CHECK_FALSE(reshape_shape({2, 3}, {-1, -1}, false).is_ok());
  CHECK_FALSE(reshape_shape({2, 3}, {4, -1}, false).is_ok());  // 6 is not a multiple of 4
  CHECK_FALSE(reshape_shape({2, 3}, {7}, false).is_ok());
  CHECK_FALSE(reshape_shape({2, 3}, {-2, 3}, false).is_ok());
  CHECK_FALSE(reshape_shape({2, 3}, {2, 3, 0}, false).is_ok());  // copies a dim the input lacks
  CHECK_FALSE(reshape_shape({0, 3}, {0, -1}, true).is_ok());     // -1 with a zero: ambiguous
  CHECK_FALSE(reshape_shape({2}, {int64_t{1} << 40, int64_t{1} << 40}, false).is_ok());
}

TEST_CASE("Reshape kernel: int32 or int64 shape, copies bytes, refuses a non-constant shape") {
  Tensor x = iota({2, 3});
  auto r = run_node(make_node("Reshape"), {var(x), konst(i64({2}, {3, -1}))});
  REQUIRE(r.is_ok());
  CHECK(r.value()[0].shape() == Shape{3, 2});
  CHECK(values<float>(r.value()[0]) == values<float>(x));
  auto r32 = run_node(make_node("Reshape"), {var(x), konst(i32({1}, {-1}))});
  REQUIRE(r32.is_ok());
  CHECK(r32.value()[0].shape() == Shape{6});
  auto bad = run_node(make_node("Reshape"), {var(x), var(i64({2}, {3, 2}))});
  CHECK(error_mentions(bad.status(), "Reshape 'n': shape must be a constant"));
  auto bad_dtype = run_node(make_node("Reshape"), {var(x), konst(floats({2}, {3, 2}))});
  CHECK(error_mentions(bad_dtype.status(), "int64 or int32"));
  auto bad_count = run_node(make_node("Reshape"), {var(x), konst(i64({1}, {7}))});
  CHECK(error_mentions(bad_count.status(), "Reshape 'n': cannot reshape [2,3]"));
}

TEST_CASE("Flatten: axis splits outer and inner, negative axis counts from the end") {
  using shape_ops::flatten_shape;
  CHECK(flatten_shape({2, 3, 4, 5}, 0).value() == Shape{1, 120});
  CHECK(flatten_shape({2, 3, 4, 5}, 1).value() == Shape{2, 60});
  CHECK(flatten_shape({2, 3, 4, 5}, 4).value() == Shape{120, 1});
  CHECK(flatten_shape({2, 3, 4, 5}, -1).value() == Shape{24, 5});
  CHECK(flatten_shape({2, 3, 4, 5}, -4).value() == Shape{1, 120});
  CHECK_FALSE(flatten_shape({2, 3}, 3).is_ok());
  CHECK_FALSE(flatten_shape({2, 3}, -3).is_ok());
  auto r = run_node(make_node("Flatten", {{"axis", Attribute::of_int(2)}}), {var(iota({2, 3, 4}))});
  REQUIRE(r.is_ok());
  CHECK(r.value()[0].shape() == Shape{6, 4});
  CHECK(values<float>(r.value()[0])[23] == 23.0f);
}

TEST_CASE("Squeeze and Unsqueeze: axes input, negative axes, errors") {
  using shape_ops::squeeze_shape;
  using shape_ops::unsqueeze_shape;
  std::vector<int64_t> a0 = {0}, aneg = {-2}, twice = {0, -4}, not_one = {1};
  CHECK(squeeze_shape({1, 3, 1, 5}, nullptr).value() == Shape{3, 5});
  CHECK(squeeze_shape({1, 3, 1, 5}, &a0).value() == Shape{3, 1, 5});
  CHECK(squeeze_shape({1, 3, 1, 5}, &aneg).value() == Shape{1, 3, 5});
  CHECK_FALSE(squeeze_shape({1, 3, 1, 5}, &twice).is_ok());
  CHECK(squeeze_shape({1, 3, 1, 5}, &not_one).status().message().find("not 1") != std::string::npos);
  // ONNX examples: [3,4,5] with axes [0,4] -> [1,3,4,5,1]; unsorted [5,4,2] -> [3,4,1,5,1,1].
  CHECK(unsqueeze_shape({3, 4, 5}, {0, 4}).value() == Shape{1, 3, 4, 5, 1});
  CHECK(unsqueeze_shape({3, 4, 5}, {5, 4, 2}).value() == Shape{3, 4, 1, 5, 1, 1});
  CHECK(unsqueeze_shape({1, 3, 1, 5}, {-2}).value() == Shape{1, 3, 1, 1, 5});
  CHECK(unsqueeze_shape({}, {0}).value() == Shape{1});
  CHECK_FALSE(unsqueeze_shape({3}, {2}).is_ok());
  CHECK_FALSE(unsqueeze_shape({3}, {1, 1}).is_ok());

  auto all = run_node(make_node("Squeeze"), {var(iota({1, 3, 1}))});
  REQUIRE(all.is_ok());
  CHECK(all.value()[0].shape() == Shape{3});
  auto absent_axes = run_node(make_node("Squeeze"), {var(iota({1, 3, 1})), absent()});
  REQUIRE(absent_axes.is_ok());
  CHECK(absent_axes.value()[0].shape() == Shape{3});
  auto un = run_node(make_node("Unsqueeze"), {var(iota({3})), konst(i32({2}, {0, -1}))});
  REQUIRE(un.is_ok());
  CHECK(un.value()[0].shape() == Shape{1, 3, 1});
  CHECK(error_mentions(run_node(make_node("Unsqueeze"), {var(iota({3}))}).status(), "Unsqueeze 'n'"));
}

TEST_CASE("Identity and Dropout copy; Dropout's mask is all true; training mode is refused") {
  Tensor x = floats({2, 2}, {1, -2, 3, -4});
  auto id = run_node(make_node("Identity"), {var(x)});
  REQUIRE(id.is_ok());
  CHECK(values<float>(id.value()[0]) == values<float>(x));
  auto d = run_node(make_node("Dropout"), {var(x), konst(floats({}, {0.5f}))}, 2);
  REQUIRE(d.is_ok());
  CHECK(values<float>(d.value()[0]) == values<float>(x));
  CHECK(d.value()[1].dtype() == DataType::kBool);
  CHECK(values<uint8_t>(d.value()[1]) == std::vector<uint8_t>{1, 1, 1, 1});
  Tensor yes(DataType::kBool, {});
  yes.data<uint8_t>()[0] = 1;
  auto training = run_node(make_node("Dropout"), {var(x), konst(floats({}, {0.5f})), konst(yes)});
  CHECK(error_mentions(training.status(), "unsupported: training mode"));
  auto zero_ratio = run_node(make_node("Dropout"), {var(x), konst(floats({}, {0.0f})), konst(yes)}, 2);
  CHECK(zero_ratio.is_ok());
}

TEST_CASE("Shape with start/end, Size") {
  using shape_ops::shape_slice;
  const Shape s = {3, 4, 5};
  CHECK(shape_slice(s, 0, INT64_MAX) == std::vector<int64_t>{3, 4, 5});
  CHECK(shape_slice(s, 1, INT64_MAX) == std::vector<int64_t>{4, 5});
  CHECK(shape_slice(s, 0, -1) == std::vector<int64_t>{3, 4});
  CHECK(shape_slice(s, -1, INT64_MAX) == std::vector<int64_t>{5});
  CHECK(shape_slice(s, -10, 10) == std::vector<int64_t>{3, 4, 5});  // clipped
  CHECK(shape_slice(s, 2, 1).empty());
  auto r = run_node(make_node("Shape", {{"start", Attribute::of_int(1)}}), {var(iota({3, 4, 5}))});
  REQUIRE(r.is_ok());
  CHECK(r.value()[0].dtype() == DataType::kInt64);
  CHECK(values<int64_t>(r.value()[0]) == std::vector<int64_t>{4, 5});
  auto sz = run_node(make_node("Size"), {var(iota({3, 4, 5}))});
  REQUIRE(sz.is_ok());
  CHECK(sz.value()[0].shape() == Shape{});
  CHECK(values<int64_t>(sz.value()[0]) == std::vector<int64_t>{60});
}

TEST_CASE("Expand broadcasts both ways; ConstantOfShape fills") {
  // [3,1] expanded with [2,1,6] -> [2,3,6]: row r of every block holds value r.
  auto r = run_node(make_node("Expand"), {var(floats({3, 1}, {1, 2, 3})), konst(i64({3}, {2, 1, 6}))});
  REQUIRE(r.is_ok());
  CHECK(r.value()[0].shape() == Shape{2, 3, 6});
  const std::vector<float> v = values<float>(r.value()[0]);
  CHECK(v[0] == 1);
  CHECK(v[5] == 1);
  CHECK(v[6] == 2);
  CHECK(v[17] == 3);
  CHECK(v[18] == 1);
  // Smaller requested shape: the input's dims win (ONNX test_expand_dim_unchanged).
  auto same = run_node(make_node("Expand"), {var(floats({3, 1}, {1, 2, 3})), konst(i64({1}, {4}))});
  REQUIRE(same.is_ok());
  CHECK(same.value()[0].shape() == Shape{3, 4});
  CHECK(error_mentions(run_node(make_node("Expand"), {var(iota({3, 2})), konst(i64({1}, {4}))}).status(),
                       "do not broadcast"));

  auto z = run_node(make_node("ConstantOfShape"), {konst(i64({2}, {2, 3}))});
  REQUIRE(z.is_ok());
  CHECK(values<float>(z.value()[0]) == std::vector<float>(6, 0.0f));
  auto seven = std::make_shared<Tensor>(i32({1}, {7}));
  auto f = run_node(make_node("ConstantOfShape", {{"value", Attribute::of_tensor(seven)}}), {konst(i64({1}, {3}))});
  REQUIRE(f.is_ok());
  CHECK(f.value()[0].dtype() == DataType::kInt32);
  CHECK(values<int32_t>(f.value()[0]) == std::vector<int32_t>{7, 7, 7});
  auto empty = run_node(make_node("ConstantOfShape"), {konst(i64({1}, {0}))});
  REQUIRE(empty.is_ok());
  CHECK(empty.value()[0].size() == 0);
}

TEST_CASE("Constant: tensor, scalar and list attributes; exactly one allowed") {
  auto t = std::make_shared<Tensor>(floats({2}, {1.5f, -2}));
  auto r = run_node(make_node("Constant", {{"value", Attribute::of_tensor(t)}}), {});
  REQUIRE(r.is_ok());
  CHECK(values<float>(r.value()[0]) == std::vector<float>{1.5f, -2});
  auto vi = run_node(make_node("Constant", {{"value_ints", Attribute::of_ints({4, 5, 6})}}), {});
  REQUIRE(vi.is_ok());
  CHECK(vi.value()[0].dtype() == DataType::kInt64);
  CHECK(values<int64_t>(vi.value()[0]) == std::vector<int64_t>{4, 5, 6});
  auto vf = run_node(make_node("Constant", {{"value_float", Attribute::of_float(0.25f)}}), {});
  REQUIRE(vf.is_ok());
  CHECK(vf.value()[0].shape() == Shape{});
  CHECK(values<float>(vf.value()[0]) == std::vector<float>{0.25f});
  auto two = run_node(
      make_node("Constant", {{"value_int", Attribute::of_int(1)}, {"value_float", Attribute::of_float(1)}}), {});
  CHECK(error_mentions(two.status(), "exactly one"));
  CHECK_FALSE(run_node(make_node("Constant"), {}).is_ok());
}

TEST_CASE("Planner aliases Reshape's output and still fills Dropout's mask") {
  // x -> Reshape -> Dropout(mask) -> outputs; Reshape runs as an alias, Dropout must run for its mask.
  Graph g;
  ValueId x = g.add_value("x");
  g.value(x).shape = {2, 3};
  g.value(x).has_shape = true;
  g.inputs = {x};
  ValueId shape = g.add_constant("shape", i64({1}, {6}));
  ValueId y = g.add_value("y"), z = g.add_value("z"), mask = g.add_value("mask");
  Node reshape = make_node("Reshape");
  reshape.name = "reshape";
  reshape.inputs = {x, shape};
  reshape.outputs = {y};
  Node dropout = make_node("Dropout");
  dropout.name = "dropout";
  dropout.inputs = {y};
  dropout.outputs = {z, mask};
  g.add_node(reshape);
  g.add_node(dropout);
  g.outputs = {z, mask};
  REQUIRE(infer_shapes_and_fold_constants(g).is_ok());
  auto plan = ExecutionPlan::build(g, size_t{1} << 20);
  REQUIRE(plan.is_ok());
  Tensor input = iota({2, 3});
  std::vector<Tensor> outputs;
  REQUIRE(plan.value()->run({&input}, outputs).is_ok());
  CHECK(outputs[0].shape() == Shape{6});
  CHECK(values<float>(outputs[0]) == values<float>(input));
  CHECK(values<uint8_t>(outputs[1]) == std::vector<uint8_t>(6, 1));
}
