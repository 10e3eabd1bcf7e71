// Broadcasting of shapes and the StridedLoop walker (ops/broadcast.h).
#include <doctest/doctest.h>

#include <random>

#include "eltwise_test_support.h"
#include "ops/broadcast.h"

using namespace webcnn;
using namespace webcnn::testing;

TEST_CASE("broadcast_shapes follows numpy rules (hand-computed)") {
  CHECK(broadcast_shapes({2, 3}, {3}).value() == Shape{2, 3});
  CHECK(broadcast_shapes({2, 1, 4}, {3, 1}).value() == Shape{2, 3, 4});
  CHECK(broadcast_shapes({}, {5}).value() == Shape{5});
  CHECK(broadcast_shapes({}, {}).value() == Shape{});
  CHECK(broadcast_shapes({1, 3, 1, 1}, {2, 3, 5, 7}).value() == Shape{2, 3, 5, 7});
  CHECK(broadcast_shapes({0, 3}, {1}).value() == Shape{0, 3});  // empty stays empty
  CHECK(broadcast_shapes({0}, {0}).value() == Shape{0});
}

TEST_CASE("broadcast_shapes names both shapes when they do not broadcast") {
  auto r = broadcast_shapes({2, 3}, {4});
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("[2,3]") != std::string::npos);
  CHECK(r.status().message().find("[4]") != std::string::npos);
  CHECK_FALSE(broadcast_shapes({0}, {3}).is_ok());  // 0 only meets 0 or 1
}

TEST_CASE("broadcast_shapes of several operands joins them all, or names every shape") {
  CHECK(broadcast_shapes(std::vector<Shape>{{2, 1}, {1, 3}, {3}}).value() == Shape{2, 3});
  CHECK(broadcast_shapes(std::vector<Shape>{{4}}).value() == Shape{4});
  CHECK(broadcast_shapes(std::vector<Shape>{}).value() == Shape{});
  auto r = broadcast_shapes(std::vector<Shape>{{2}, {1}, {3}});
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message() == "shapes [2] and [1] and [3] do not broadcast");
}

TEST_CASE("broadcasts_to is unidirectional") {
  CHECK(broadcasts_to({3}, {2, 3}));
  CHECK(broadcasts_to({1, 3, 1}, {2, 3, 4}));
  CHECK(broadcasts_to({}, {2, 3}));
  CHECK_FALSE(broadcasts_to({2, 3}, {3}));
  CHECK_FALSE(broadcasts_to({2}, {2, 3}));
  CHECK_FALSE(broadcasts_to({2, 3}, {1, 3}));
}

TEST_CASE("broadcast_source_offset maps output indices to operand offsets (hand-computed)") {
  // out [2,3,4], index (1,2,3) = 1*12 + 2*4 + 3 = 23; operand [3,1] reads (2,0) = offset 2.
  CHECK(broadcast_source_offset({3, 1}, {2, 3, 4}, 23) == 2);
  // operand [2,1,4] reads (1,0,3) = 1*4 + 3 = 7.
  CHECK(broadcast_source_offset({2, 1, 4}, {2, 3, 4}, 23) == 7);
  CHECK(broadcast_source_offset({}, {2, 3, 4}, 23) == 0);
  CHECK(broadcast_source_offset({2, 3, 4}, {2, 3, 4}, 23) == 23);
}

TEST_CASE("StridedLoop merges axes into the longest rows") {
  CHECK(binary_broadcast_loop({2, 3, 4, 5}, {2, 3, 4, 5}, {2, 3, 4, 5}).dims() == std::vector<int64_t>{120});
  CHECK(binary_broadcast_loop({2, 3, 4, 5}, {2, 3, 4, 5}, {}).dims() == std::vector<int64_t>{120});
  CHECK(binary_broadcast_loop({2, 3, 4, 5}, {2, 3, 4, 5}, {5}).dims() == std::vector<int64_t>{24, 5});  // NHWC bias
  CHECK(binary_broadcast_loop({2, 3, 4, 5}, {2, 3, 4, 5}, {1, 3, 1, 1}).dims() ==
        std::vector<int64_t>{2, 3, 20});  // NCHW bias
  CHECK(binary_broadcast_loop({2, 3, 4, 5}, {2, 3, 4, 5}, {2, 1, 1, 5}).dims() ==
        std::vector<int64_t>{2, 12, 5});  // SE scale
  CHECK(binary_broadcast_loop({1, 1}, {1, 1}, {1}).dims() == std::vector<int64_t>{1});
  CHECK(binary_broadcast_loop({}, {}, {}).row_length() == 1);
}

// Walks the loop and checks that row after row visits output element i with operand offsets equal to
// the naive broadcast_source_offset for i.
static void check_walk(const Shape& out, const Shape& a, const Shape& b) {
  CAPTURE(shape_to_string(out));
  CAPTURE(shape_to_string(a));
  CAPTURE(shape_to_string(b));
  StridedLoop<3> loop = binary_broadcast_loop(out, a, b);
  int64_t next = 0;
  bool ok = true;
  loop.for_each_row([&](const std::array<int64_t, 3>& off, int64_t n, const std::array<int64_t, 3>& step) {
    for (int64_t j = 0; j < n; ++j, ++next) {
      ok = ok && off[0] + j * step[0] == next;
      ok = ok && off[1] + j * step[1] == broadcast_source_offset(a, out, next);
      ok = ok && off[2] + j * step[2] == broadcast_source_offset(b, out, next);
    }
  });
  CHECK(ok);
  CHECK(next == num_elements(out));
}

TEST_CASE("StridedLoop visits every output element with the right operand offsets (random patterns)") {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 400; ++iter) {
    size_t rank = std::uniform_int_distribution<size_t>(0, 5)(rng);
    Shape out = random_shape(rng, rank, 5);
    // Each operand keeps a random suffix of the axes; each kept axis is randomly 1 or full.
    auto operand = [&]() {
      size_t r = std::uniform_int_distribution<size_t>(0, rank)(rng);
      Shape s(out.end() - static_cast<long>(r), out.end());
      for (auto& d : s)
        if (rng() % 2) d = 1;
      return s;
    };
    Shape a = operand(), b = operand();
    check_walk(out, a, b);
  }
  check_walk({3, 0, 2}, {3, 0, 2}, {1});  // empty: no rows
}
