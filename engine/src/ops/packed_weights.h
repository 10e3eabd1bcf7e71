// Weights a kernel packed into its own layout at prepare(), shared between the plans of one model.
//
// A model with free input dimensions keeps a plan per input-shape signature (runtime/plan_cache.h). The
// weights its kernels pack do not depend on the shape: packing the same constants the same way gives the
// same bytes. So the plans of one model share a PackedWeightCache, and a kernel asks it for its packed
// buffer under a PackingKey (what packing: kind, layout parameters and kernel table; of what: each source
// constant's dtype, shape and a 128-bit digest of its bytes). The first plan packs, the others get the
// same immutable buffer; the cache holds buffers weakly, so a buffer goes when the last plan using it does.
// Keys are digests of values, not the constants' addresses: each plan specialises its own copy of the
// graph, and a pass that rewrites a weight (BatchNorm folded into a Conv) gives every plan equal values in
// a tensor of its own.
// Without a cache (constant folding, a static model's only plan) a kernel packs a buffer of its own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "webcnn/tensor.h"

namespace webcnn {

// An immutable packed buffer, shared by every kernel that packed the same constants the same way.
template <typename T>
class PackedBuffer {
 public:
  PackedBuffer() = default;
  explicit PackedBuffer(std::shared_ptr<const std::vector<T>> buffer) : buffer_(std::move(buffer)) {}
  const T* data() const { return buffer_ ? buffer_->data() : nullptr; }
  size_t size() const { return buffer_ ? buffer_->size() : 0; }
  bool empty() const { return size() == 0; }
  const T& operator[](size_t i) const { return (*buffer_)[i]; }
  void clear() { buffer_.reset(); }
  // Identity of the shared storage (for accounting: plans sharing it hold it once).
  const void* identity() const { return buffer_.get(); }
  size_t bytes() const { return size() * sizeof(T); }

 private:
  std::shared_ptr<const std::vector<T>> buffer_;
};

// What a packed buffer is made of and how; equal keys pack to equal bytes.
class PackingKey {
 public:
  // `kind` names the packing routine ("conv.gemm", "q8.dwconv"...).
  explicit PackingKey(const char* kind);
  PackingKey& add(int64_t parameter);     // a layout parameter (K, N, groups, taps...)
  PackingKey& add(const Tensor* source);  // a source constant (null: an absent optional input)
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

class PackedWeightCache {
 public:
  // The buffer packed under `key`: the live one if some kernel packed it already, else `count` elements
  // filled by fill(T*) now (and counted in packs()).
  template <typename T, typename Fill>
  PackedBuffer<T> get_or_pack(const PackingKey& key, size_t count, Fill fill) {
    auto it = entries_.find(key.bytes());
    // The kind and every parameter and shape are in the key as given (only values are digested), so an
    // equal key is the same packing routine on the same sizes: the same T and count.
    if (it != entries_.end())
      if (std::shared_ptr<const void> live = it->second.buffer.lock())
        if (it->second.bytes == count * sizeof(T))
          return PackedBuffer<T>(std::static_pointer_cast<const std::vector<T>>(live));
    auto buffer = std::make_shared<std::vector<T>>(count);
    fill(buffer->data());
    ++packs_;
    forget_expired();
    std::shared_ptr<const std::vector<T>> shared = std::move(buffer);
    entries_[key.bytes()] = Entry{shared, count * sizeof(T)};
    return PackedBuffer<T>(std::move(shared));
  }
  // Buffers packed so far (lookups that found a live buffer pack nothing).
  uint64_t packs() const { return packs_; }
  // Buffers some kernel still holds, and their bytes.
  size_t live_buffers() const;
  uint64_t live_bytes() const;

 private:
  struct Entry {
    std::weak_ptr<const void> buffer;
    uint64_t bytes = 0;
  };
  void forget_expired();
  std::unordered_map<std::string, Entry> entries_;
  uint64_t packs_ = 0;
};

}  // namespace webcnn
