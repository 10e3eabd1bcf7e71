// The .npy reader/writer of the CLI (tools/npy.cc): round trips, byte-exact agreement with numpy, and
// refusal of every malformed header field.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

// tools/ is linked only into the CLI executable, so the test compiles the reader itself.
#include "npy.h"

using namespace webcnn;

namespace {

std::vector<uint8_t> with_header(int major, const std::string& dict, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), 0};
  const size_t len = dict.size();
  const int len_bytes = major == 1 ? 2 : 4;
  for (int i = 0; i < len_bytes; ++i) out.push_back(static_cast<uint8_t>(len >> (8 * i)));
  out.insert(out.end(), dict.begin(), dict.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

std::string dict_of(const std::string& descr, const std::string& order, const std::string& shape) {
  return "{'descr': '" + descr + "', 'fortran_order': " + order + ", 'shape': " + shape + ", }   \n";
}

std::string parse_error(const std::vector<uint8_t>& bytes) {
  Result<Tensor> r = npy::parse(bytes.data(), bytes.size());
  return r.is_ok() ? std::string("(parsed)") : r.status().message();
}

}  // namespace

TEST_CASE("npy: round trip of every dtype and rank") {
  struct Case {
    DataType dtype;
    Shape shape;
  };
  const Case cases[] = {{DataType::kFloat32, {2, 3}},     {DataType::kFloat32, {}},   {DataType::kInt32, {5}},
                        {DataType::kInt64, {1, 2, 1, 3}}, {DataType::kUInt8, {0, 4}}, {DataType::kBool, {7}},
                        {DataType::kFloat64, {2, 2}}};
  for (const Case& c : cases) {
    Tensor t(c.dtype, c.shape);
    uint8_t* b = static_cast<uint8_t*>(t.raw());
    for (size_t i = 0; i < t.bytes(); ++i) b[i] = c.dtype == DataType::kBool ? i % 2 : static_cast<uint8_t>(i * 37 + 1);
    const std::vector<uint8_t> bytes = npy::serialize(t);
    CHECK((bytes.size() - t.bytes()) % 64 == 0);  // data starts 64-byte aligned
    Result<Tensor> back = npy::parse(bytes.data(), bytes.size());
    REQUIRE_MESSAGE(back.is_ok(), back.status().message());
    CHECK(back->dtype() == c.dtype);
    CHECK(back->shape() == c.shape);
    CHECK(std::memcmp(back->raw(), t.raw(), t.bytes()) == 0);
  }
}

