// The `webcnn` command-line tool as a user meets it: exit codes, messages on stderr, files written.
// Runs the built binary: WEBCNN_CLI_PATH (set by CMake) if defined, else $WEBCNN_CLI, else `webcnn`
// beside this test executable (both live in the build directory).
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../../tools/npy.h"  // compiled into this binary by npy_test.cc
#include "kernels/kernel_table.h"
#include "support/test_photos.h"
#include "webcnn/image.h"

using namespace webcnn;

namespace {

std::string cli_path() {
#ifdef WEBCNN_CLI_PATH
  return WEBCNN_CLI_PATH;
#else
  if (const char* env = std::getenv("WEBCNN_CLI")) return env;
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "webcnn";
  std::string dir(self, static_cast<size_t>(n));
  return dir.substr(0, dir.find_last_of('/') + 1) + "webcnn";
#endif
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/webcnn_cli_test_XXXXXX";
    path = mkdtemp(tmpl) ? tmpl : "/tmp";
  }
  ~TempDir() { (void)std::system(("rm -rf " + quote(path)).c_str()); }
};

struct Outcome {
  int exit_code = -1;
  std::string out, err;
};

Outcome run_cli(const std::vector<std::string>& args) {
  static TempDir logs;
  std::string cmd = quote(cli_path());
  for (const std::string& a : args) cmd += " " + quote(a);
  cmd += " >" + quote(logs.path + "/out") + " 2>" + quote(logs.path + "/err");
  const int status = std::system(cmd.c_str());
  Outcome o;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  o.out = slurp(logs.path + "/out");
  o.err = slurp(logs.path + "/err");
  return o;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string photo(const char* name) { return webcnn_test::test_photo(name); }

}  // namespace

TEST_CASE("cli: the binary is there") {
  const std::string hint = "build the `webcnn` target first: " + cli_path();
  REQUIRE_MESSAGE(access(cli_path().c_str(), X_OK) == 0, hint);
}

TEST_CASE("cli: bad command lines exit 2 with usage on stderr") {
  Outcome o = run_cli({});
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "usage: webcnn"));
  o = run_cli({"frobnicate"});
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "unknown command 'frobnicate'"));
  o = run_cli({"run", "m.onnx", "--input", "x.npy"});
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "--output DIR is required"));
  o = run_cli({"run", "m.onnx", "--output"});
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "needs a value"));
  o = run_cli({"info"});
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "usage: webcnn info"));
  o = run_cli({"classify", "m.onnx", "img.jpg", "--top", "0"});
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "--top"));
  o = run_cli({"classify", "m.onnx", "img.jpg", "--crop", "zoom"});
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "--crop must be"));
  o = run_cli({"preprocess", "img.jpg", "--output", "x.npy", "--mean", "1,2"});
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "three comma-separated"));
  o = run_cli({"info", "m.onnx", "--bogus", "1"});
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "unknown option '--bogus'"));
  o = run_cli({"--help"});
  CHECK(o.exit_code == 0);
  CHECK(contains(o.out, "classify"));
}

TEST_CASE("cli: unreadable and malformed inputs exit 1 with a message naming the file") {
  TempDir dir;
  Outcome o = run_cli({"info", dir.path + "/missing.onnx"});
  CHECK(o.exit_code == 1);
  CHECK(contains(o.err, "missing.onnx"));

  const std::string junk = dir.path + "/junk.onnx";
  std::ofstream(junk, std::ios::binary) << "this is not a protobuf \xff\xff\xff\xff";
  o = run_cli({"info", junk});
  CHECK(o.exit_code == 1);
  CHECK(contains(o.err, "junk.onnx"));
  o = run_cli({"run", junk, "--input", "x=" + dir.path + "/x.npy", "--output", dir.path});
  CHECK(o.exit_code == 1);
  CHECK(contains(o.err, "webcnn: "));

  o = run_cli({"preprocess", junk, "--output", dir.path + "/x.npy"});
  CHECK(o.exit_code == 1);
  CHECK(contains(o.err, "not a JPEG, PNG or BMP"));
}

