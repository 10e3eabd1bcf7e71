// Transpose: the fast path, the naive reference the tests compare it with, and the kernel.
#include "ops/transpose.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "ops/element_copy.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {
namespace data_movement {

Result<std::vector<int64_t>> transpose_perm(size_t rank, const std::vector<int64_t>& perm_attr, bool has_perm) {
  std::vector<int64_t> perm(rank);
  if (!has_perm) {
    for (size_t i = 0; i < rank; ++i) perm[i] = static_cast<int64_t>(rank - 1 - i);
    return perm;
  }
  if (perm_attr.size() != rank)
    return Status::error("perm " + shape_to_string(perm_attr) + " has " + std::to_string(perm_attr.size()) +
                         " entries for an input of rank " + std::to_string(rank));
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < rank; ++i) {
    int64_t p = perm_attr[i];
    if (p < 0 || p >= static_cast<int64_t>(rank) || seen[static_cast<size_t>(p)])
      return Status::error("perm " + shape_to_string(perm_attr) + " is not a permutation of 0.." +
                           std::to_string(rank - 1));
    seen[static_cast<size_t>(p)] = true;
    perm[i] = p;
  }
  return perm;
}

Shape transpose_shape(const Shape& in, const std::vector<int64_t>& perm) {
  Shape out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = in[static_cast<size_t>(perm[i])];
  return out;
}

namespace {

// The same transpose on fewer dims: size-1 dims dropped, and input dims that stay adjacent and in order
// in the output merged. NCHW→NHWC on [N,C,H,W] becomes [N,C,H*W] with perm (0,2,1).
void simplify_transpose(const Shape& in_shape, const std::vector<int64_t>& perm, Shape& shape,
                        std::vector<int64_t>& new_perm) {
  std::vector<int64_t> renumber(in_shape.size(), -1);
  Shape kept;
  for (size_t i = 0; i < in_shape.size(); ++i)
    if (in_shape[i] != 1) {
      renumber[i] = static_cast<int64_t>(kept.size());
      kept.push_back(in_shape[i]);
    }
  std::vector<int64_t> p;
  for (int64_t axis : perm)
    if (renumber[static_cast<size_t>(axis)] >= 0) p.push_back(renumber[static_cast<size_t>(axis)]);
  // Groups of consecutive input axes, in output order: (first input axis, size).
  std::vector<std::pair<int64_t, int64_t>> groups;
  for (size_t i = 0; i < p.size(); ++i) {
    if (i > 0 && p[i] == p[i - 1] + 1) groups.back().second *= kept[static_cast<size_t>(p[i])];
    else groups.emplace_back(p[i], kept[static_cast<size_t>(p[i])]);
  }
  std::vector<size_t> by_input(groups.size());
  for (size_t i = 0; i < groups.size(); ++i) by_input[i] = i;
  std::sort(by_input.begin(), by_input.end(), [&](size_t x, size_t y) { return groups[x].first < groups[y].first; });
  shape.assign(groups.size(), 0);
  new_perm.assign(groups.size(), 0);
  for (size_t k = 0; k < by_input.size(); ++k) {
    shape[k] = groups[by_input[k]].second;
    new_perm[by_input[k]] = static_cast<int64_t>(k);
  }
}

// out[b][c][r] = in[b][r][c], in square tiles so both sides stay in cache.
template <typename ES>
void transpose_batched_2d(const char* in, int64_t batch, int64_t rows, int64_t cols, char* out, ES es_tag) {
  const size_t es = es_tag;
  constexpr int64_t kTile = 16;
  for (int64_t b = 0; b < batch; ++b) {
    const char* src = in + static_cast<size_t>(b * rows * cols) * es;
    char* dst = out + static_cast<size_t>(b * rows * cols) * es;
    for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
      const int64_t r1 = std::min(rows, r0 + kTile);
      for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
        const int64_t c1 = std::min(cols, c0 + kTile);
        for (int64_t c = c0; c < c1; ++c)
          for (int64_t r = r0; r < r1; ++r)
            std::memcpy(dst + static_cast<size_t>(c * rows + r) * es, src + static_cast<size_t>(r * cols + c) * es, es);
      }
    }
  }
}

