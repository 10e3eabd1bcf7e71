// The official ONNX backend test cases (model.onnx + test_data_set_*/{input,output}_N.pb), run through
// Model::load_onnx and compared with the expected outputs.
//
//   WEBCNN_CONFORMANCE_FILTER=<substring>  only case directories whose path contains it
//   WEBCNN_CONFORMANCE_VERBOSE=1           one line per case
//
// Tolerance: |a - b| <= 1e-5 + 1e-3 * |b| for floats (float64 data is compared in float32),
// exact for integers and bools, NaN where and only where the expected output has NaN.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/onnx_test_data.h"
#include "webcnn/model.h"

namespace fs = std::filesystem;
using namespace webcnn;

namespace webcnn {
Result<Tensor> parse_tensor_proto(const uint8_t* data, size_t size);
}

namespace {

constexpr double kRtol = 1e-3;
constexpr double kAtol = 1e-5;

struct Outcome {
  enum Kind { kPass, kFail, kSkip } kind = kPass;
  std::string detail;                    // failure: what went wrong; skip: the reason (aggregated in the table)
  std::vector<std::string> missing_ops;  // for skips caused by unsupported ops
};

// The one place that decides whether an error means "the engine does not do this" (skip) or
// "the engine does it wrong" (fail). Skips: ops missing from the registry, dtypes the engine lacks,
// external data, opsets outside the importer's range, and explicit refusals ("unsupported: ...").
Outcome classify_error(const std::string& msg) {
  Outcome o;
  o.kind = Outcome::kSkip;
  const std::string ops_tag = "unsupported ops: ";
  size_t p = msg.find(ops_tag);
  if (p != std::string::npos) {
    // "unsupported ops: A (1 node: 'x'); B (2 nodes, e.g. 'y')"
    size_t pos = p + ops_tag.size();
    while (pos < msg.size()) {
      size_t paren = msg.find(" (", pos);
      if (paren == std::string::npos) break;
      o.missing_ops.push_back(msg.substr(pos, paren - pos));
      size_t next = msg.find("); ", paren);
      if (next == std::string::npos) break;
      pos = next + 3;
    }
    o.detail = o.missing_ops.size() == 1 ? "unsupported op " + o.missing_ops[0] : "several unsupported ops";
    return o;
  }
  if (msg.find("external-data") != std::string::npos) {
    o.detail = "external data";
    return o;
  }
  p = msg.find("unsupported dtype");
  if (p != std::string::npos) {
    size_t end = msg.find_first_of(" ()", p + 18);
    o.detail = msg.substr(p, end == std::string::npos ? std::string::npos : end - p);
    return o;
  }
  p = msg.find("unsupported opset");
  if (p != std::string::npos) {
    size_t end = msg.find(' ', p + 18);
    o.detail = msg.substr(p, end == std::string::npos ? std::string::npos : end - p);
    return o;
  }
  p = msg.find("unsupported: ");
  if (p != std::string::npos) {
    // "Conv 'x': unsupported: 3-D convolution (input [2,3,5,5,5])" → "Conv refuses: 3-D convolution",
    // dropping node names and parenthesised details so that equal refusals count together.
    std::string op = p == 0 ? "" : msg.substr(0, std::min(msg.find(' '), p));
    std::string what;
    bool in_quote = false;
    int parens = 0;
    for (char c : msg.substr(p + 13)) {
      if (c == '\'' && parens == 0) in_quote = !in_quote;
      else if (c == '(' && !in_quote) ++parens;
      else if (c == ')' && !in_quote && parens > 0) --parens;
      else if (!in_quote && parens == 0) what += c;
    }
    while (!what.empty() && (what.back() == ' ' || what.back() == ';' || what.back() == '.')) what.pop_back();
    o.detail = (op.empty() ? "refused: " : op + " refuses: ") + what.substr(0, 70);
    return o;
  }
  o.kind = Outcome::kFail;
  o.detail = msg;
  return o;
}

std::vector<fs::path> numbered_files(const fs::path& dir, const std::string& prefix) {
  std::vector<std::pair<int, fs::path>> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || e.path().extension() != ".pb") continue;
    found.emplace_back(std::atoi(name.c_str() + prefix.size()), e.path());
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& f : found) out.push_back(f.second);
  return out;
}

