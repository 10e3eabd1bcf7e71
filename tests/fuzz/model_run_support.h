// Shared by the model targets: after a successful load, run once with free input dims taken as 1.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "webcnn/model.h"

namespace webcnn_fuzz {

// Inputs larger than this are not fed (a hostile declared shape must not make the target allocate).
constexpr int64_t kMaxFedElements = int64_t{1} << 16;

// Runs `model` with zero-filled inputs (free dims → 1) unless it was already planned at load (every
// shape static) or an input would be too large. Checks the run's outputs against the declared count.
inline webcnn::Status run_with_free_dims_as_one(webcnn::Model& model) {
  bool dynamic = false;
  for (const webcnn::TensorSpec& spec : model.inputs())
    for (int64_t d : spec.shape) dynamic = dynamic || d < 0;
  if (!dynamic) return webcnn::Status::ok();
  std::vector<webcnn::Tensor> tensors;
  tensors.reserve(model.inputs().size());
  std::map<std::string, const webcnn::Tensor*> feed;
  for (const webcnn::TensorSpec& spec : model.inputs()) {
    webcnn::Shape shape = spec.shape;
    for (int64_t& d : shape) d = d < 0 ? 1 : d;
    webcnn::Result<int64_t> n = webcnn::checked_num_elements(shape);
    if (!n.is_ok() || n.value() > kMaxFedElements) return webcnn::Status::ok();
    WEBCNN_ASSIGN(webcnn::Tensor t, webcnn::Tensor::create(spec.dtype, shape));
    tensors.push_back(std::move(t));
    feed[spec.name] = &tensors.back();
  }
  WEBCNN_ASSIGN(std::vector<webcnn::Tensor> outputs, model.run(feed));
  if (outputs.size() != model.outputs().size()) {  // a broken invariant is a bug: stop the fuzzer here
    std::fprintf(stderr, "fuzz invariant: run gave %zu outputs, the model declares %zu\n", outputs.size(),
                 model.outputs().size());
    std::abort();
  }
  return webcnn::Status::ok();
}

}  // namespace webcnn_fuzz
