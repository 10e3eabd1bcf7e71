// Concat, Transpose, Gather, Slice, Pad: element movement on raw bytes (any dtype), each with a fast
// path and the naive reference the tests compare it with (see data_movement.h).
#include "ops/data_movement.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {
namespace data_movement {

namespace {

int64_t product(const Shape& s, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i) p *= s[i];
  return p;
}

// Row-major strides in elements.
std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

// Advances a row-major multi-index over `shape[0..rank)`; false after the last one.
bool next_index(std::vector<int64_t>& idx, const Shape& shape, size_t rank) {
  for (size_t i = rank; i-- > 0;) {
    if (++idx[i] < shape[i]) return true;
    idx[i] = 0;
  }
  return false;
}

// Calls f(std::integral_constant<size_t, N>) for the element sizes we have (1, 4, 8), so inner loops
// copy with a compile-time size; anything else falls back to a run-time size.
template <typename F>
void with_element_size(size_t es, F f) {
  switch (es) {
    case 1: f(std::integral_constant<size_t, 1>{}); break;
    case 4: f(std::integral_constant<size_t, 4>{}); break;
    case 8: f(std::integral_constant<size_t, 8>{}); break;
    default: f(es); break;
  }
}

int64_t read_index(const void* indices, DataType t, int64_t i) {
  return t == DataType::kInt32 ? static_cast<const int32_t*>(indices)[i] : static_cast<const int64_t*>(indices)[i];
}

// The index into an axis of size `dim` for a Gather index, or an error when it is out of range.
Result<int64_t> resolve_gather_index(int64_t idx, int64_t dim) {
  if (idx < -dim || idx >= dim)
    return Status::error("index " + std::to_string(idx) + " is out of range for an axis of size " + std::to_string(dim));
  return idx < 0 ? idx + dim : idx;
}

}  // namespace

// ---------------------------------------------------------------------------------------------- Concat

Result<Shape> concat_shape(const std::vector<Shape>& inputs, int64_t axis) {
  if (inputs.empty()) return Status::error("needs at least one input");
  const Shape& first = inputs[0];
  const int64_t rank = static_cast<int64_t>(first.size());
  if (rank == 0) return Status::error("cannot concatenate scalars");
  if (axis < -rank || axis >= rank)
    return Status::error("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  const size_t a = static_cast<size_t>(axis < 0 ? axis + rank : axis);
  Shape out = first;
  out[a] = 0;
  for (size_t j = 0; j < inputs.size(); ++j) {
    const Shape& s = inputs[j];
    if (s.size() != first.size())
      return Status::error("input " + std::to_string(j) + " has shape " + shape_to_string(s) + ", rank differs from " +
                           shape_to_string(first));
    for (size_t i = 0; i < s.size(); ++i)
      if (i != a && s[i] != first[i])
        return Status::error("input " + std::to_string(j) + " has shape " + shape_to_string(s) + ", which differs from " +
                             shape_to_string(first) + " outside axis " + std::to_string(a));
    out[a] += s[a];
  }
  WEBCNN_TRY(checked_num_elements(out).status());
  return out;
}

void concat(const std::vector<const void*>& in, const std::vector<Shape>& in_shapes, int64_t axis, void* out,
            size_t element_size) {
  const size_t a = static_cast<size_t>(axis);
  const int64_t outer = product(in_shapes[0], 0, a);
  std::vector<size_t> chunk(in.size());
  for (size_t j = 0; j < in.size(); ++j)
    chunk[j] = static_cast<size_t>(product(in_shapes[j], a, in_shapes[j].size())) * element_size;
  char* dst = static_cast<char*>(out);
  for (int64_t o = 0; o < outer; ++o)
    for (size_t j = 0; j < in.size(); ++j) {
      if (!chunk[j]) continue;
      std::memcpy(dst, static_cast<const char*>(in[j]) + static_cast<size_t>(o) * chunk[j], chunk[j]);
      dst += chunk[j];
    }
}

// ------------------------------------------------------------------------------------------- Transpose

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
      return Status::error("perm " + shape_to_string(perm_attr) + " is not a permutation of 0.." + std::to_string(rank - 1));
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
    if (i > 0 && p[i] == p[i - 1] + 1)
      groups.back().second *= kept[static_cast<size_t>(p[i])];
    else
      groups.emplace_back(p[i], kept[static_cast<size_t>(p[i])]);
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

void transpose(const void* in, const Shape& in_shape, const std::vector<int64_t>& perm, void* out, size_t element_size) {
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
    with_element_size(element_size, [&](auto es) {
      transpose_batched_2d(src, batch, shape[rank - 2], shape[rank - 1], dst, es);
    });
    return;
  }
  // Merging guarantees the innermost output dim is not the innermost input dim, so it is strided.
  with_element_size(element_size, [&](auto es) { transpose_general(src, shape, p, dst, es); });
}

