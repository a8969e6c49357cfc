// lowp/gemm/aligned_buffer.hpp: a growable, 64-byte aligned scratch buffer.
//
// Grows only (so a Context reused across calls stops allocating after the
// first call of the largest shape) and never value-initializes on growth.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

#include "lowp/gemm/isa_namespace.hpp"

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace gemm_detail {

class AlignedBuffer {
 public:
  static constexpr std::size_t alignment = 64;  // a cache line, and one zmm register

  AlignedBuffer() = default;
  explicit AlignedBuffer(std::size_t bytes) { reserve(bytes); }

  // Ensures capacity for `bytes`; contents are NOT preserved on growth.
  void reserve(std::size_t bytes) {
    if (bytes <= capacity_) return;
    const std::size_t rounded = (bytes + alignment - 1) / alignment * alignment;
    void* p = std::aligned_alloc(alignment, rounded);
    if (!p) throw std::bad_alloc();
    data_.reset(static_cast<unsigned char*>(p));
    capacity_ = rounded;
  }
  template <typename T>
  T* as() const {
    return reinterpret_cast<T*>(data_.get());
  }
  std::size_t capacity() const { return capacity_; }

 private:
  struct Free {
    void operator()(unsigned char* p) const { std::free(p); }
  };
  std::unique_ptr<unsigned char, Free> data_;
  std::size_t capacity_ = 0;
};

}  // namespace gemm_detail
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