// Reads a .pb tensor; errors keep their message so unsupported dtypes classify as skips.
Result<Tensor> load_tensor(const fs::path& path) {
  std::vector<uint8_t> bytes;
  if (!webcnn_test::read_file_bytes(path, bytes)) return Status::error("cannot read " + path.string());
  return parse_tensor_proto(bytes.data(), bytes.size());
}

// Empty when equal within tolerance; otherwise the first mismatch.
std::string compare(const Tensor& got, const Tensor& want) {
  // An output the model declares double comes back as float64 (computed in float32); the expected .pb
  // tensor is read narrowed to float32: compare in float32.
  if (got.dtype() == DataType::kFloat64 && want.dtype() == DataType::kFloat32) {
    Tensor narrowed(DataType::kFloat32, got.shape());
    const std::vector<float> v = got.to_float_vector();
    if (!v.empty()) std::memcpy(narrowed.raw(), v.data(), v.size() * sizeof(float));
    return compare(narrowed, want);
  }
  if (got.dtype() != want.dtype())
    return std::string("dtype ") + dtype_name(got.dtype()) + ", expected " + dtype_name(want.dtype());
  if (got.shape() != want.shape())
    return "shape " + shape_to_string(got.shape()) + ", expected " + shape_to_string(want.shape());
  const int64_t n = want.size();
  if (want.dtype() == DataType::kFloat32) {
    const float* a = got.data<float>();
    const float* b = want.data<float>();
    for (int64_t i = 0; i < n; ++i) {
      double x = a[i], y = b[i];
      bool ok = std::isnan(y) ? std::isnan(x) : (x == y || std::fabs(x - y) <= kAtol + kRtol * std::fabs(y));
      if (!ok)
        return "at flat index " + std::to_string(i) + ": got " + std::to_string(x) + ", expected " + std::to_string(y);
    }
    return "";
  }
  std::vector<int64_t> a = got.to_int64_vector(), b = want.to_int64_vector();
  for (size_t i = 0; i < b.size(); ++i)
    if (a[i] != b[i])
      return "at flat index " + std::to_string(i) + ": got " + std::to_string(a[i]) + ", expected " +
             std::to_string(b[i]);
  return "";
}

Outcome run_case(const fs::path& dir) {
  std::vector<uint8_t> bytes;
  if (!webcnn_test::read_file_bytes(dir / "model.onnx", bytes)) return {Outcome::kFail, "cannot read model.onnx", {}};
  auto loaded = Model::load_onnx(bytes.data(), bytes.size());
  if (!loaded.is_ok()) {
    Outcome o = classify_error(loaded.status().message());
    if (o.kind == Outcome::kFail) o.detail = "load: " + o.detail;
    return o;
  }
  Model& model = *loaded.value();

  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return {Outcome::kFail, "no test_data_set_* directory", {}};

  for (const fs::path& set : sets) {
    const std::string where = set.filename().string() + ": ";
    std::vector<Tensor> inputs, expected;
    for (const fs::path& f : numbered_files(set, "input_")) {
      Result<Tensor> t = load_tensor(f);
      if (!t.is_ok()) {
        Outcome o = classify_error(t.status().message());
        o.detail = o.kind == Outcome::kFail ? where + f.filename().string() + ": " + o.detail : o.detail;
        return o;
      }
      inputs.push_back(std::move(t).value());
    }
    for (const fs::path& f : numbered_files(set, "output_")) {
      Result<Tensor> t = load_tensor(f);
      if (!t.is_ok()) {
        Outcome o = classify_error(t.status().message());
        o.detail = o.kind == Outcome::kFail ? where + f.filename().string() + ": " + o.detail : o.detail;
        return o;
      }
      expected.push_back(std::move(t).value());
    }
    if (inputs.size() != model.inputs().size())
      return {Outcome::kFail,
              where + std::to_string(inputs.size()) + " input files, the model takes " +
                  std::to_string(model.inputs().size()) + " inputs",
              {}};
    std::map<std::string, const Tensor*> feed;
    for (size_t i = 0; i < inputs.size(); ++i) feed[model.inputs()[i].name] = &inputs[i];
    auto run = model.run(feed);
    if (!run.is_ok()) {
      Outcome o = classify_error(run.status().message());
      if (o.kind == Outcome::kFail) o.detail = where + "run: " + o.detail;
      return o;
    }
    const std::vector<Tensor>& got = run.value();
    if (got.size() != expected.size())
      return {Outcome::kFail,
              where + std::to_string(got.size()) + " outputs, expected " + std::to_string(expected.size()),
              {}};
    for (size_t i = 0; i < got.size(); ++i) {
      std::string diff = compare(got[i], expected[i]);
      if (!diff.empty())
        return {
            Outcome::kFail, where + "output " + std::to_string(i) + " '" + model.outputs()[i].name + "': " + diff, {}};
    }
  }
  return {};
}

