#include <cstdio>

int main() {
  std::fprintf(stderr, "webcnn: the command-line tool is being built\n");
  return 2;
}
