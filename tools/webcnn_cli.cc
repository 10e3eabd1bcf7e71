// `webcnn`: the native command-line tool. One file per command (cli_<command>.cc); this one dispatches.
#include <cstdio>
#include <string>
#include <vector>

#include "cli_common.h"

namespace {

const char kUsage[] =
    "usage: webcnn <command> [arguments]\n"
    "\n"
    "commands:\n"
    "  info MODEL                         inputs, outputs, op histogram, parameters, MACs, arena size\n"
    "  run MODEL --input NAME=FILE.npy... --output DIR\n"
    "                                     run on .npy inputs, write every output to DIR/<name>.npy\n"
    "  classify MODEL IMAGE [options]     decode, preprocess, run, print the top classes\n"
    "  preprocess IMAGE --output FILE.npy [options]\n"
    "                                     write the tensor classify would feed the model\n"
    "  bench MODEL [--runs N] [--warmup N] [--profile]\n"
    "                                     median time of a run on one thread; --profile: time per op\n"
    "\n"
    "MODEL is an .onnx file or a TF.js model.json. `webcnn <command> --help` shows a command's options.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace webcnn::cli;
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "info") return command_info(args);
  if (command == "run") return command_run(args);
  if (command == "classify") return command_classify(args);
  if (command == "preprocess") return command_preprocess(args);
  if (command == "bench") return command_bench(args);
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::fprintf(stderr, "webcnn: unknown command '%s'\n\n%s", command.c_str(), kUsage);
  return kExitUsage;
}
