// examples/digits/calibrators.hpp: the activation calibrators the example compares.
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "lowp/core/error.hpp"

namespace digits {

struct Range {
  float min = 0, max = 0;
};

struct Calibrator {
  std::string name;
  std::function<Range(const std::vector<float>&)> range;
};

inline Range min_max(const std::vector<float>& v) {
  LOWP_CHECK(!v.empty(), "min_max: no samples");
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return {*lo, *hi};
}

inline std::vector<Calibrator> calibrators() {
  return {{"min-max", min_max}};
}

}  // namespace digits
