// Errors are values: every fallible engine call returns Status or Result<T>.
// Messages say what went wrong and where, e.g. "Conv 'stem/conv1': weight has 3 input channels, input has 4".
// A code says what kind of error it is, so callers (and JS, as error.code) can react without parsing text.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace webcnn {

enum class StatusCode : uint8_t {
  kOk,
  // An error whose origin cannot tell its kind (a shape check does not know whether the shape came
  // from a model file or from the caller). The public API call that knows the context gives it one
  // (with_default_code), so callers of the public API never see kUnknown.
  kUnknown,
  kInvalidModel,       // the model file is malformed or inconsistent
  kUnsupportedOp,      // the model uses ops (or op variants, layers) the engine does not implement
  kInvalidArgument,    // the caller's inputs, options, image or file path are wrong
  kResourceExhausted,  // a memory budget or an allocation refused the request
  kInternal,           // a bug in the engine: an invariant did not hold
};

// "INVALID_MODEL", "UNSUPPORTED_OP", ...: the code's name as JS's error.code spells it.
inline const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kUnknown: return "UNKNOWN";
    case StatusCode::kInvalidModel: return "INVALID_MODEL";
    case StatusCode::kUnsupportedOp: return "UNSUPPORTED_OP";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case StatusCode::kInternal: return "INTERNAL";
  }
  return "UNKNOWN";
}

class Status {
 public:
  // Messages are for people. Names quoted from a damaged file may hold any bytes: control bytes (newline
  // and tab too: messages are one line) and bytes that are not UTF-8 text read as \xNN, as web/webcnn/
  // errors.js writes them; UTF-8 characters (×, →, names in any script) are kept. A message that names a
  // huge list (a 200k-rank shape, a long chain of contexts) is cut to kMaxMessageBytes, ending in
  // "... (N bytes in all)", never inside an escape or a character.
  static constexpr size_t kMaxMessageBytes = 4096;

  Status() = default;  // OK
  static Status ok() { return Status(); }
  static Status error(std::string message) { return Status(StatusCode::kUnknown, std::move(message)); }
  static Status error(StatusCode code, std::string message) {
    return Status(code == StatusCode::kOk ? StatusCode::kInternal : code, std::move(message));
  }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  const std::string& message() const { return message_; }
  StatusCode code() const { return code_; }

  // Prefixes context ("while loading foo.onnx: ") onto an error, keeping its code; OK stays OK.
  Status with_context(const std::string& context) const {
    return is_ok() ? *this : Status(code_, context + ": " + message_);
  }
  // The same error with this code: for the place where an error is born with a clear kind.
  Status with_code(StatusCode code) const { return is_ok() ? *this : Status::error(code, message_); }
  // Gives an error that has no kind yet this one; a code set where the error was born is kept.
  Status with_default_code(StatusCode code) const {
    return code_ == StatusCode::kUnknown ? Status::error(code, message_) : *this;
  }

 private:
  // The message as the rules above have it; unchanged when it already is (with_context re-reads it).
  static std::string readable(std::string m);  // core/status.cc
  Status(StatusCode code, std::string message) : message_(readable(std::move(message))), code_(code) {}

  std::string message_;
  StatusCode code_ = StatusCode::kOk;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).is_ok())
      v_ = Status::error(StatusCode::kInternal, "internal error: Result built from OK status");
  }

  bool is_ok() const { return v_.index() == 0; }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const {
    static const Status kOk;
    return is_ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &std::get<T>(v_); }
  const T* operator->() const { return &std::get<T>(v_); }
  T& operator*() & { return value(); }

  // Status::with_default_code for a failed Result; a value passes through.
  Result with_default_code(StatusCode code) && {
    if (is_ok()) return std::move(*this);
    return std::get<Status>(v_).with_default_code(code);
  }

 private:
  std::variant<T, Status> v_;
};

}  // namespace webcnn

// Early-return helpers. WEBCNN_TRY(expr) returns the Status if not OK;
// WEBCNN_ASSIGN(lhs, expr) unwraps a Result or returns its Status.
#define WEBCNN_TRY(expr)                        \
  do {                                          \
    ::webcnn::Status webcnn_st_ = (expr);       \
    if (!webcnn_st_.is_ok()) return webcnn_st_; \
  } while (0)

#define WEBCNN_CONCAT_INNER(a, b) a##b
#define WEBCNN_CONCAT(a, b) WEBCNN_CONCAT_INNER(a, b)
#define WEBCNN_ASSIGN(lhs, expr) WEBCNN_ASSIGN_IMPL(WEBCNN_CONCAT(webcnn_r_, __LINE__), lhs, expr)
#define WEBCNN_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                       \
  if (!tmp.is_ok()) return tmp.status();   \
  lhs = std::move(tmp).value()
