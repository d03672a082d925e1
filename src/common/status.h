// Status and Result<T>: how errors cross module boundaries in vigia.
//
// A Status is either OK or carries a code and a human-readable message. Result<T> holds a
// value or a non-OK Status. Neither throws. Codes are stable and map to HTTP errors in the
// server (see server/http_errors) and to the SDK's error reporting.
//
// Thread-safety: value types; distinct objects may be used from distinct threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace vigia {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,  // the caller's input is malformed
  kNotFound,         // a named thing does not exist
  kAlreadyExists,
  kResourceExhausted,  // a limit was hit (size, memory, queue)
  kCorruption,         // stored data failed a checksum or structural check
  kIOError,            // the OS refused a file or network operation
  kUnavailable,        // temporarily cannot serve (shutting down, overloaded)
  kDeadlineExceeded,   // a time limit was hit
  kUnauthenticated,
  kPermissionDenied,  // authenticated, but the role or tenant does not allow it
  kInternal,          // a broken invariant: a bug in vigia
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) {
    return {StatusCode::kDeadlineExceeded, std::move(m)};
  }
  static Status Unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  // An OS error: message plus strerror(err).
  static Status FromErrno(std::string_view what, int err);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "Corruption: part 20261122-0001 column msg block 3: checksum mismatch"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

namespace internal {
// A broken Result invariant: prints "bug: <what>: <status>" to stderr and aborts. Out of
// line and cold, so a check costs its caller one predictable branch.
[[noreturn, gnu::cold, gnu::noinline]] void DieOnResultMisuse(const char* what,
                                                              const Status& status);
}  // namespace internal

// Result<T>: a value or the non-OK Status saying why there is none.
// Misuse is a bug and aborts in every build type (not only with assertions on): value()
// (and * and ->) on an error, and constructing a Result from an OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  // REQUIRES: !status.ok()
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) [[unlikely]] {
      internal::DieOnResultMisuse("Result constructed from an OK Status", status_);
    }
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // REQUIRES: ok()
  T& value() & {
    CheckOk();
    return *value_;
  }
  const T& value() const& {
    CheckOk();
    return *value_;
  }
  T&& value() && {
    CheckOk();
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  void CheckOk() const {
    if (!ok()) [[unlikely]]
      internal::DieOnResultMisuse("Result::value() on error", status_);
  }

  Status status_;
  std::optional<T> value_;
};

}  // namespace vigia

#define VIGIA_CONCAT_INNER(a, b) a##b
#define VIGIA_CONCAT(a, b) VIGIA_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define VIGIA_RETURN_IF_ERROR(expr)        \
  do {                                     \
    ::vigia::Status _vigia_st = (expr);    \
    if (!_vigia_st.ok()) return _vigia_st; \
  } while (0)

// `VIGIA_ASSIGN_OR_RETURN(auto x, MakeX());`
#define VIGIA_ASSIGN_OR_RETURN(lhs, expr)                \
  auto VIGIA_CONCAT(_vigia_res_, __LINE__) = (expr);     \
  if (!VIGIA_CONCAT(_vigia_res_, __LINE__).ok())         \
    return VIGIA_CONCAT(_vigia_res_, __LINE__).status(); \
  lhs = std::move(VIGIA_CONCAT(_vigia_res_, __LINE__)).value()
