#include "ops/packed_weights.h"

#include <cstring>

#include "kernels/kernel_table.h"

namespace webcnn {

namespace {

void append(std::string& out, const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }

uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

// Two independent 64-bit multiply-rotate lanes over the bytes, 8 at a time: a 128-bit digest. Not
// cryptographic: equal weights meet in one model, and a hostile model that forges a collision only gets
// wrong outputs from its own weights (the key also carries dtype, shape and sizes, so buffers always fit).
void digest(const void* data, size_t n, uint64_t out[2]) {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  uint64_t a = 0x9e3779b97f4a7c15ull ^ n, b = 0xc2b2ae3d27d4eb4full + n;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    a = rotl(a ^ (w * 0x87c37b91114253d5ull), 31) * 0x4cf5ad432745937full;
    b = rotl(b + (w * 0xff51afd7ed558ccdull), 27) * 0x52dce729ull + 0x38495ab5ull;
  }
  uint64_t tail = 0;
  if (n > i) std::memcpy(&tail, p + i, n - i);
  a = rotl(a ^ (tail * 0x87c37b91114253d5ull), 31) * 0x4cf5ad432745937full;
  b = rotl(b + (tail * 0xff51afd7ed558ccdull), 27) * 0x52dce729ull + 0x38495ab5ull;
  // Final avalanche (MurmurHash3's fmix64) of each lane, mixed with the other.
  auto fmix = [](uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    return k ^ (k >> 33);
  };
  out[0] = fmix(a + b);
  out[1] = fmix(b + out[0]);
}

}  // namespace

// The kernel table in effect is part of every key: a layout may differ between instruction sets.
PackingKey::PackingKey(const char* kind) {
  bytes_.append(kind).push_back('\0');
  const kernels::KernelTable* table = &kernels::active();
  append(bytes_, &table, sizeof table);
}

PackingKey& PackingKey::add(int64_t parameter) {
  append(bytes_, &parameter, sizeof parameter);
  return *this;
}

PackingKey& PackingKey::add(const Tensor* source) {
  if (!source) {
    bytes_.push_back('-');
    return *this;
  }
  bytes_.push_back('t');
  const int64_t dtype = static_cast<int64_t>(source->dtype());
  add(dtype);
  add(static_cast<int64_t>(source->shape().size()));
  for (int64_t d : source->shape()) add(d);
  uint64_t h[2];
  digest(source->raw(), source->bytes(), h);
  append(bytes_, h, sizeof h);
  return *this;
}

size_t PackedWeightCache::live_buffers() const {
  size_t n = 0;
  for (const auto& e : entries_) n += e.second.buffer.expired() ? 0 : 1;
  return n;
}

uint64_t PackedWeightCache::live_bytes() const {
  uint64_t sum = 0;
  for (const auto& e : entries_)
    if (!e.second.buffer.expired()) sum += e.second.bytes;
  return sum;
}

void PackedWeightCache::forget_expired() {
  for (auto it = entries_.begin(); it != entries_.end();)
    it = it->second.buffer.expired() ? entries_.erase(it) : std::next(it);
}

}  // namespace webcnn
