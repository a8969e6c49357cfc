// lowp/gemm/driver.hpp: the backend-independent GEMM driver.
//
// Zero points. The backend multiplies shifted codes a' = a + sa, b' = b + sb (e.g.
// VPDPBUSD needs uint8 x int8, so int8 activations get sa = +128 and uint8
// weights sb = -128). With za' = za + sa and zb'[n] = zb[n] + sb,
//
//   sum_k (a - za)(b - zb[n]) = sum_k (a' - za')(b' - zb'[n])
//     = sum_k a' b'  -  zb'[n] * rowsum'[m]  -  za' * colsum'[n]  +  K * za' * zb'[n],
//
// so the micro-kernel adds offset[n] = bias[n] + za' (K zb'[n] - colsum'[n]) (one
// vector per column, formed by column_stage.hpp per call or once) and subtracts
// zb'[n] * rowsum'[m] (rowsum' comes out of activation packing; skipped when every zb'
// is 0). Individual terms may exceed int32, but the exact result fits (the K bound,
// checked by prepare_column_stage), so computing every
// term modulo 2^32 (wrapping vector adds and multiplies) gives it exactly.
//
// Blocking. The depth is never split: a micro-kernel owns its Rows x (Panels*nr)
// accumulators over all of K (at most gemm_max_k, ~65k..131k), so the whole output
// stage runs in registers straight after the last multiply. Instead, the rows are
// cut into blocks of MC (the packed A block, MC x K, takes half of L2; one micro-panel
// for Avx2 when all of B fits a quarter of L2, see gemm_packed) and the
// columns into chunks of NC (the packed B chunk, K x NC, a quarter of L2); inside a
// chunk every A micro-panel meets every B panel, so B is read from L2 MC/mr times
// per fetch from memory and A once per chunk. Sizes come from the cache sizes of
// the running machine (sysconf), with fallbacks.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

