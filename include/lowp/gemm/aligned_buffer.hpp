// lowp/gemm/aligned_buffer.hpp: a growable, 64-byte aligned scratch buffer.
//
// Grows only (so a Context reused across calls stops allocating after the
// first call of the largest shape) and never value-initializes on growth.
//
// On Linux a buffer of 2 MiB or more (in practice: packed weights beyond L2) is a
// mapping of its own, 2 MiB aligned and advised for transparent huge pages
// (MADV_HUGEPAGE; THP's default "madvise" mode only backs advised ranges). A GEMM
// streams such weights once per call: with 4 KiB pages every 4 KiB of the stream
// starts with a TLB miss (16 MiB = 4096 pages, beyond the L2 TLB; in a VM each miss
// is a nested page walk) and the hardware prefetchers stop at the page boundary.
// A fresh mapping matters: memory the allocator recycles is already backed by 4 KiB
// pages, which the advice does not replace. Where the kernel declines (THP off, no
// free huge page) the mapping simply keeps 4 KiB pages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "lowp/gemm/isa_namespace.hpp"

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace gemm_detail {

class AlignedBuffer {
 public:
  static constexpr std::size_t alignment = 64;  // a cache line, and one zmm register

  AlignedBuffer() = default;
  explicit AlignedBuffer(std::size_t bytes) { reserve(bytes); }

  static constexpr std::size_t huge_page = std::size_t{2} << 20;

  // Ensures capacity for `bytes`; contents are NOT preserved on growth.
  void reserve(std::size_t bytes) {
    if (bytes <= capacity_) return;
    data_.reset();  // release first: the old and new buffers are never both held
    capacity_ = 0;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= huge_page) {
      const std::size_t rounded = (bytes + huge_page - 1) / huge_page * huge_page;
      data_ = map_huge(rounded);
      capacity_ = rounded;
      return;
    }
#endif
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
  struct Release {
    std::size_t mapped;  // bytes of an own mapping, 0 (value-initialized) for aligned_alloc memory
    void operator()(unsigned char* p) const {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
      if (mapped) {
        munmap(p, mapped);
        return;
      }
#endif
      std::free(p);
    }
  };
  using Memory = std::unique_ptr<unsigned char, Release>;

#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // `bytes` (a multiple of huge_page) of fresh anonymous memory at a huge_page boundary:
  // map one page more than needed and unmap the misaligned head and the tail.
  static Memory map_huge(std::size_t bytes) {
    const std::size_t span = bytes + huge_page;
    void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto base = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t start = (base + huge_page - 1) / huge_page * huge_page;
    if (start > base) munmap(raw, start - base);
    if (base + span > start + bytes) munmap(reinterpret_cast<void*>(start + bytes), base + span - (start + bytes));
    auto* p = reinterpret_cast<unsigned char*>(start);
    madvise(p, bytes, MADV_HUGEPAGE);  // advice only: on failure the pages stay 4 KiB
    return Memory(p, Release{bytes});
  }
#endif

  Memory data_;
  std::size_t capacity_ = 0;
};

}  // namespace gemm_detail
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
