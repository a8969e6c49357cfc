// lowp/version.hpp
#pragma once

#define LOWP_VERSION_MAJOR 0
#define LOWP_VERSION_MINOR 1
#define LOWP_VERSION_PATCH 0

namespace lowp {
inline constexpr const char* version_string() { return "0.1.0"; }
}  // namespace lowp
