// Hostile .tflite bytes: every malformed file is refused with an error that says what and where, never a
// crash or an out-of-bounds read (the sanitizer builds and tests/fuzz/tflite_import_fuzzer.cc go further).
// Semantic damage comes from tests/data/tflite/make_hostile_models.py; byte-level damage is done here.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "import/model_import.h"

using namespace webcnn;

namespace {

std::vector<uint8_t> read_tiny(const std::string& name) {
  std::ifstream f(std::string(WEBCNN_SOURCE_DIR) + "/tests/data/tflite/" + name, std::ios::binary);
  std::vector<uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  REQUIRE(!b.empty());
  return b;
}

Status import_bytes(const std::vector<uint8_t>& b) {
  // A copy the exact size of the data, so a read past the end is a read past the allocation (ASan).
  std::vector<uint8_t> exact(b);
  Result<Graph> g = import_tflite(exact.data(), exact.size());
  return g.is_ok() ? Status::ok() : g.status();
}

uint32_t u32(const std::vector<uint8_t>& b, size_t at) {
  uint32_t v;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}
void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) { std::memcpy(b.data() + at, &v, 4); }

// Where field `index` of the table at `table` sits (0 when absent): FlatBuffers layout, for placing damage.
size_t field_at(const std::vector<uint8_t>& b, size_t table, int index) {
  int32_t soff;
  std::memcpy(&soff, b.data() + table, 4);
  const size_t vt = table - static_cast<size_t>(static_cast<int64_t>(soff));
  uint16_t vt_size, off;
  std::memcpy(&vt_size, b.data() + vt, 2);
  if (4u + 2u * static_cast<unsigned>(index) + 2u > vt_size) return 0;
  std::memcpy(&off, b.data() + vt + 4 + 2 * index, 2);
  return off ? table + off : 0;
}
size_t deref(const std::vector<uint8_t>& b, size_t at) { return at + u32(b, at); }

void check_refused(const std::vector<uint8_t>& b, StatusCode code, const std::string& words) {
  Status s = import_bytes(b);
  REQUIRE(!s.is_ok());
  CHECK(s.code() == code);
  CAPTURE(s.message());
  CHECK(s.message().find(words) != std::string::npos);
}

}  // namespace

TEST_CASE("tflite hostile: truncated at every byte") {
  const std::vector<uint8_t> whole = read_tiny("misc_ops.tflite");
  REQUIRE(import_bytes(whole).is_ok());
  size_t refused = 0;
  for (size_t n = 0; n < whole.size(); ++n) {
    Status s = import_bytes(std::vector<uint8_t>(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n)));
    if (s.is_ok()) continue;  // only the trailing alignment padding can go unnoticed
    ++refused;
    if (s.code() != StatusCode::kInvalidModel) FAIL_CHECK(s.message());
  }
  CHECK(refused + 16 >= whole.size());
}

TEST_CASE("tflite hostile: offsets, vtables and lengths pointing outside the file") {
  const std::vector<uint8_t> good = read_tiny("conv_chain.tflite");
  const size_t root = u32(good, 0);
  SUBCASE("root offset past the end") {
    auto b = good;
    put32(b, 0, 0xfffffff0u);
    check_refused(b, StatusCode::kInvalidModel, "root table offset");
  }
  SUBCASE("vtable outside the file") {
    auto b = good;
    put32(b, root, 0x80000000u);
    check_refused(b, StatusCode::kInvalidModel, "vtable");
  }
  SUBCASE("vtable claiming more bytes than the file has") {
    auto b = good;
    int32_t soff;
    std::memcpy(&soff, b.data() + root, 4);
    const size_t vt = root - static_cast<size_t>(static_cast<int64_t>(soff));
    b[vt] = 0xfe;
    b[vt + 1] = 0xff;
    check_refused(b, StatusCode::kInvalidModel, "vtable");
  }
  SUBCASE("subgraph's tensor vector of 2^31 elements") {
    auto b = good;
    const size_t subgraphs = deref(b, field_at(b, root, 2));
    const size_t sg = deref(b, subgraphs + 4);
    const size_t tensors = deref(b, field_at(b, sg, 0));
    put32(b, tensors, 0x80000000u);
    check_refused(b, StatusCode::kInvalidModel, "runs past the end of the file");
  }
  SUBCASE("a tensor's shape vector running past the end names the tensor") {
    auto b = good;
    const size_t sg = deref(b, deref(b, field_at(b, root, 2)) + 4);
    const size_t tensors = deref(b, field_at(b, sg, 0));
    const size_t t3 = deref(b, tensors + 4 + 3 * 4);
    const size_t shape = deref(b, field_at(b, t3, 0));
    put32(b, shape, 0x7fffffffu);
    check_refused(b, StatusCode::kInvalidModel, "tensor 3 'conv': field 'shape'");
  }
  SUBCASE("an offset field that points backwards wraps to past the end") {
    auto b = good;
    put32(b, field_at(b, root, 2), 0xffffff00u);
    check_refused(b, StatusCode::kInvalidModel, "points past the end");
  }
}

TEST_CASE("tflite hostile: indices, shapes and parameters that do not hold together") {
  check_refused(read_tiny("hostile_tensor_index.tflite"), StatusCode::kInvalidModel, "tensor index 7 out of range");
  check_refused(read_tiny("hostile_buffer_index.tflite"), StatusCode::kInvalidModel, "buffer index 5 out of range");
  check_refused(read_tiny("hostile_opcode_index.tflite"), StatusCode::kInvalidModel, "opcode index 3 out of range");
  check_refused(read_tiny("hostile_negative_dim.tflite"), StatusCode::kInvalidModel, "negative dimension");
  check_refused(read_tiny("hostile_quant_lengths.tflite"), StatusCode::kInvalidModel, "2 scales but 3 zero points");
  check_refused(read_tiny("hostile_input_is_constant.tflite"), StatusCode::kInvalidModel, "is also a constant");
  check_refused(read_tiny("hostile_cycle.tflite"), StatusCode::kInvalidModel, "which no earlier operator produces");
}

TEST_CASE("tflite hostile: a bool option byte of 81 reads as true (never as an invalid C++ bool)") {
  CHECK(import_bytes(read_tiny("hostile_bool_81.tflite")).is_ok());
}

TEST_CASE("tflite hostile: every unsupported op named in one error") {
  Status s = import_bytes(read_tiny("hostile_unsupported_ops.tflite"));
  REQUIRE(!s.is_ok());
  CHECK(s.code() == StatusCode::kUnsupportedOp);
  CHECK(s.message().find("custom op 'MyFancyOp'") != std::string::npos);
  CHECK(s.message().find("GREATER_EQUAL") != std::string::npos);
  CHECK(s.message().find("BROADCAST_TO") != std::string::npos);
}

TEST_CASE("tflite hostile: not a FlatBuffer at all") {
  check_refused({}, StatusCode::kInvalidModel, "too small");
  check_refused(std::vector<uint8_t>(64, 0xff), StatusCode::kInvalidModel, "root table offset");
}