// ---------------------------------------------------------------------------------------------- Gather

Status gather(const void* data, const Shape& data_shape, int64_t axis, const void* indices, DataType index_type,
              int64_t num_indices, void* out, size_t element_size) {
  const size_t a = static_cast<size_t>(axis);
  const int64_t dim = data_shape[a];
  // Validate every index before copying anything.
  for (int64_t i = 0; i < num_indices; ++i)
    WEBCNN_TRY(resolve_gather_index(read_index(indices, index_type, i), dim).status());
  const int64_t outer = product(data_shape, 0, a);
  const size_t block = static_cast<size_t>(product(data_shape, a + 1, data_shape.size())) * element_size;
  const char* src = static_cast<const char*>(data);
  char* dst = static_cast<char*>(out);
  if (block == 0) return Status::ok();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < num_indices; ++i) {
      int64_t idx = read_index(indices, index_type, i);
      if (idx < 0) idx += dim;
      std::memcpy(dst, src + static_cast<size_t>(o * dim + idx) * block, block);
      dst += block;
    }
  return Status::ok();
}

// ----------------------------------------------------------------------------------------------- Slice

Result<std::vector<SliceAxis>> slice_plan(const Shape& in, const std::vector<int64_t>& starts,
                                          const std::vector<int64_t>& ends, const std::vector<int64_t>& axes,
                                          const std::vector<int64_t>& steps) {
  const int64_t rank = static_cast<int64_t>(in.size());
  if (starts.size() != ends.size())
    return Status::error("starts has " + std::to_string(starts.size()) + " entries, ends " + std::to_string(ends.size()));
  if (!axes.empty() && axes.size() != starts.size())
    return Status::error("axes has " + std::to_string(axes.size()) + " entries, starts " + std::to_string(starts.size()));
  if (!steps.empty() && steps.size() != starts.size())
    return Status::error("steps has " + std::to_string(steps.size()) + " entries, starts " + std::to_string(starts.size()));
  if (axes.empty() && static_cast<int64_t>(starts.size()) > rank)
    return Status::error("starts has " + std::to_string(starts.size()) + " entries for an input of rank " +
                         std::to_string(rank));
  std::vector<SliceAxis> plan(in.size());
  for (size_t i = 0; i < in.size(); ++i) plan[i] = {0, 1, in[i]};
  std::vector<bool> seen(in.size(), false);
  for (size_t k = 0; k < starts.size(); ++k) {
    int64_t axis = axes.empty() ? static_cast<int64_t>(k) : axes[k];
    if (axis < -rank || axis >= rank)
      return Status::error("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    if (axis < 0) axis += rank;
    const size_t a = static_cast<size_t>(axis);
    if (seen[a]) return Status::error("axis " + std::to_string(axis) + " is listed twice");
    seen[a] = true;
    const int64_t dim = in[a];
    const int64_t step = steps.empty() ? 1 : steps[k];
    if (step == 0) return Status::error("step for axis " + std::to_string(axis) + " is 0");
    // Negative values count from the end; then clamp to where a walk in the step's direction can go.
    int64_t start = starts[k], end = ends[k];
    if (start < 0) start = start < -dim ? -1 : start + dim;  // -1: before the first element
    if (end < 0) end = end < -dim ? -1 : end + dim;
    int64_t count;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      count = end > start ? (end - start - 1) / step + 1 : 0;  // ceil((end - start) / step) without overflow
    } else {
      start = std::clamp<int64_t>(start, -1, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      // Division with a negative step: (start - end) elements, every |step|th. |step| may be INT64_MIN.
      const uint64_t span = static_cast<uint64_t>(start - end), stride = 0 - static_cast<uint64_t>(step);
      count = start > end ? static_cast<int64_t>((span - 1) / stride + 1) : 0;
    }
    if (count == 0) start = 0;
    plan[a] = {start, count > 1 ? step : 1, count};
  }
  return plan;
}

void slice(const void* in, const Shape& in_shape, const std::vector<SliceAxis>& plan, void* out, size_t element_size) {
  const size_t rank = plan.size();
  Shape out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = plan[i].count;
  const int64_t n = num_elements(out_shape);
  if (n == 0) return;
  const char* src = static_cast<const char*>(in);
  char* dst = static_cast<char*>(out);
  if (rank == 0) {
    std::memcpy(dst, src, element_size);
    return;
  }
  const std::vector<int64_t> in_strides = strides_of(in_shape);
  const SliceAxis& last = plan[rank - 1];
  std::vector<int64_t> idx(rank, 0);
  with_element_size(element_size, [&](auto es_tag) {
    const size_t es = es_tag;
    do {
      int64_t off = last.start;
      for (size_t i = 0; i + 1 < rank; ++i) off += (plan[i].start + idx[i] * plan[i].step) * in_strides[i];
      const char* row = src + static_cast<size_t>(off) * es;
      if (last.step == 1) {
        std::memcpy(dst, row, static_cast<size_t>(last.count) * es);
        dst += static_cast<size_t>(last.count) * es;
      } else {
        for (int64_t k = 0; k < last.count; ++k) {
          std::memcpy(dst, row + static_cast<ptrdiff_t>(k * last.step) * static_cast<ptrdiff_t>(es), es);
          dst += es;
        }
      }
    } while (next_index(idx, out_shape, rank - 1));
  });
}

// ------------------------------------------------------------------------------------------------- Pad

Result<PadMode> parse_pad_mode(const std::string& mode) {
  if (mode == "constant") return PadMode::kConstant;
  if (mode == "reflect") return PadMode::kReflect;
  if (mode == "edge") return PadMode::kEdge;
  if (mode == "wrap") return PadMode::kWrap;
  return Status::error("unknown mode '" + mode + "' (expected constant, reflect, edge or wrap)");
}

Result<std::vector<PadAxis>> pad_plan(const Shape& in, const std::vector<int64_t>& pads, const std::vector<int64_t>& axes,
                                      PadMode mode) {
  const int64_t rank = static_cast<int64_t>(in.size());
  std::vector<int64_t> list = axes;
  if (list.empty())
    for (int64_t i = 0; i < rank; ++i) list.push_back(i);
  if (pads.size() != 2 * list.size())
    return Status::error("pads has " + std::to_string(pads.size()) + " entries, expected " +
                         std::to_string(2 * list.size()));
  std::vector<int64_t> begin(in.size(), 0), end(in.size(), 0);
  std::vector<bool> seen(in.size(), false);
  for (size_t k = 0; k < list.size(); ++k) {
    int64_t axis = list[k];
    if (axis < -rank || axis >= rank)
      return Status::error("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    if (axis < 0) axis += rank;
    const size_t a = static_cast<size_t>(axis);
    if (seen[a]) return Status::error("axis " + std::to_string(axis) + " is listed twice");
    seen[a] = true;
    begin[a] = pads[k];
    end[a] = pads[k + list.size()];
  }
  std::vector<PadAxis> plan(in.size());
  Shape out_shape(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    // Bound the pads so the sums below cannot overflow; kMaxElements caps any real dimension anyway.
    if (begin[i] > kMaxElements || end[i] > kMaxElements || begin[i] < -kMaxElements || end[i] < -kMaxElements)
      return Status::error("pads for axis " + std::to_string(i) + " are out of range");
    PadAxis& p = plan[i];
    p.in_dim = in[i];
    p.keep_begin = std::max<int64_t>(-begin[i], 0);
    p.keep = in[i] - p.keep_begin - std::max<int64_t>(-end[i], 0);
    if (p.keep < 0)
      return Status::error("pads " + std::to_string(begin[i]) + ", " + std::to_string(end[i]) + " crop more than axis " +
                           std::to_string(i) + " of size " + std::to_string(in[i]) + " holds");
    p.before = std::max<int64_t>(begin[i], 0);
    p.out_dim = p.before + p.keep + std::max<int64_t>(end[i], 0);
    if (p.keep == 0 && p.out_dim > 0 && mode != PadMode::kConstant)
      return Status::error("axis " + std::to_string(i) + " has nothing left to pad from in this mode");
    out_shape[i] = p.out_dim;
  }
  WEBCNN_TRY(checked_num_elements(out_shape).status());
  return plan;
}

int64_t pad_source_index(const PadAxis& a, int64_t o, PadMode mode) {
  int64_t p = o - a.before;  // position relative to the kept region
  if (p >= 0 && p < a.keep) return a.keep_begin + p;
  switch (mode) {
    case PadMode::kConstant: return -1;
    case PadMode::kEdge: p = p < 0 ? 0 : a.keep - 1; break;
    case PadMode::kReflect:
      if (a.keep == 1) {
        p = 0;
      } else {  // mirror without repeating the edge: period 2*(keep-1)
        const int64_t period = 2 * (a.keep - 1);
        p %= period;
        if (p < 0) p += period;
        if (p >= a.keep) p = period - p;
      }
      break;
    case PadMode::kWrap:
      p %= a.keep;
      if (p < 0) p += a.keep;
      break;
  }
  return a.keep_begin + p;
}

void pad(const void* in, const std::vector<PadAxis>& plan, PadMode mode, const void* value, void* out,
         size_t element_size) {
  const size_t rank = plan.size();
  Shape in_shape(rank), out_shape(rank);
  for (size_t i = 0; i < rank; ++i) {
    in_shape[i] = plan[i].in_dim;
    out_shape[i] = plan[i].out_dim;
  }
  if (num_elements(out_shape) == 0) return;
  const char* src = static_cast<const char*>(in);
  char* dst = static_cast<char*>(out);
  if (rank == 0) {
    std::memcpy(dst, src, element_size);
    return;
  }
  const std::vector<int64_t> in_strides = strides_of(in_shape);
  const PadAxis& last = plan[rank - 1];
  std::vector<int64_t> idx(rank, 0);
  with_element_size(element_size, [&](auto es_tag) {
    const size_t es = es_tag;
    // One output row (the innermost dim) at a time: either all constant, or the kept part of one
    // input row copied whole with its padding mapped element by element.
    do {
      int64_t off = 0;
      bool constant_row = false;
      for (size_t i = 0; i + 1 < rank && !constant_row; ++i) {
        const int64_t s = pad_source_index(plan[i], idx[i], mode);
        if (s < 0) constant_row = true;
        off += s * in_strides[i];
      }
      if (constant_row) {
        for (int64_t k = 0; k < last.out_dim; ++k) std::memcpy(dst + static_cast<size_t>(k) * es, value, es);
      } else {
        const char* row = src + static_cast<size_t>(off) * es;
        auto edge = [&](int64_t o) {
          const int64_t s = pad_source_index(last, o, mode);
          std::memcpy(dst + static_cast<size_t>(o) * es, s < 0 ? value : row + static_cast<size_t>(s) * es, es);
        };
        for (int64_t o = 0; o < last.before; ++o) edge(o);
        if (last.keep)
          std::memcpy(dst + static_cast<size_t>(last.before) * es, row + static_cast<size_t>(last.keep_begin) * es,
                      static_cast<size_t>(last.keep) * es);
        for (int64_t o = last.before + last.keep; o < last.out_dim; ++o) edge(o);
      }
      dst += static_cast<size_t>(last.out_dim) * es;
    } while (next_index(idx, out_shape, rank - 1));
  });
}

// ------------------------------------------------------------------------------------------- Reference

namespace reference {

void concat(const std::vector<const void*>& in, const std::vector<Shape>& in_shapes, int64_t axis, void* out,
            size_t element_size) {
  const size_t a = static_cast<size_t>(axis), rank = in_shapes[0].size();
  Shape out_shape = in_shapes[0];
  out_shape[a] = 0;
  for (const Shape& s : in_shapes) out_shape[a] += s[a];
  const int64_t n = num_elements(out_shape);
  if (n == 0) return;
  std::vector<int64_t> idx(rank, 0);
  char* dst = static_cast<char*>(out);
  do {
    // Which input holds this position along the axis.
    size_t j = 0;
    int64_t pos = idx[a];
    while (pos >= in_shapes[j][a]) pos -= in_shapes[j++][a];
    const std::vector<int64_t> st = strides_of(in_shapes[j]);
    int64_t off = 0;
    for (size_t i = 0; i < rank; ++i) off += (i == a ? pos : idx[i]) * st[i];
    std::memcpy(dst, static_cast<const char*>(in[j]) + static_cast<size_t>(off) * element_size, element_size);
    dst += element_size;
  } while (next_index(idx, out_shape, rank));
}

void transpose(const void* in, const Shape& in_shape, const std::vector<int64_t>& perm, void* out, size_t element_size) {
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

Status gather(const void* data, const Shape& data_shape, int64_t axis, const void* indices, DataType index_type,
              int64_t num_indices, void* out, size_t element_size) {
  const size_t a = static_cast<size_t>(axis);
  // Output as [outer, num_indices, inner]; each element looked up on its own.
  const int64_t outer = product(data_shape, 0, a), inner = product(data_shape, a + 1, data_shape.size());
  const int64_t dim = data_shape[a];
  char* dst = static_cast<char*>(out);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < num_indices; ++i) {
      WEBCNN_ASSIGN(int64_t idx, resolve_gather_index(read_index(indices, index_type, i), dim));
      for (int64_t k = 0; k < inner; ++k) {
        const int64_t off = (o * dim + idx) * inner + k;
        std::memcpy(dst, static_cast<const char*>(data) + static_cast<size_t>(off) * element_size, element_size);
        dst += element_size;
      }
    }
  return Status::ok();
}

void slice(const void* in, const Shape& in_shape, const std::vector<SliceAxis>& plan, void* out, size_t element_size) {
  const size_t rank = plan.size();
  Shape out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = plan[i].count;
  if (num_elements(out_shape) == 0) return;
  const std::vector<int64_t> in_strides = strides_of(in_shape);
  std::vector<int64_t> idx(rank, 0);
  char* dst = static_cast<char*>(out);
  do {
    int64_t off = 0;
    for (size_t i = 0; i < rank; ++i) off += (plan[i].start + idx[i] * plan[i].step) * in_strides[i];
    std::memcpy(dst, static_cast<const char*>(in) + static_cast<size_t>(off) * element_size, element_size);
    dst += element_size;
  } while (next_index(idx, out_shape, rank));
}

void pad(const void* in, const std::vector<PadAxis>& plan, PadMode mode, const void* value, void* out,
         size_t element_size) {
  const size_t rank = plan.size();
  Shape in_shape(rank), out_shape(rank);
  for (size_t i = 0; i < rank; ++i) {
    in_shape[i] = plan[i].in_dim;
    out_shape[i] = plan[i].out_dim;
  }
  if (num_elements(out_shape) == 0) return;
  const std::vector<int64_t> in_strides = strides_of(in_shape);
  std::vector<int64_t> idx(rank, 0);
  char* dst = static_cast<char*>(out);
  do {
    const void* from = nullptr;
    int64_t off = 0;
    for (size_t i = 0; i < rank && !from; ++i) {
      const int64_t s = pad_source_index(plan[i], idx[i], mode);
      if (s < 0) from = value;
      off += s * in_strides[i];
    }
    if (!from) from = static_cast<const char*>(in) + static_cast<size_t>(off) * element_size;
    std::memcpy(dst, from, element_size);
    dst += element_size;
  } while (next_index(idx, out_shape, rank));
}

}  // namespace reference
}  // namespace data_movement

// ----------------------------------------------------------------------------------------------- Kernels

namespace {

using namespace data_movement;

// Plan-time integer vectors (Slice starts, Pad pads, ...): constant int64 or int32, 1-D.
Result<std::vector<int64_t>> constant_ints(const Node& node, const ValueInfo& v, const char* what) {
  if (!v.constant) return node.error(std::string(what) + " must be a constant (known when the model is planned)");
  if (v.dtype != DataType::kInt64 && v.dtype != DataType::kInt32)
    return node.error(std::string(what) + " must be int64 or int32, got " + dtype_name(v.dtype));
  if (v.shape.size() > 1) return node.error(std::string(what) + " must be 1-D, got shape " + shape_to_string(v.shape));
  return v.constant->to_int64_vector();
}

bool optional_present(const std::vector<ValueInfo>& in, size_t i) { return in.size() > i && in[i].present; }

class ConcatKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    if (!node.has_attr("axis")) return node.error("attribute 'axis' is required");
    auto k = std::make_unique<ConcatKernel>();
    WEBCNN_ASSIGN(k->axis_, node.attr_int("axis", 0));
    return std::unique_ptr<Kernel>(std::move(k));
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    if (in.empty()) return node.error("needs at least one input");
    shapes_.clear();
    for (size_t j = 0; j < in.size(); ++j) {
      if (!in[j].present) return node.error("input " + std::to_string(j) + " is missing");
      if (in[j].dtype != in[0].dtype)
        return node.error("input " + std::to_string(j) + " is " + dtype_name(in[j].dtype) + ", input 0 is " +
                          dtype_name(in[0].dtype));
      shapes_.push_back(in[j].shape);
    }
    auto shape = concat_shape(shapes_, axis_);
    if (!shape) return shape.status().with_context(node.describe());
    if (axis_ < 0) axis_ += static_cast<int64_t>(shapes_[0].size());
    out[0].dtype = in[0].dtype;
    out[0].shape = shape.value();
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    std::vector<const void*> src(static_cast<size_t>(io.num_in));
    for (int j = 0; j < io.num_in; ++j) src[static_cast<size_t>(j)] = io.in[j].data;
    concat(src, shapes_, axis_, io.out[0].data, dtype_size(io.out[0].dtype));
    return Status::ok();
  }

 private:
  int64_t axis_ = 0;
  std::vector<Shape> shapes_;
};

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

class GatherKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    auto k = std::make_unique<GatherKernel>();
    WEBCNN_ASSIGN(k->axis_, node.attr_int("axis", 0));
    k->describe_ = node.describe();
    return std::unique_ptr<Kernel>(std::move(k));
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 2));
    if (in[1].dtype != DataType::kInt64 && in[1].dtype != DataType::kInt32)
      return node.error(std::string("indices must be int64 or int32, got ") + dtype_name(in[1].dtype));
    const Shape& data = in[0].shape;
    const int64_t rank = static_cast<int64_t>(data.size());
    if (rank == 0) return node.error("data must have rank 1 or more");
    if (axis_ < -rank || axis_ >= rank)
      return node.error("axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(rank));
    if (axis_ < 0) axis_ += rank;
    const size_t a = static_cast<size_t>(axis_);
    Shape shape(data.begin(), data.begin() + static_cast<ptrdiff_t>(a));
    shape.insert(shape.end(), in[1].shape.begin(), in[1].shape.end());
    shape.insert(shape.end(), data.begin() + static_cast<ptrdiff_t>(a) + 1, data.end());
    auto n = checked_num_elements(shape);
    if (!n) return n.status().with_context(node.describe());
    data_shape_ = data;
    out[0].dtype = in[0].dtype;
    out[0].shape = shape;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    return gather(io.in[0].data, data_shape_, axis_, io.in[1].data, io.in[1].dtype, io.in[1].size(), io.out[0].data,
                  dtype_size(io.out[0].dtype))
        .with_context(describe_);
  }

 private:
  int64_t axis_ = 0;
  Shape data_shape_;
  std::string describe_;
};

class SliceKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) { return std::unique_ptr<Kernel>(new SliceKernel()); }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 3, 5));
    WEBCNN_ASSIGN(std::vector<int64_t> starts, constant_ints(node, in[1], "starts"));
    WEBCNN_ASSIGN(std::vector<int64_t> ends, constant_ints(node, in[2], "ends"));
    std::vector<int64_t> axes, steps;
    if (optional_present(in, 3)) {
      WEBCNN_ASSIGN(axes, constant_ints(node, in[3], "axes"));
      if (axes.empty() && !starts.empty()) return node.error("axes is empty but starts is not");
    }
    if (optional_present(in, 4)) {
      WEBCNN_ASSIGN(steps, constant_ints(node, in[4], "steps"));
      if (steps.empty() && !starts.empty()) return node.error("steps is empty but starts is not");
    }
    auto plan = slice_plan(in[0].shape, starts, ends, axes, steps);
    if (!plan) return plan.status().with_context(node.describe());
    plan_ = plan.value();
    in_shape_ = in[0].shape;
    out[0].dtype = in[0].dtype;
    out[0].shape.clear();
    for (const SliceAxis& a : plan_) out[0].shape.push_back(a.count);
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    slice(io.in[0].data, in_shape_, plan_, io.out[0].data, dtype_size(io.out[0].dtype));
    return Status::ok();
  }

 private:
  std::vector<SliceAxis> plan_;
  Shape in_shape_;
};

class PadKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    auto k = std::make_unique<PadKernel>();
    WEBCNN_ASSIGN(std::string mode, node.attr_string("mode", "constant"));
    auto m = parse_pad_mode(mode);
    if (!m) return m.status().with_context(node.describe());
    k->mode_ = m.value();
    return std::unique_ptr<Kernel>(std::move(k));
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 4));
    WEBCNN_ASSIGN(std::vector<int64_t> pads, constant_ints(node, in[1], "pads"));
    std::vector<int64_t> axes;
    if (optional_present(in, 3)) {
      WEBCNN_ASSIGN(axes, constant_ints(node, in[3], "axes"));
    }
    has_value_ = optional_present(in, 2);
    if (has_value_) {
      if (in[2].dtype != in[0].dtype)
        return node.error(std::string("constant_value is ") + dtype_name(in[2].dtype) + ", data is " +
                          dtype_name(in[0].dtype));
      if (num_elements(in[2].shape) != 1)
        return node.error("constant_value must hold one element, got shape " + shape_to_string(in[2].shape));
    }
    auto plan = pad_plan(in[0].shape, pads, axes, mode_);
    if (!plan) return plan.status().with_context(node.describe());
    plan_ = plan.value();
    out[0].dtype = in[0].dtype;
    out[0].shape.clear();
    for (const PadAxis& a : plan_) out[0].shape.push_back(a.out_dim);
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    const int64_t zero = 0;  // the default constant_value, 0 in every dtype
    const void* value = has_value_ ? io.in[2].data : &zero;
    pad(io.in[0].data, plan_, mode_, value, io.out[0].data, dtype_size(io.out[0].dtype));
    return Status::ok();
  }

 private:
  PadMode mode_ = PadMode::kConstant;
  bool has_value_ = false;
  std::vector<PadAxis> plan_;
};

}  // namespace

void register_data_movement_ops(OpRegistry& r) {
  r.add("Concat", ConcatKernel::create);
  r.add("Transpose", TransposeKernel::create);
  r.add("Gather", GatherKernel::create);
  r.add("Slice", SliceKernel::create);
  r.add("Pad", PadKernel::create);
}

}  // namespace webcnn
