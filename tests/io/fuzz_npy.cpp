// libFuzzer entry point for lowp::io::parse_npy: any input must either parse into a
// consistent array or throw lowp::error; crashes, sanitizer reports, other exceptions and
// allocations beyond the input size are bugs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "lowp/io/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const lowp::io::NpyArray a = lowp::io::parse_npy(data, size);
    std::size_t count = 1;
    for (std::ptrdiff_t d : a.shape) count *= static_cast<std::size_t>(d);
    if (count != a.data.size() || a.data.size() * 2 > size) std::abort();
  } catch (const lowp::error&) {
  }
  return 0;
}
