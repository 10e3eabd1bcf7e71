#include "ops/broadcast.h"

#include <algorithm>

namespace webcnn {

Result<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Right-aligned: axis i of the result meets axis i-(rank-size) of each operand, or 1 if missing.
    int64_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    int64_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    if (da == db || db == 1) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else {
      return Status::error("cannot broadcast shapes " + shape_to_string(a) + " and " + shape_to_string(b));
    }
  }
  return out;
}

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const size_t lead = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1 && from[i] != to[lead + i]) return false;
  return true;
}

int64_t broadcast_source_offset(const Shape& in, const Shape& out, int64_t out_index) {
  int64_t offset = 0, in_stride = 1;
  const size_t lead = out.size() - in.size();
  for (size_t i = out.size(); i-- > 0;) {
    int64_t coord = out[i] == 0 ? 0 : out_index % out[i];
    out_index = out[i] == 0 ? 0 : out_index / out[i];
    if (i < lead) continue;
    int64_t d = in[i - lead];
    if (d != 1) offset += coord * in_stride;
    in_stride *= d;
  }
  return offset;
}

std::vector<int64_t> broadcast_strides(const Shape& shape, const Shape& space) {
  std::vector<int64_t> strides(space.size(), 0);
  const size_t lead = space.size() - shape.size();
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[lead + i] = shape[i] == 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

template <int N>
StridedLoop<N>::StridedLoop(const Shape& dims, const std::array<std::vector<int64_t>, N>& strides) {
  for (size_t axis = 0; axis < dims.size(); ++axis) {
    if (dims[axis] == 0) empty_ = true;
    if (dims[axis] == 1) continue;  // a single step: no stride matters
    std::array<int64_t, N> s;
    for (int k = 0; k < N; ++k) s[k] = strides[k][axis];
    // Merge into the previous axis when every operand steps across the pair as one run:
    // outer stride == inner stride * inner extent (true for two broadcast axes too, 0 == 0 * d).
    if (!dims_.empty()) {
      bool mergeable = true;
      for (int k = 0; k < N; ++k)
        if (strides_.back()[k] != s[k] * dims[axis]) mergeable = false;
      if (mergeable) {
        dims_.back() *= dims[axis];
        strides_.back() = s;
        continue;
      }
    }
    dims_.push_back(dims[axis]);
    strides_.push_back(s);
  }
  if (dims_.empty()) {  // a single element
    dims_.push_back(1);
    strides_.push_back(std::array<int64_t, N>{});
  }
  counter_.assign(dims_.size() - 1, 0);
}

template class StridedLoop<2>;
template class StridedLoop<3>;

StridedLoop<3> binary_broadcast_loop(const Shape& out, const Shape& a, const Shape& b) {
  return StridedLoop<3>(out, {broadcast_strides(out, out), broadcast_strides(a, out), broadcast_strides(b, out)});
}

Result<Shape> broadcast_shapes(const std::vector<Shape>& shapes) {
  Shape out;
  for (const Shape& s : shapes) {
    Result<Shape> joined = broadcast_shapes(out, s);
    if (!joined.is_ok()) {
      std::string all;
      for (const Shape& x : shapes) all += (all.empty() ? "" : " and ") + shape_to_string(x);
      return Status::error("shapes " + all + " do not broadcast");
    }
    out = std::move(joined).value();
  }
  return out;
}

}  // namespace webcnn