TEST_CASE("cli: preprocess writes exactly what the library computes for a real photo") {
  TempDir dir;
  const std::string out = dir.path + "/hopper.npy";
  Outcome o =
      run_cli({"preprocess", photo("grace_hopper.bmp"), "--output", out, "--size", "96x80", "--layout", "nhwc",
               "--crop", "letterbox", "--pad", "114,114,114", "--scale", "1", "--mean", "0,0,0", "--std", "1,1,1"});
  REQUIRE_MESSAGE(o.exit_code == 0, o.err);
  Result<Tensor> written = npy::read_file(out);
  REQUIRE_MESSAGE(written.is_ok(), written.status().message());
  CHECK(written->shape() == Shape{1, 80, 96, 3});

  Result<Image> img = decode_image_file(photo("grace_hopper.bmp"));
  REQUIRE(img.is_ok());
  PreprocessOptions opt;
  opt.width = 96;
  opt.height = 80;
  opt.layout = TensorLayout::kNHWC;
  opt.fit = FitMode::kLetterbox;
  opt.pad_color = {114, 114, 114};
  opt.scale = 1;
  Tensor expect = preprocess_image(img->view(), opt).value();
  CHECK(std::memcmp(expect.raw(), written->raw(), expect.bytes()) == 0);
  CHECK(written->data<float>()[0] == 114.0f);  // a letterbox bar (the portrait is taller than wide)
}

TEST_CASE("cli: run writes every output as .npy (ONNX conformance model test_relu)") {
  // Needs the ONNX importer and the Relu kernel.
  const std::string model = "/usr/share/libonnx-testdata/data/node/test_relu/model.onnx";
  TempDir dir;
  Tensor x(DataType::kFloat32, {3, 4, 5});
  for (int i = 0; i < 60; ++i) x.data<float>()[i] = float(i % 7) - 3.0f;
  REQUIRE(npy::write_file(dir.path + "/x.npy", x).is_ok());
  Outcome o = run_cli({"run", model, "--input", dir.path + "/x.npy", "--output", dir.path + "/out"});
  REQUIRE_MESSAGE(o.exit_code == 0, o.err);
  Result<Tensor> y = npy::read_file(dir.path + "/out/y.npy");
  REQUIRE_MESSAGE(y.is_ok(), y.status().message());
  CHECK(y->shape() == Shape{3, 4, 5});
  for (int i = 0; i < 60; ++i) CHECK(y->data<float>()[i] == std::max(0.0f, x.data<float>()[i]));

  // A malformed .npy input is refused with the file named.
  std::ofstream(dir.path + "/bad.npy", std::ios::binary) << "\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'}";
  o = run_cli({"run", model, "--input", "x=" + dir.path + "/bad.npy", "--output", dir.path + "/out"});
  CHECK(o.exit_code == 1);
  CHECK(contains(o.err, "bad.npy"));
}

TEST_CASE("cli: bench times a model; --profile accounts for its nodes, MACs and working set") {
  // One 3x3 Conv, pads 1: x [1,1,5,5] * W [1,1,3,3] -> y [1,1,5,5]. By hand: 25 outputs x 9 taps = 225 MACs;
  // the node's non-constant tensors (W is a graph input here) are 25 + 9 + 25 floats = 236 bytes.
  const std::string model = "/usr/share/libonnx-testdata/data/node/test_basic_conv_with_padding/model.onnx";
  Outcome o = run_cli({"bench", model, "--runs", "3", "--warmup", "1", "--profile", "--top", "5"});
  REQUIRE_MESSAGE(o.exit_code == 0, o.err);
  CHECK(contains(o.out, "runs: 3 timed after 1 warm-up"));
  CHECK(contains(o.out, "time_ms: median "));
  CHECK(contains(o.out, "MACs: 225 -> "));
  CHECK(contains(o.out, "profile: 1 node;"));
  CHECK(contains(o.out, "  Conv 3x3                     1 "));
  CHECK(contains(o.out, "slowest 1 nodes:"));
  CHECK(contains(o.out, "largest step working set (non-constant inputs + outputs): 236 bytes (y)"));

  o = run_cli({"bench", model, "--runs", "0"});
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "--runs must be between 1 and 1000000, got 0"));
  o = run_cli({"bench"});
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "usage: webcnn bench"));
  o = run_cli({"bench", "/nonexistent/model.onnx"});
  CHECK(o.exit_code == 1);
  CHECK(contains(o.err, "model.onnx"));
}

