// lowp/gemm/context.hpp: scratch memory and the (optional) thread pool of the GEMM.
//
// A Context owns every buffer the GEMM needs after weight packing: per-thread
// packed activation blocks and row sums, and the per-column epilogue parameters.
// Buffers only grow, so once a Context has served the largest shape, further
// calls allocate nothing. A Context is not thread-safe: one per calling thread.
//
// Threading is opt-in: give the Context a ThreadPool. The GEMM splits C into
// disjoint blocks of rows and columns; every output element is computed by the
// same instruction sequence over the full depth whatever the split, and all
// arithmetic is exact integer arithmetic, so results are bit-identical for any
// number of threads.
#pragma once

#include <cstddef>
#include <vector>

#include "lowp/gemm/aligned_buffer.hpp"
#include "lowp/gemm/isa_namespace.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace lowp {

// Implemented by the user (or OpenMpThreadPool below). Kept outside the ISA
// namespace: it is an interface with no ISA-specific code.
class ThreadPool {
 public:
  virtual ~ThreadPool() = default;
  // How many tasks may usefully run at once.
  virtual int num_threads() const = 0;
  // Calls task(context, i) once for every i in [0, count), possibly concurrently,
  // and returns when all calls have returned. Must not allocate if the caller is
  // to stay allocation-free.
  virtual void run(int count, void (*task)(void* context, int i), void* context) = 0;
};

#if defined(_OPENMP)
// A ThreadPool over OpenMP's parallel for (compile with -fopenmp).
class OpenMpThreadPool final : public ThreadPool {
 public:
  explicit OpenMpThreadPool(int threads = omp_get_max_threads()) : threads_(threads < 1 ? 1 : threads) {}
  int num_threads() const override { return threads_; }
  void run(int count, void (*task)(void*, int), void* context) override {
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (int i = 0; i < count; ++i) task(context, i);
  }

 private:
  int threads_;
};
#endif

inline namespace LOWP_ISA_NAMESPACE {

class Context {
 public:
  Context() = default;
  explicit Context(ThreadPool* pool) : pool_(pool) {}

  void set_thread_pool(ThreadPool* pool) { pool_ = pool; }
  ThreadPool* thread_pool() const { return pool_; }
  int num_threads() const { return pool_ ? pool_->num_threads() : 1; }

  // Internal scratch, used by the driver.
  struct ThreadScratch {
    gemm_detail::AlignedBuffer packed_a;
    gemm_detail::AlignedBuffer row_sums;
  };
  ThreadScratch& thread_scratch(int t) {
    if (static_cast<int>(threads_.size()) <= t) threads_.resize(static_cast<std::size_t>(t) + 1);
    return threads_[static_cast<std::size_t>(t)];
  }
  gemm_detail::AlignedBuffer& column_scratch() { return columns_; }

 private:
  ThreadPool* pool_ = nullptr;
  std::vector<ThreadScratch> threads_;
  gemm_detail::AlignedBuffer columns_;
};

}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
