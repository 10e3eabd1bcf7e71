// Errors are values: every fallible engine call returns Status or Result<T>.
// Messages say what went wrong and where, e.g. "Conv 'stem/conv1': weight has 3 input channels, input has 4".
#pragma once

#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace webcnn {

class Status {
 public:
  Status() = default;  // OK
  static Status ok() { return Status(); }
  static Status error(std::string message) { return Status(std::move(message), true); }

  bool is_ok() const { return !failed_; }
  explicit operator bool() const { return is_ok(); }
  const std::string& message() const { return message_; }

  // Prefixes context ("while loading foo.onnx: ") onto an error; OK stays OK.
  Status with_context(const std::string& context) const {
    return failed_ ? Status::error(context + ": " + message_) : *this;
  }

 private:
  Status(std::string message, bool failed) : message_(std::move(message)), failed_(failed) {}
  std::string message_;
  bool failed_ = false;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}               // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {         // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).is_ok()) v_ = Status::error("internal error: Result built from OK status");
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

 private:
  std::variant<T, Status> v_;
};

}  // namespace webcnn

// Early-return helpers. WEBCNN_TRY(expr) returns the Status if not OK;
// WEBCNN_ASSIGN(lhs, expr) unwraps a Result or returns its Status.
#define WEBCNN_TRY(expr)                           \
  do {                                             \
    ::webcnn::Status webcnn_st_ = (expr);          \
    if (!webcnn_st_.is_ok()) return webcnn_st_;    \
  } while (0)

#define WEBCNN_CONCAT_INNER(a, b) a##b
#define WEBCNN_CONCAT(a, b) WEBCNN_CONCAT_INNER(a, b)
#define WEBCNN_ASSIGN(lhs, expr) WEBCNN_ASSIGN_IMPL(WEBCNN_CONCAT(webcnn_r_, __LINE__), lhs, expr)
#define WEBCNN_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                       \
  if (!tmp.is_ok()) return tmp.status();   \
  lhs = std::move(tmp).value()
