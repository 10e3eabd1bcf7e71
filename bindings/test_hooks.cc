// Hooks for tests only, under names no application would call by accident. web/webcnn.js must recover
// when the wasm instance traps (a bug reaching `unreachable`, or an abort such as running out of
// memory); tests need a trap on demand to check that, without planting a bug in the engine.
#include <emscripten/bind.h>

namespace webcnn::js {
namespace {

[[noreturn]] void trap_for_tests() { __builtin_trap(); }

}  // namespace
}  // namespace webcnn::js

EMSCRIPTEN_BINDINGS(webcnn_test_hooks) { emscripten::function("__testOnlyTrap", &webcnn::js::trap_for_tests); }