TEST_CASE("cli: run takes a .tflite model and writes what numpy computed for it") {
  TempDir dir;
  const std::string data = std::string(WEBCNN_SOURCE_DIR) + "/tests/data/tflite/";
  Outcome o = run_cli(
      {"run", data + "conv_chain.tflite", "--input", "input=" + data + "conv_chain.input.npy", "--output", dir.path});
  REQUIRE_MESSAGE(o.exit_code == 0, o.err);
  Result<Tensor> got = npy::read_file(dir.path + "/probs.npy");
  Result<Tensor> want = npy::read_file(data + "conv_chain.expected.npy");
  REQUIRE(got.is_ok());
  REQUIRE(want.is_ok());
  REQUIRE(got->shape() == want->shape());
  for (int64_t i = 0; i < got->size(); ++i)
    CHECK(got->data<float>()[i] == doctest::Approx(want->data<float>()[i]).epsilon(1e-5));
  o = run_cli({"info", data + "conv_chain.tflite"});
  CHECK(o.exit_code == 0);
  CHECK(contains(o.out, "probs                    float32  [1,7]"));
}

TEST_CASE("cli: info names the kernel table; WEBCNN_ISA forces one, an unknown name falls back with a message") {
  const std::string model = std::string(WEBCNN_SOURCE_DIR) + "/tests/data/tflite/conv_chain.tflite";
  const char* inherited = std::getenv("WEBCNN_ISA");  // the test binaries set it; the child inherits ours
  const std::string saved = inherited ? inherited : "";
  setenv("WEBCNN_ISA", "scalar", 1);
  Outcome o = run_cli({"info", model});
  CHECK(o.exit_code == 0);
  CHECK(contains(o.out, "kernels: scalar"));
  CHECK(o.err.empty());
  setenv("WEBCNN_ISA", "no-such-isa", 1);
  o = run_cli({"info", model});
  CHECK(o.exit_code == 0);
  CHECK(contains(o.err, "WEBCNN_ISA=no-such-isa is not compiled in or not supported by this CPU"));
  CHECK(contains(o.out, std::string("kernels: ") + webcnn::kernels::supported_tables().front()->isa));
  if (inherited) setenv("WEBCNN_ISA", saved.c_str(), 1);
  else unsetenv("WEBCNN_ISA");
}

TEST_CASE("cli: classify feeds a quantised model raw pixels and dequantises its scores") {
  Outcome o = run_cli({"classify", std::string(WEBCNN_SOURCE_DIR) + "/models/tflite/mobilenet_v2_1.0_224_quant.tflite",
                       photo("grace_hopper.bmp"), "--labels",
                       std::string(WEBCNN_SOURCE_DIR) + "/models/tflite/imagenet_labels.txt", "--top", "1", "--crop",
                       "stretch"});
  REQUIRE_MESSAGE(o.exit_code == 0, o.err);
  CHECK(contains(o.out, "1 military uniform 0."));
  // The output is TFLite's 8-bit softmax (scale 1/256): probabilities as they are, not softmaxed again
  // (which flattened them to ~0.002). LiteRT.js gives 0.93 on this input.
  const size_t at = o.out.find("military uniform ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(o.out.substr(at + 17)) > 0.5);
}
