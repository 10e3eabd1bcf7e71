#include "import/tfjs/weights.h"

#include <cmath>
#include <cstring>

#include "import/tfjs/shard_path.h"

namespace webcnn {
namespace tfjs {

float half_to_float(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1F;
  uint32_t mant = h & 0x3FF;
  uint32_t bits;
  if (exp == 0x1F) {
    bits = sign | 0x7F800000u | (mant << 13);  // inf / NaN
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;  // ±0
  } else {        // subnormal half: normalise
    int e = -1;
    do {
      ++e;
      mant <<= 1;
    } while ((mant & 0x400) == 0);
    bits = sign | (static_cast<uint32_t>(112 - e) << 23) | ((mant & 0x3FF) << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

namespace {

struct WeightSpec {
  std::string name;
  DataType dtype = DataType::kFloat32;
  Shape shape;
  std::string quantization;  // "", "uint8", "uint16", "float16"
  double q_min = 0, q_scale = 1;
};

Status weight_error(const std::string& name, const std::string& what) {
  return Status::error("weight '" + name + "': " + what);
}

Result<int64_t> json_int(const json::Value& v, const std::string& what) {
  if (!v.is_number()) return Status::error(what + " should be a number");
  double d = v.as_number();
  if (d != std::floor(d) || std::fabs(d) > 9.0e15) return Status::error(what + " should be an integer");
  return static_cast<int64_t>(d);
}

Result<WeightSpec> parse_spec(const json::Value& w) {
  WeightSpec s;
  const json::Value* name = w.find("name");
  if (!name || !name->is_string()) return Status::error("a weightsManifest entry has no name");
  s.name = name->as_string();
  const json::Value* shape = w.find("shape");
  if (!shape || !shape->is_array()) return weight_error(s.name, "has no shape array");
  for (const json::Value& d : shape->items()) {
    Result<int64_t> dim = json_int(d, "a shape dimension");
    if (!dim.is_ok()) return weight_error(s.name, dim.status().message());
    if (dim.value() < 0) return weight_error(s.name, "negative dimension in shape");
    s.shape.push_back(dim.value());
  }
  Result<int64_t> count = checked_num_elements(s.shape);
  if (!count.is_ok()) return weight_error(s.name, count.status().message());
  const json::Value* dtype = w.find("dtype");
  if (!dtype || !dtype->is_string()) return weight_error(s.name, "has no dtype");
  const std::string& dt = dtype->as_string();
  if (dt == "float32") s.dtype = DataType::kFloat32;
  else if (dt == "int32") s.dtype = DataType::kInt32;
  else if (dt == "bool") s.dtype = DataType::kBool;
  else return weight_error(s.name, "unsupported dtype '" + dt + "' (supported: float32, int32, bool)");
  if (const json::Value* q = w.find("quantization")) {
    const json::Value* qd = q->find("dtype");
    if (!qd || !qd->is_string()) return weight_error(s.name, "quantization has no dtype");
    s.quantization = qd->as_string();
    if (s.quantization == "uint8" || s.quantization == "uint16") {
      const json::Value* mn = q->find("min");
      const json::Value* sc = q->find("scale");
      if (!mn || !sc || !mn->is_number() || !sc->is_number())
        return weight_error(s.name, s.quantization + " quantization needs numeric min and scale");
      s.q_min = mn->as_number();
      s.q_scale = sc->as_number();
      if (s.dtype == DataType::kBool) return weight_error(s.name, "bool weights cannot be quantized");
    } else if (s.quantization == "float16") {
      if (s.dtype != DataType::kFloat32)
        return weight_error(s.name, "float16 quantization applies to float32 weights only");
    } else {
      return weight_error(s.name,
                          "unknown quantization dtype '" + s.quantization + "' (supported: uint8, uint16, float16)");
    }
  }
  return s;
}

size_t stored_bytes_per_element(const WeightSpec& s) {
  if (s.quantization == "uint8") return 1;
  if (s.quantization == "uint16" || s.quantization == "float16") return 2;
  return dtype_size(s.dtype);
}

// The affine map of a uint8/uint16-quantized weight, as TF.js does it: in double, then rounded to the
// weight's type.
void dequantize(double q, const WeightSpec& s, Tensor& t, size_t i) {
  double v = q * s.q_scale + s.q_min;
  if (s.dtype == DataType::kFloat32) {
    t.data<float>()[i] = static_cast<float>(v);
  } else {
    double r = std::round(v);  // Math.round rounds .5 up; std::round away from zero: differs only below zero
    if (v < 0 && v - std::floor(v) == 0.5) r = std::floor(v) + 1;
    if (!(r >= -2147483648.0 && r <= 2147483647.0)) r = 0;
    t.data<int32_t>()[i] = static_cast<int32_t>(r);
  }
}

// Decodes `count` stored elements at `src` into `t` (little-endian files, as TF.js writes them). One loop
// per storage kind, the kind chosen once: this runs once per load, in V8's baseline tier, where comparing
// the quantization's name per element was most of a float16 model's decoding time.
void decode(const WeightSpec& s, const uint8_t* src, Tensor& t) {
  size_t n = static_cast<size_t>(t.size());
  if (s.quantization.empty()) {
    std::memcpy(t.raw(), src, n * dtype_size(s.dtype));
    if (s.dtype == DataType::kBool)
      for (size_t i = 0; i < n; ++i) t.data<uint8_t>()[i] = t.data<uint8_t>()[i] != 0;
    return;
  }
  if (s.quantization == "uint8") {
    for (size_t i = 0; i < n; ++i) dequantize(src[i], s, t, i);
    return;
  }
  auto half_at = [src](size_t i) { return static_cast<uint16_t>(src[2 * i] | (src[2 * i + 1] << 8)); };
  if (s.quantization == "float16") {
    float* out = t.data<float>();
    for (size_t i = 0; i < n; ++i) out[i] = half_to_float(half_at(i));
    return;
  }
  for (size_t i = 0; i < n; ++i) dequantize(half_at(i), s, t, i);  // uint16
}

}  // namespace

Result<std::map<std::string, Tensor>> read_weights(const json::Value& manifest, const ShardReader& read_shard) {
  if (!manifest.is_array()) return Status::error("weightsManifest should be an array of groups");
  std::map<std::string, Tensor> weights;
  for (size_t gi = 0; gi < manifest.items().size(); ++gi) {
    const json::Value& group = manifest.items()[gi];
    std::string where = "weightsManifest group " + std::to_string(gi);
    const json::Value* paths = group.find("paths");
    const json::Value* specs = group.find("weights");
    if (!paths || !paths->is_array() || !specs || !specs->is_array())
      return Status::error(where + " needs 'paths' and 'weights' arrays");

    // What the weights need, before any file is read.
    std::vector<WeightSpec> parsed;
    uint64_t need = 0;
    for (const json::Value& w : specs->items()) {
      WEBCNN_ASSIGN(WeightSpec s, parse_spec(w));
      need += static_cast<uint64_t>(num_elements(s.shape)) * stored_bytes_per_element(s);
      parsed.push_back(std::move(s));
    }

    // The shards, concatenated in order; each shard's start offset is kept for error messages.
    std::vector<uint8_t> bytes;
    std::vector<std::pair<size_t, std::string>> shard_starts;
    bool reserved = false;  // room for `need` bytes, once a second shard is appended (one copy of each)
    for (const json::Value& p : paths->items()) {
      if (!p.is_string()) return Status::error(where + ": a shard path is not a string");
      const std::string& path = p.as_string();
      const std::string problem = shard_path_problem(path);
      if (!problem.empty())
        return Status::error(StatusCode::kInvalidModel, where + ": shard path '" + path +
                                                            "' must be relative to model.json, without '..' (it has " +
                                                            problem + ")");
      WEBCNN_ASSIGN(std::vector<uint8_t> shard, read_shard(path));
      if (bytes.size() + shard.size() > need)  // never hold more than the weights can use
        return Status::error("shard '" + path + "' makes " + where + " " + std::to_string(bytes.size() + shard.size()) +
                             " bytes, but its weights take " + std::to_string(need) +
                             " bytes (shard longer than the manifest says)");
      shard_starts.emplace_back(bytes.size(), path);
      if (bytes.empty()) {  // the first (often only) shard is the group's bytes as read
        bytes = std::move(shard);
        continue;
      }
      if (!reserved) bytes.reserve(static_cast<size_t>(need));
      reserved = true;
      bytes.insert(bytes.end(), shard.begin(), shard.end());
    }
    auto shard_at = [&](uint64_t offset) {
      std::string name = shard_starts.empty() ? std::string("(no shards)") : shard_starts.back().second;
      for (const auto& s : shard_starts)
        if (s.first <= offset) name = s.second;
      return name;
    };

    uint64_t offset = 0;
    for (const WeightSpec& s : parsed) {
      uint64_t n = static_cast<uint64_t>(num_elements(s.shape)) * stored_bytes_per_element(s);
      if (offset + n > bytes.size())
        return weight_error(s.name, "needs bytes " + std::to_string(offset) + ".." + std::to_string(offset + n) +
                                        " of " + where + ", but its shards hold only " + std::to_string(bytes.size()) +
                                        " bytes (shard '" + shard_at(bytes.size() ? bytes.size() - 1 : 0) +
                                        "' shorter than the manifest says, or missing from 'paths')");
      WEBCNN_ASSIGN(Tensor t, Tensor::create_for_overwrite(s.dtype, s.shape));  // decode writes every element
      decode(s, bytes.data() + offset, t);
      offset += n;
      if (weights.count(s.name)) return weight_error(s.name, "appears twice in weightsManifest");
      weights.emplace(s.name, std::move(t));
    }
  }
  return weights;
}

}  // namespace tfjs
}  // namespace webcnn