#include "lowp/core/matrix_view.hpp"
#include "lowp/gemm/backend.hpp"
#include "lowp/gemm/column_stage.hpp"
#include "lowp/gemm/context.hpp"
#include "lowp/gemm/epilogue_scalar.hpp"
#include "lowp/gemm/output_stage.hpp"
#include "lowp/gemm/packed_weights.hpp"
#include "lowp/gemm/params.hpp"
#include "lowp/gemm/reference.hpp"

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace gemm_detail {

// Per-core data cache sizes in bytes.
struct CacheSizes {
  std::ptrdiff_t l1 = 32 * 1024;
  std::ptrdiff_t l2 = 512 * 1024;
};

inline CacheSizes query_cache_sizes() {
  CacheSizes s;
#if defined(_SC_LEVEL1_DCACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE)
  const long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (l1 >= 8 * 1024 && l1 <= 4 * 1024 * 1024) s.l1 = l1;
  if (l2 >= 64 * 1024 && l2 <= 64 * 1024 * 1024) s.l2 = l2;
#endif
  return s;
}
inline const CacheSizes& cache_sizes() {
  static const CacheSizes sizes = query_cache_sizes();
  return sizes;
}

// Bytes of one packed A row (K rounded up to whole k-groups, in the backend's codes).
template <typename Backend>
std::ptrdiff_t packed_a_row_bytes(std::ptrdiff_t kgroups) {
  return kgroups * Backend::kgroup * static_cast<std::ptrdiff_t>(sizeof(typename Backend::a_type));
}

// MC in micro-panels: the packed A block (MC x K codes) takes half of L2 (at most 64 panels).
template <typename Backend>
std::ptrdiff_t row_block_panels(std::ptrdiff_t kgroups) {
  const std::ptrdiff_t row_bytes = std::max<std::ptrdiff_t>(1, packed_a_row_bytes<Backend>(kgroups));
  return std::clamp<std::ptrdiff_t>(cache_sizes().l2 / 2 / row_bytes / Backend::mr, 1, 64);
}

// Backend::pack_a_panel (optional): a vectorized packing of one micro-panel of A whose rows
// are contiguous, for backends whose codes are not bytes (Avx2's int16):
//   void pack_a_panel(const TA* src, std::ptrdiff_t row_stride, int rows, std::ptrdiff_t k_len,
//                     std::ptrdiff_t kgroups, a_type* panel, std::int32_t* row_sums)
// packs rows [0, rows) (rows <= mr) of src into the micro-panel layout below (zeros past k_len;
// it may also write the slots of rows rows..mr-1) and, unless row_sums is nullptr (every zb' is
// 0: no row sums needed), sets row_sums[r] = sum of row r's codes.
template <typename Backend, typename TA, typename = void>
struct backend_packs_a_panels : std::false_type {};
template <typename Backend, typename TA>
struct backend_packs_a_panels<
    Backend, TA,
    std::void_t<decltype(Backend::pack_a_panel(std::declval<const TA*>(), std::ptrdiff_t{}, int{}, std::ptrdiff_t{},
                                               std::ptrdiff_t{}, std::declval<typename Backend::a_type*>(),
                                               std::declval<std::int32_t*>()))>> : std::true_type {};

// Packs rows [0, a.rows) (a.rows <= MC) of A into micro-panels of mr rows:
// panel i, k-group g, row r, lane kk at i*kgroups*mr*kg + (g*mr + r)*kg + kk.
// Codes past K are 0. With `want_sums`, row_sums[r] = sum_k a'[r][k].
template <typename Backend, typename TA>
void pack_a_block(const MatrixView<const TA>& a, std::ptrdiff_t kgroups, typename Backend::a_type* dst,
                  std::int32_t* row_sums, bool want_sums) {
  using code = typename Backend::a_type;
  constexpr int mr = Backend::mr, kg = Backend::kgroup;
  constexpr int shift = Backend::template a_shift<TA>;
  const std::ptrdiff_t k_len = a.cols, k_full = k_len / kg * kg;
  if constexpr (backend_packs_a_panels<Backend, TA>::value) {
    if (a.col_stride == 1 && a.cols > 0) {
      for (std::ptrdiff_t m = 0; m < a.rows; m += mr)
        Backend::pack_a_panel(&a(m, 0), a.row_stride, static_cast<int>(std::min<std::ptrdiff_t>(mr, a.rows - m)), k_len,
                              kgroups, dst + (m / mr) * kgroups * mr * kg, want_sums ? row_sums + m : nullptr);
      return;
    }
  }
  for (std::ptrdiff_t m = 0; m < a.rows; ++m) {
    code* panel = dst + (m / mr) * kgroups * mr * kg + (m % mr) * kg;
    if constexpr (sizeof(code) == 1 && kg == 4) {
      if (a.col_stride == 1) {
        // Byte codes in groups of 4: one 32-bit move per group; the +-128 shift of
        // int8 <-> uint8 codes is a flip of each byte's top bit.
        constexpr std::uint32_t flip = shift == 0 ? 0u : 0x80808080u;
        const TA* src = &a(m, 0);
        for (std::ptrdiff_t g = 0; g < k_full / 4; ++g) {
          std::uint32_t w;
          __builtin_memcpy(&w, src + 4 * g, 4);
          w ^= flip;
          __builtin_memcpy(panel + g * mr * 4, &w, 4);
        }
        for (std::ptrdiff_t k = k_full; k < kgroups * kg; ++k)
          panel[(k / kg) * mr * kg + k % kg] = k < k_len ? static_cast<code>(static_cast<int>(src[k]) + shift) : code{0};
        if (want_sums) {
          std::int32_t sum = 0;
          for (std::ptrdiff_t k = 0; k < k_len; ++k) sum += static_cast<code>(static_cast<int>(src[k]) + shift);
          row_sums[m] = sum;
        }
        continue;
      }
    }
    std::int32_t sum = 0;
    for (std::ptrdiff_t k = 0; k < k_len; ++k) {
      const auto v = static_cast<code>(static_cast<int>(a(m, k)) + shift);
      panel[(k / kg) * mr * kg + k % kg] = v;
      sum += v;
    }
    for (std::ptrdiff_t k = k_len; k < kgroups * kg; ++k) panel[(k / kg) * mr * kg + k % kg] = code{0};
    row_sums[m] = sum;
  }
}

// Backend::direct_a (optional, default false): the kernel honours TileArgs::a_row_stride /
// a_group_stride, so row-major A whose elements already are the kernel's codes (e.g. uint8
// activations for VPDPBUSD) and whose depth is a whole number of k-groups is read in place,
// without packing: no copy at all, which matters when N is small (im2col convolutions).
template <typename Backend, typename = void>
struct backend_direct_a : std::false_type {};
template <typename Backend>
struct backend_direct_a<Backend, std::void_t<decltype(Backend::direct_a)>> : std::bool_constant<Backend::direct_a> {};

template <typename Backend, typename TA>
bool can_read_a_in_place(const MatrixView<const TA>& a) {
  if constexpr (backend_direct_a<Backend>::value && std::is_same<TA, typename Backend::a_type>::value &&
                Backend::template a_shift<TA> == 0) {
    return a.col_stride == 1 && a.cols > 0 && a.cols % Backend::kgroup == 0;
  } else {
    return false;
  }
}

// Row sums of A read in place.
template <typename Backend, typename TA>
void sum_rows(const MatrixView<const TA>& a, std::int32_t* row_sums) {
  for (std::ptrdiff_t m = 0; m < a.rows; ++m) {
    const TA* src = &a(m, 0);
    std::int32_t sum = 0;
    for (std::ptrdiff_t k = 0; k < a.cols; ++k) sum += src[k];
    row_sums[m] = sum;
  }
}

template <typename Policy, typename Backend, typename TA, typename TB, typename TC>
struct GemmJob {
  using PA = typename Backend::a_type;
  using PB = typename Backend::b_type;
  static constexpr int mr = Backend::mr, nr = Backend::nr, kg = Backend::kgroup;
  static constexpr int unit = Backend::max_panels;  // panels per column unit

  MatrixView<const TA> a;
  const PackedWeights<Backend, TB>* b;
  MatrixView<TC> c;
  ColumnParams col;
  std::int32_t zc, lo, hi;
  std::ptrdiff_t mc_panels, nc_panels;
  int tasks_m, tasks_n;
  std::ptrdiff_t m_panels, n_units;
  Context* ctx;

  static std::ptrdiff_t split(std::ptrdiff_t total, int parts, int i) { return total * i / parts; }

  bool direct;       // A read in place (can_read_a_in_place)
  bool b_beyond_l2;  // the packed B is larger than L2 (TileArgs::b_beyond_l2)

  // The arguments every tile of the job shares (a, row_sums, the panel's fields and the
  // b_prefetch hint unset). Built once per task: per panel group only b, col, cols and c change
  // (set_panel), per 6-row tile only a, row_sums, c and the hint.
  TileArgs<PA, PB, TC> job_args() const {
    TileArgs<PA, PB, TC> t;
    t.a_row_stride = direct ? a.row_stride : kg;
    t.a_group_stride = direct ? kg : mr * kg;
    t.b_panel_stride = b->panel_stride();
    t.kgroups = b->kgroups();
    t.b_beyond_l2 = b_beyond_l2;
    t.zc = zc;
    t.lo = lo;
    t.hi = hi;
    t.c_row_stride = c.row_stride;
    t.c_col_stride = c.col_stride;
    return t;
  }

  // Points t at panel group p (Panels panels from column p * nr), row 0 of C.
  template <int Panels>
  void set_panel(TileArgs<PA, PB, TC>& t, std::ptrdiff_t p) const {
    const std::ptrdiff_t col0 = p * nr;
    t.b = b->panel(p);
    t.col = ColumnParams{col.offset + col0,     col.zb ? col.zb + col0 : nullptr, col.multiplier + col0,
                         col.shift + col0,      col.left_shift + col0,            col.right_shift + col0,
                         col.real + col0};
    t.cols = static_cast<int>(std::min<std::ptrdiff_t>(Panels * nr, c.cols - col0));
    t.c = c.data + col0 * c.col_stride;
  }

  template <int Rows>
  void run_row_tile(TileArgs<PA, PB, TC>& t, const PA* a_panel, const std::int32_t* row_sums, std::ptrdiff_t row0,
                    std::ptrdiff_t p0, std::ptrdiff_t p1) const {
    constexpr int panels = Backend::panels(Rows);
    static_assert(panels >= 1 && Backend::max_panels % panels == 0, "backend: panels(rows) must divide max_panels");
    t.a = a_panel;
    t.row_sums = row_sums;
    t.b_prefetch = nullptr;
    for (std::ptrdiff_t p = p0; p < p1 && p * nr < c.cols; p += panels) {
      set_panel<panels>(t, p);
      t.c += row0 * c.row_stride;
      run_kernel<Rows, panels>(t);
    }
  }

  // A multi-panel (GEMV) tile whose columns fit in half as many panels runs as that narrower
  // tile: N = 8 at M = 1 would otherwise multiply, and stream, 128 columns of padding (the
  // packed B is padded to nr * max_panels columns so that a full tile never reads past it).
  template <int Rows, int Panels>
  static void run_kernel(const TileArgs<PA, PB, TC>& t) {
    if constexpr (Panels > 1) {
      if (t.cols <= Panels / 2 * nr) return run_kernel<Rows, Panels / 2>(t);
    }
    Backend::template kernel<Policy, TC, Rows, Panels>(t);
  }

  template <int... R>
  void dispatch_rows(TileArgs<PA, PB, TC>& t, int rows, const PA* a_panel, const std::int32_t* row_sums,
                     std::ptrdiff_t row0, std::ptrdiff_t p0, std::ptrdiff_t p1, std::integer_sequence<int, R...>) const {
    ((rows == R + 1 ? run_row_tile<R + 1>(t, a_panel, row_sums, row0, p0, p1) : void()), ...);
  }

  // The end of the row block starting at micro-panel mb of a task's [.., end). A single
  // micro-panel left over is taken into this block instead of making a block of its own:
  // every block streams all of B once, so a block of 1..mr rows would cost a full pass
  // over the weights (from memory when they are beyond L2) for a sliver of the work, e.g.
  // 128 rows with 21 panels of 6 per block: 126 + 2 rows read 16 MiB of B twice.
  std::ptrdiff_t block_end(std::ptrdiff_t mb, std::ptrdiff_t end) const {
    const std::ptrdiff_t next = std::min(end, mb + mc_panels);
    return end - next == 1 ? end : next;
  }

  void run_task(int task) const {
    const int ti = task / tasks_n, tj = task % tasks_n;
    const std::ptrdiff_t mp0 = split(m_panels, tasks_m, ti), mp1 = split(m_panels, tasks_m, ti + 1);
    const std::ptrdiff_t p_begin = split(n_units, tasks_n, tj) * unit, p_end = split(n_units, tasks_n, tj + 1) * unit;
    Context::ThreadScratch& scratch = ctx->thread_scratch(task);
    PA* packed = direct ? nullptr : scratch.packed_a.as<PA>();
    std::int32_t* row_sums = scratch.row_sums.as<std::int32_t>();
    const std::ptrdiff_t kgroups = b->kgroups();
    TileArgs<PA, PB, TC> t = job_args();
    for (std::ptrdiff_t mb = mp0, mb_end; mb < mp1; mb = mb_end) {
      mb_end = block_end(mb, mp1);
      const std::ptrdiff_t row_begin = mb * mr;
      const std::ptrdiff_t row_end = std::min<std::ptrdiff_t>(a.rows, mb_end * mr);
      const MatrixView<const TA> a_block = a.block(row_begin, 0, row_end - row_begin, a.cols);
      if (!direct) {
        pack_a_block<Backend>(a_block, kgroups, packed, row_sums, col.zb != nullptr);
      } else if (col.zb) {
        sum_rows<Backend>(a_block, row_sums);
      }
      const std::ptrdiff_t full_rows = (row_end - row_begin) / mr * mr;
      auto a_tile = [&](std::ptrdiff_t row0) {
        return direct ? reinterpret_cast<const PA*>(&a(row0, 0)) : packed + (row0 - row_begin) / mr * kgroups * mr * kg;
      };
      for (std::ptrdiff_t pc = p_begin; pc < p_end; pc += nc_panels) {
        const std::ptrdiff_t pc_end = std::min(p_end, pc + nc_panels);
        // Full micro-panels: one B panel (group) at a time meets every A micro-panel of the
        // block, so the B panel stays in L1 while the (smaller) A micro-panels stream from L2.
        constexpr std::ptrdiff_t step = Backend::panels(mr);
        // Weights beyond L2: tile 0 of a panel group streams it from L3 or memory, tiles
        // 1..T-1 find it in L2 and meanwhile prefetch one slice each of the next group into
        // L2 (TileArgs::b_prefetch), so that memory is read during all the time spent on a
        // group, not during 1/T of it.
        const std::ptrdiff_t tiles = full_rows / mr;
        const std::ptrdiff_t group = b->panel_stride() * step;
        const std::ptrdiff_t slice = tiles > 1 ? (group + tiles - 2) / (tiles - 1) : 0;
        const std::ptrdiff_t pf_step = kgroups > 0 ? (slice + kgroups - 1) / kgroups : 0;
        const std::ptrdiff_t b_panels = (c.cols + nr - 1) / nr;
        const bool hint = tiles > 1 && b_beyond_l2 && pf_step * static_cast<std::ptrdiff_t>(sizeof(PB)) <= 128;
        for (std::ptrdiff_t p = pc; p < pc_end && p < b_panels && tiles > 0; p += step) {
          set_panel<step>(t, p);
          TC* const c_panel = t.c;
          t.b_prefetch_step = pf_step;
          for (std::ptrdiff_t i = 0; i < tiles; ++i) {
            const std::ptrdiff_t row0 = row_begin + i * mr;
            const bool prefetch = hint && i > 0 && p + step < b_panels;
            t.a = a_tile(row0);
            t.row_sums = row_sums + i * mr;
            t.c = c_panel + row0 * c.row_stride;
            t.b_prefetch = prefetch ? b->panel(p + step) + (i - 1) * slice : nullptr;
            Backend::template kernel<Policy, TC, mr, step>(t);
          }
        }
        // The last, partial micro-panel (or a whole GEMV block) with its own tile width.
        if (row_begin + full_rows < row_end) {
          const std::ptrdiff_t row0 = row_begin + full_rows;
          dispatch_rows(t, static_cast<int>(row_end - row0), a_tile(row0), row_sums + full_rows, row0, pc, pc_end,
                        std::make_integer_sequence<int, mr>{});
        }
      }
    }
  }
};

template <typename Job>
void run_job_task(void* job, int task) {
  static_cast<const Job*>(job)->run_task(task);
}

// A (M x K), packed B (K x N) and C (M x N) agree: O(1), before any work.
template <typename Backend, typename TA, typename TB, typename TC>
void check_packed_shapes(const MatrixView<const TA>& a, const PackedWeights<Backend, TB>& b, const MatrixView<TC>& c) {
  static_assert(is_gemm_input<TA>::value, "GEMM activations (A) must be int8 or uint8");
  static_assert(is_gemm_output<TC>::value, "GEMM output must be int8, uint8, int16, int32 or float");
  LOWP_CHECK(a.rows >= 0 && a.cols >= 0, "gemm: negative dimension");
  LOWP_CHECK(a.cols == b.rows(), "gemm: A is ", a.rows, "x", a.cols, " but B is ", b.rows(), "x", b.cols(),
             " (inner dimensions differ)");
  LOWP_CHECK(c.rows == a.rows && c.cols == b.cols(), "gemm: C is ", c.rows, "x", c.cols, ", expected ", a.rows,
             "x", b.cols());
}

// Runs the GEMM with a validated column stage (prepare_column_stage) of b.
template <typename Policy, typename Backend, typename TA, typename TB, typename TC>
void gemm_packed(const MatrixView<const TA>& a, const PackedWeights<Backend, TB>& b, const MatrixView<TC>& c,
                 const ColumnStage& stage, Context& ctx) {
  static_assert(Backend::enabled, "lowp::gemm: backend not enabled by the compiler flags");
  if (c.rows == 0 || c.cols == 0) return;

  using Job = GemmJob<Policy, Backend, TA, TB, TC>;
  Job job;
  job.a = a;
  job.b = &b;
  job.c = c;
  job.col = stage.col;
  job.zc = stage.output_zero_point;
  job.direct = can_read_a_in_place<Backend>(a);
  if constexpr (std::is_same<TC, std::int32_t>::value || std::is_same<TC, float>::value) {
    job.lo = job.hi = 0;
  } else {
    OutputStage clamp;  // the clamp bounds intersected with TC's range
    clamp.clamp_min = stage.clamp_min;
    clamp.clamp_max = stage.clamp_max;
    job.lo = output_lo<TC>(clamp);
    job.hi = output_hi<TC>(clamp);
  }
  const CacheSizes& cache = cache_sizes();
  constexpr int mr = Backend::mr, unit = Backend::max_panels;
  const std::ptrdiff_t a_row_bytes = packed_a_row_bytes<Backend>(b.kgroups());
  const std::ptrdiff_t b_panel_bytes = b.panel_stride() * static_cast<std::ptrdiff_t>(sizeof(typename Backend::b_type));
  job.m_panels = (a.rows + mr - 1) / mr;
  job.n_units = (c.cols + Backend::nr * unit - 1) / (Backend::nr * unit);
  const std::ptrdiff_t packed_b_bytes = b.padded_cols() / Backend::nr * b_panel_bytes;
  job.b_beyond_l2 = packed_b_bytes > cache.l2;
  job.mc_panels = row_block_panels<Backend>(b.kgroups());
  if constexpr (backend_packs_a_panels<Backend, TA>::value) {
    // Packed B within a quarter of L2 (small N): B stays in L2 whatever the A block, so a
    // large block buys nothing, and a block of one micro-panel, packed right before its tiles,
    // is written to and read from L1 instead of L2. Avx2 widens A to int16 in packing, which
    // weighs ~8% of 3136 x 576 x 64 (N = 64); same-process A/B 1.02-1.05x there, 512^3 1.01x,
    // larger B untouched (docs/backends.md, "The AVX2 tile").
    if (packed_b_bytes <= cache.l2 / 4) job.mc_panels = 1;
  }
  job.nc_panels = std::max<std::ptrdiff_t>(1, cache.l2 / 4 / std::max<std::ptrdiff_t>(1, b_panel_bytes) / unit) * unit;

  // Threads: a grid of tasks_m x tasks_n disjoint blocks of C; rows first (each thread
  // then reads all of B once, as a single thread would), columns when M is small (GEMV).
  const int threads = std::max(1, ctx.num_threads());
  job.tasks_m = static_cast<int>(std::min<std::ptrdiff_t>(threads, job.m_panels));
  job.tasks_n = static_cast<int>(std::min<std::ptrdiff_t>(threads / job.tasks_m, job.n_units));
  const int tasks = job.tasks_m * job.tasks_n;
  // The largest row block (GemmJob::block_end may add one micro-panel to mc_panels).
  const std::ptrdiff_t block_rows =
      std::min<std::ptrdiff_t>(job.mc_panels + 1, (job.m_panels + job.tasks_m - 1) / job.tasks_m) * mr;
  for (int t = 0; t < tasks; ++t) {  // all allocation happens here, before any task runs
    Context::ThreadScratch& s = ctx.thread_scratch(t);
    if (!job.direct) s.packed_a.reserve(static_cast<std::size_t>(block_rows * a_row_bytes));
    s.row_sums.reserve(static_cast<std::size_t>(block_rows) * sizeof(std::int32_t));
  }
  job.ctx = &ctx;
  if (tasks == 1 || !ctx.thread_pool()) {
    for (int t = 0; t < tasks; ++t) job.run_task(t);
  } else {
    ctx.thread_pool()->run(tasks, &run_job_task<Job>, &job);
  }
}

}  // namespace gemm_detail
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