template <typename Map>
void print_top(const char* title, const Map& counts, size_t limit) {
  std::vector<std::pair<int, std::string>> sorted;
  for (const auto& kv : counts) sorted.emplace_back(kv.second, kv.first);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  std::printf("%s (%zu distinct)\n", title, sorted.size());
  for (size_t i = 0; i < sorted.size() && i < limit; ++i)
    std::printf("  %5d  %s\n", sorted[i].first, sorted[i].second.c_str());
}

}  // namespace

TEST_CASE("ONNX conformance: official backend test cases") {
  if (!fs::exists(webcnn_test::onnx_test_data_root())) {
    MESSAGE("ONNX test data not installed (apt install libonnx-testdata); skipping");
    return;
  }
  const char* filter_env = std::getenv("WEBCNN_CONFORMANCE_FILTER");
  const std::string filter = filter_env ? filter_env : "";
  const char* verbose_env = std::getenv("WEBCNN_CONFORMANCE_VERBOSE");
  const bool verbose = verbose_env && std::string(verbose_env) == "1";

  std::vector<fs::path> cases;
  for (const std::string& family : webcnn_test::onnx_test_data_families()) {
    fs::path root = fs::path(webcnn_test::onnx_test_data_root()) / family;
    if (!fs::exists(root)) continue;
    for (const auto& e : fs::directory_iterator(root))
      if (e.is_directory() && fs::exists(e.path() / "model.onnx") &&
          e.path().string().find(filter) != std::string::npos)
        cases.push_back(e.path());
  }
  std::sort(cases.begin(), cases.end());

  int passed = 0, failed = 0, skipped = 0;
  std::map<std::string, int> skip_reasons, missing_ops;
  std::vector<std::string> failures;
  for (const fs::path& dir : cases) {
    const std::string name = dir.parent_path().filename().string() + "/" + dir.filename().string();
    Outcome o = run_case(dir);
    switch (o.kind) {
      case Outcome::kPass: ++passed; break;
      case Outcome::kFail:
        ++failed;
        failures.push_back(name + ": " + o.detail);
        break;
      case Outcome::kSkip:
        ++skipped;
        ++skip_reasons[o.detail];
        for (const std::string& op : o.missing_ops) ++missing_ops[op];
        break;
    }
    if (verbose) {
      static const char* kinds[] = {"PASS", "FAIL", "SKIP"};
      std::printf("%s %s%s%s\n", kinds[o.kind], name.c_str(), o.detail.empty() ? "" : ": ", o.detail.c_str());
    }
  }
  for (const std::string& f : failures) std::printf("FAILED %s\n", f.c_str());
  print_top("skip reasons", skip_reasons, 30);
  print_top("missing ops (cases needing each)", missing_ops, 30);
  std::printf("conformance: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
  std::fflush(stdout);
  CHECK(failed == 0);
}