TEST_CASE("npy: writes the bytes numpy writes, reads numpy's 2.0 and 3.0 headers") {
  // np.save(f, np.arange(6, dtype='<f4').reshape(2, 3)) with numpy 1.24: 128-byte header then data.
  Tensor t(DataType::kFloat32, {2, 3});
  for (int i = 0; i < 6; ++i) t.data<float>()[i] = float(i);
  const std::vector<uint8_t> bytes = npy::serialize(t);
  REQUIRE(bytes.size() == 152);
  const std::string header(bytes.begin() + 10, bytes.begin() + 128);
  CHECK(bytes[6] == 1);
  CHECK(bytes[8] == 0x76);
  CHECK(bytes[9] == 0);
  CHECK(header == "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + std::string(58, ' ') + "\n");

  const std::vector<uint8_t> payload = {1, 0, 0, 0, 2, 0, 0, 0};
  for (int major : {2, 3}) {
    Result<Tensor> r = npy::parse(with_header(major, dict_of("<i4", "False", "(2,)"), payload).data(),
                                  with_header(major, dict_of("<i4", "False", "(2,)"), payload).size());
    REQUIRE_MESSAGE(r.is_ok(), r.status().message());
    CHECK(r->shape() == Shape{2});
    CHECK(r->data<int32_t>()[1] == 2);
  }
  // Double quotes and no trailing comma are legal Python too.
  const std::string dq = "{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (1, 2)}\n";
  CHECK(npy::parse(with_header(1, dq, {3, 4}).data(), with_header(1, dq, {3, 4}).size()).is_ok());
}

TEST_CASE("npy: malformed files are refused and the message names the problem") {
  const std::vector<uint8_t> f4x2 = {0, 0, 128, 63, 0, 0, 0, 64};
  auto f4 = [&](const std::string& dict) { return parse_error(with_header(1, dict, f4x2)); };

  CHECK(parse_error({'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0, 0}).find("magic") != std::string::npos);
  // A file cut inside the magic or right after it is truncated, not "missing" its magic.
  CHECK(parse_error({0x93, 'N', 'U', 'M'}).find("truncated .npy file (4 bytes") != std::string::npos);
  CHECK(parse_error({0x93, 'N', 'U', 'M', 'P', 'Y'}).find("truncated .npy file (6 bytes") != std::string::npos);
  CHECK(parse_error({0x93, 'N', 'U', 'M', 'P', 'Y'}).find("missing") == std::string::npos);
  CHECK(parse_error({}).find("empty file") != std::string::npos);
  CHECK(parse_error(with_header(4, dict_of("<f4", "False", "(2,)"), f4x2)).find("version 4.0") != std::string::npos);
  std::vector<uint8_t> minor = with_header(1, dict_of("<f4", "False", "(2,)"), f4x2);
  minor[7] = 1;
  CHECK(parse_error(minor).find("version 1.1") != std::string::npos);
  std::vector<uint8_t> long_header = with_header(1, dict_of("<f4", "False", "(2,)"), f4x2);
  long_header[8] = 0xff;
  long_header[9] = 0x7f;
  CHECK(parse_error(long_header).find("past the end") != std::string::npos);
  CHECK(parse_error({0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 10}).find("truncated") != std::string::npos);

  CHECK(f4(dict_of(">f4", "False", "(2,)")).find("big-endian") != std::string::npos);
  CHECK(f4(dict_of("<f2", "False", "(4,)")).find("'<f2' is not supported") != std::string::npos);
  CHECK(f4(dict_of("|O", "False", "(2,)")).find("not supported") != std::string::npos);
  CHECK(f4(dict_of("<f4", "True", "(2,)")).find("Fortran") != std::string::npos);
  CHECK(f4(dict_of("<f4", "maybe", "(2,)")).find("True or False") != std::string::npos);
  CHECK(f4(dict_of("<f4", "False", "(-2,)")).find("non-negative") != std::string::npos);
  CHECK(f4(dict_of("<f4", "False", "(2.5,)")).find("in shape") != std::string::npos);
  CHECK(f4(dict_of("<f4", "False", "[2]")).find("tuple") != std::string::npos);
  CHECK(f4(dict_of("<f4", "False", "(99999999999999999999,)")).find("too large") != std::string::npos);
  CHECK(f4(dict_of("<f4", "False", "(65536, 65536)")).find("2^31") != std::string::npos);
  CHECK(f4(dict_of("<f4", "False", "(3,)")).find("needs 12") != std::string::npos);  // payload short
  CHECK(f4(dict_of("<f4", "False", "(1,)")).find("needs 4") != std::string::npos);   // trailing bytes
  CHECK(f4("{'descr': '<f4', 'shape': (2,), }\n").find("missing key 'fortran_order'") != std::string::npos);
  CHECK(f4("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}\n").find("unknown key") !=
        std::string::npos);
  CHECK(f4("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}\n").find("duplicate") !=
        std::string::npos);
  CHECK(f4("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}").find("'\\n'") != std::string::npos);
  CHECK(f4("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x\n").find("'\\n'") != std::string::npos);
  CHECK(f4("{'descr': '<f4\x01', 'fortran_order': False, 'shape': (2,)}\n").find("non-printable") != std::string::npos);
  CHECK(f4("{'descr: '<f4', 'fortran_order': False, 'shape': (2,)}\n") != "(parsed)");
  CHECK(f4("") != "(parsed)");

  // Bool elements must be 0 or 1.
  CHECK(parse_error(with_header(1, dict_of("|b1", "False", "(2,)"), {1, 2})).find("not 0 or 1") != std::string::npos);
}

TEST_CASE("npy: file helpers name the file") {
  CHECK(npy::read_file("/nonexistent/in.npy").status().message().find("/nonexistent/in.npy") != std::string::npos);
  CHECK_FALSE(npy::write_file("/nonexistent/dir/out.npy", Tensor(DataType::kFloat32, {1})).is_ok());
}

TEST_CASE("npy: int8 ('|i1', what numpy writes for np.int8) reads and writes") {
  const std::vector<uint8_t> bytes = with_header(1, dict_of("|i1", "False", "(3,)"), {0x80, 0xff, 0x7f});
  Result<Tensor> t = npy::parse(bytes.data(), bytes.size());
  REQUIRE(t.is_ok());
  CHECK(t->dtype() == DataType::kInt8);
  CHECK(t->data<int8_t>()[0] == -128);
  CHECK(t->data<int8_t>()[1] == -1);
  CHECK(t->data<int8_t>()[2] == 127);
  const std::vector<uint8_t> out = npy::serialize(*t);
  const std::string text(out.begin(), out.end());
  CHECK(text.find("'descr': '|i1'") != std::string::npos);
}
