// lowp/core/error.hpp: the single exception type lowp throws for bad input.
//
// Every public entry point validates its arguments and throws lowp::error with a
// message that names the function and the offending value, so that a caller
// never receives a silently wrong result.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace lowp {

class error : public std::invalid_argument {
 public:
  explicit error(const std::string& what) : std::invalid_argument("lowp: " + what) {}
};

namespace detail {
template <typename... Parts>
[[noreturn]] inline void fail(const Parts&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  throw error(os.str());
}
}  // namespace detail

}  // namespace lowp

// LOWP_CHECK(condition, message parts...): throws lowp::error("<parts...>") when
// condition is false. The parts are streamed, so numbers can be interpolated:
//   LOWP_CHECK(k <= max_k, "gemm: K = ", k, " exceeds the int32-safe limit ", max_k);
#define LOWP_CHECK(cond, ...)                      \
  do {                                             \
    if (!(cond)) ::lowp::detail::fail(__VA_ARGS__); \
  } while (0)
