// The test photos: tests/data/photos in the repository (credits and licences in ATTRIBUTION.md there).
#pragma once

#include <cstdlib>
#include <string>

namespace webcnn_test {

// The path of a test photo. The tree is WEBCNN_SOURCE_DIR unless $WEBCNN_TEST_SOURCE_DIR names another
// copy of it: scripts/check-self-contained.sh runs the photo tests on a copy of the tracked files with
// nothing beside it, which proves they need nothing outside the repository.
inline std::string test_photo(const char* name) {
  const char* tree = std::getenv("WEBCNN_TEST_SOURCE_DIR");
  return std::string(tree && *tree ? tree : WEBCNN_SOURCE_DIR) + "/tests/data/photos/" + name;
}

}  // namespace webcnn_test