// Any permutation: walk the output in order; the innermost output dim reads the input with a stride.
template <typename ES>
void transpose_general(const char* in, const Shape& shape, const std::vector<int64_t>& perm, char* out, ES es_tag) {
  const size_t es = es_tag;
  const size_t rank = shape.size();
  const std::vector<int64_t> in_strides = strides_of(shape);
  const Shape out_shape = transpose_shape(shape, perm);
  std::vector<int64_t> stride(rank);
  for (size_t i = 0; i < rank; ++i) stride[i] = in_strides[static_cast<size_t>(perm[i])];
  const int64_t inner = out_shape[rank - 1], inner_stride = stride[rank - 1];
  std::vector<int64_t> idx(rank, 0);
  do {
    int64_t off = 0;
    for (size_t i = 0; i + 1 < rank; ++i) off += idx[i] * stride[i];
    for (int64_t k = 0; k < inner; ++k) {
      std::memcpy(out, in + static_cast<size_t>(off + k * inner_stride) * es, es);
      out += es;
    }
  } while (next_index(idx, out_shape, rank - 1));
}

}  // namespace

void transpose(const void* in, const Shape& in_shape, const std::vector<int64_t>& perm, void* out,
               size_t element_size) {
  const int64_t n = num_elements(in_shape);
  if (n == 0) return;
  Shape shape;
  std::vector<int64_t> p;
  simplify_transpose(in_shape, perm, shape, p);
  const char* src = static_cast<const char*>(in);
  char* dst = static_cast<char*>(out);
  const size_t rank = shape.size();
  if (rank <= 1) {  // nothing actually moves
    std::memcpy(dst, src, static_cast<size_t>(n) * element_size);
    return;
  }
  const bool matrix = rank == 2 || (rank == 3 && p[0] == 0);  // after merging, perm is (1,0) or (0,2,1)
  if (matrix) {
    const int64_t batch = rank == 3 ? shape[0] : 1;
    with_element_size(element_size,
                      [&](auto es) { transpose_batched_2d(src, batch, shape[rank - 2], shape[rank - 1], dst, es); });
    return;
  }
  // Merging guarantees the innermost output dim is not the innermost input dim, so it is strided.
  with_element_size(element_size, [&](auto es) { transpose_general(src, shape, p, dst, es); });
}

namespace reference {

void transpose(const void* in, const Shape& in_shape, const std::vector<int64_t>& perm, void* out,
               size_t element_size) {
  const Shape out_shape = transpose_shape(in_shape, perm);
  if (num_elements(out_shape) == 0) return;
  const std::vector<int64_t> in_strides = strides_of(in_shape);
  std::vector<int64_t> idx(out_shape.size(), 0);
  char* dst = static_cast<char*>(out);
  do {
    int64_t off = 0;
    for (size_t i = 0; i < idx.size(); ++i) off += idx[i] * in_strides[static_cast<size_t>(perm[i])];
    std::memcpy(dst, static_cast<const char*>(in) + static_cast<size_t>(off) * element_size, element_size);
    dst += element_size;
  } while (next_index(idx, out_shape, out_shape.size()));
}

}  // namespace reference
}  // namespace data_movement

namespace {

using namespace data_movement;

class TransposeKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    auto k = std::make_unique<TransposeKernel>();
    k->has_perm_ = node.has_attr("perm");
    WEBCNN_ASSIGN(k->perm_attr_, node.attr_ints("perm", {}));
    return std::unique_ptr<Kernel>(std::move(k));
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    auto perm = transpose_perm(in[0].shape.size(), perm_attr_, has_perm_);
    if (!perm) return perm.status().with_context(node.describe());
    perm_ = perm.value();
    in_shape_ = in[0].shape;
    out[0].dtype = in[0].dtype;
    out[0].shape = transpose_shape(in_shape_, perm_);
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    transpose(io.in[0].data, in_shape_, perm_, io.out[0].data, dtype_size(io.out[0].dtype));
    return Status::ok();
  }

 private:
  bool has_perm_ = false;
  std::vector<int64_t> perm_attr_, perm_;
  Shape in_shape_;
};

}  // namespace

void register_transpose_ops(OpRegistry& r) { r.add("Transpose", TransposeKernel::create); }

}  // namespace webcnn
