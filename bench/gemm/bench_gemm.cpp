// lowp's int8 GEMM and its peers on issue 5's shapes, single thread, prepacked weights,
// requantized 8-bit output. Compiled once per x86 ISA level (bench_gemm_avx512vnni,
// bench_gemm_avx2, ...) so that lowp's compile-time backend follows the flags, and natively
// elsewhere (bench_gemm). Every row reports GOPS (1 MAC = 2 ops) and peak_frac: the fraction
// of the peak of this binary's core instruction, measured in this process at start-up
// (VPDPBUSD zmm for AVX-512 VNNI, the VPMADDUBSW+VPMADDWD+VPADDD chain for AVX2).
//
// Rows: gemm/<implementation>/<M>x<K>x<N>; verify/<implementation> runs each one on a small
// odd shape once and reports mismatches / max_abs_diff against lowp's reference GEMM, so the
// table only compares implementations that compute the same thing.
// oneDNN's ISA is capped through ONEDNN_MAX_CPU_ISA, which must be set before its first call:
// bench/run_gemm_benchmarks.sh runs one process per cap.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "gemm_problem.hpp"
#include "peaks.hpp"
#include "peers.hpp"

#if __has_include("lowp/gemm/gemm.hpp")
#include "lowp/gemm/gemm.hpp"
#define LOWP_BENCH_HAVE_LOWP_GEMM 1
#else
#define LOWP_BENCH_HAVE_LOWP_GEMM 0
#endif

namespace lowp_bench {
namespace {

#if LOWP_BENCH_HAVE_LOWP_GEMM
// lowp as an engine uses it: weights packed once, their per-column output stage prepared
// once (prepare_output_stage), one Context reused (no allocation after the first call),
// FloatRounding per channel (oneDNN's requantization, bit for bit), int8 C. With
// PerCallStage, the output stage is validated and prepared on every call instead.
template <typename Backend, bool PerCallStage = false>
class LowpGemm {
 public:
  explicit LowpGemm(GemmProblem& p, int threads = 1)
      : p_(p),
        w_(p.b_view(), p.zero_points().b),
        out_(p.output_stage()),
        stage_(lowp::prepare_output_stage<lowp::FloatRounding, std::uint8_t>(w_, GemmProblem::za, out_)) {
#if defined(_OPENMP)
    if (threads > 1) {
      pool_ = std::make_unique<lowp::OpenMpThreadPool>(threads);
      ctx_.set_thread_pool(pool_.get());
    }
#else
    (void)threads;
#endif
  }
  void run() {
    if constexpr (PerCallStage) {
      lowp::gemm<lowp::FloatRounding>(p_.a_view(), w_, p_.c_view(), GemmProblem::za, out_, &ctx_);
    } else {
      lowp::gemm(p_.a_view(), w_, p_.c_view(), stage_, &ctx_);
    }
  }
  const std::vector<std::int8_t>& result() const { return p_.c; }
  std::vector<std::int8_t> expected() const { return p_.reference<lowp::FloatRounding, std::int8_t>(); }
  std::string implementation() const { return lowp::backend_name<Backend>(); }

 private:
  GemmProblem& p_;
  lowp::PackedWeights<Backend, std::int8_t> w_;
  lowp::OutputStage out_;
  lowp::PreparedOutputStage<lowp::FloatRounding, std::uint8_t, Backend, std::int8_t> stage_;
  std::unique_ptr<lowp::ThreadPool> pool_;
  lowp::Context ctx_;
};
#endif

// The instruction whose peak this binary's rows are a fraction of.
#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
constexpr bool kHasPeak = true;
constexpr Peak kPeak = Peak::vpdpbusd_zmm;
#elif defined(__AVXVNNI__)
constexpr bool kHasPeak = true;
constexpr Peak kPeak = Peak::vpdpbusd_ymm_vex;
#elif defined(__AVX2__)
constexpr bool kHasPeak = true;
constexpr Peak kPeak = Peak::avx2_chain_ymm;
#else
constexpr bool kHasPeak = false;
constexpr Peak kPeak = Peak::vpdpbusd_zmm;
#endif

// A row's peak: the binary's instruction, or a specific one (lowp's ymm backend on AVX-512).
struct RowPeak {
  bool has = kHasPeak;
  Peak which = kPeak;
  double macs_per_second() const { return has ? peak_macs_per_second(which) : 0.0; }
};

// Whether the CPU can run the code this binary was compiled for.
const char* missing_isa() {
#if LOWP_BENCH_X86
  const CpuFeatures f = cpu_features();
#if defined(__AVX512VNNI__)
  if (!(f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni)) return "CPU lacks AVX512-VNNI/BW/VL";
#endif
#if defined(__AVXVNNI__)
  if (!f.avxvnni) return "CPU lacks AVX-VNNI (VEX)";
#endif
#if defined(__AVX2__)
  if (!(f.avx2 && f.fma)) return "CPU lacks AVX2/FMA";
#endif
#endif
  return nullptr;
}

// Implementations that can say which kernel they picked (oneDNN: e.g. brg:avx512_core_vnni)
// get it as the row's label.
template <typename T, typename = void>
struct has_implementation : std::false_type {};
template <typename T>
struct has_implementation<T, std::void_t<decltype(std::declval<const T&>().implementation())>>
    : std::true_type {};

// Times `Impl` on shape s: construction (packing, primitive creation) is outside the loop.
template <typename Impl, typename... Extra>
void bm_gemm(benchmark::State& state, Shape s, RowPeak peak, Extra... extra) {
  if (const char* why = missing_isa()) {
    state.SkipWithError((std::string("SKIPPED: ") + why).c_str());
    return;
  }
  const double pk = peak.macs_per_second();  // measured once per process, before any GEMM
  try {
    GemmProblem p(s);
    Impl impl(p, extra...);
    impl.run();
    for (auto _ : state) impl.run();
    if constexpr (has_implementation<Impl>::value) state.SetLabel(impl.implementation());
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  set_gemm_counters(state, s, pk);
}

// The verification shape: odd sizes exercise every tail.
const Shape kCheckShape{37, 301, 53};

// Runs Impl once on the check shape; counters: mismatches and max_abs_diff against expected().
template <typename Impl>
void bm_verify(benchmark::State& state) {
  if (const char* why = missing_isa()) {
    state.SkipWithError((std::string("SKIPPED: ") + why).c_str());
    return;
  }
  try {
    GemmProblem p(kCheckShape);
    Impl impl(p);
    impl.run();
    const Agreement r = compare(impl.result(), impl.expected());
    for (auto _ : state) {
    }
    state.counters["mismatches"] = static_cast<double>(r.mismatches);
    state.counters["max_abs_diff"] = static_cast<double>(r.max_abs_diff);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

#if LOWP_BENCH_HAVE_LOWP_GEMM
// True when Backend is defined and enabled by this binary's flags.
template <typename Backend, typename = void>
struct backend_enabled : std::false_type {};
template <typename Backend>
struct backend_enabled<Backend, std::enable_if_t<Backend::enabled>> : std::true_type {};

template <typename Backend, bool PerCallStage = false>
void add_lowp_row(std::vector<benchmark::internal::Benchmark*>& rows, const std::string& name, Shape s,
                  RowPeak pk) {
  if constexpr (backend_enabled<Backend>::value)
    rows.push_back(benchmark::RegisterBenchmark(name.c_str(), bm_gemm<LowpGemm<Backend, PerCallStage>>, s, pk));
}
#endif

int register_all() {
  using benchmark::RegisterBenchmark;
  std::vector<benchmark::internal::Benchmark*> rows;
  for (const Shape& s : gemm_shapes()) {
    const std::string n = s.name();
    const RowPeak pk;
#if LOWP_BENCH_HAVE_LOWP_GEMM
    add_lowp_row<lowp::DefaultBackend>(rows, "gemm/lowp/" + n, s, pk);
    // The per-call output stage (lowp::gemm(A, w, C, za, out)): its cost shows at small M.
    if (s.m <= 8) add_lowp_row<lowp::DefaultBackend, true>(rows, "gemm/lowp_per_call_stage/" + n, s, pk);
    // The ymm VNNI kernel also runs (EVEX-encoded) in an AVX-512 build: its own row and peak.
    if (!std::is_same<lowp::DefaultBackend, lowp::backend::AvxVnni>::value)
      add_lowp_row<lowp::backend::AvxVnni>(rows, "gemm/lowp_avxvnni/" + n, s, {kHasPeak, Peak::vpdpbusd_ymm_evex});
#endif
#if LOWP_BENCH_HAVE_ONEDNN
    rows.push_back(RegisterBenchmark(("gemm/onednn_matmul/" + n).c_str(), bm_gemm<OnednnMatmul>, s, pk));
    rows.push_back(RegisterBenchmark(("gemm/onednn_gemm_u8s8s32/" + n).c_str(), bm_gemm<OnednnGemm>, s, pk));
#endif
#if LOWP_BENCH_HAVE_XNNPACK
    rows.push_back(RegisterBenchmark(("gemm/xnnpack_qs8/" + n).c_str(), bm_gemm<XnnpackFc>, s, pk));
#endif
#if LOWP_BENCH_HAVE_GEMMLOWP
    rows.push_back(RegisterBenchmark(("gemm/gemmlowp/" + n).c_str(), bm_gemm<Gemmlowp>, s, pk));
#endif
    rows.push_back(RegisterBenchmark(("gemm/eigen_f32/" + n).c_str(), bm_gemm<EigenF32>, s, pk));
#if LOWP_BENCH_HAVE_OPENBLAS
    rows.push_back(RegisterBenchmark(("gemm/openblas_f32/" + n).c_str(), bm_gemm<OpenblasF32>, s, pk));
#endif
  }
  // Single thread: CPU time, so that time slices taken by other processes on a shared
  // machine do not count against anyone.
  for (auto* r : rows) r->Unit(benchmark::kMicrosecond);

  // The bandwidth a GEMV must stream its weights at, for each M = 1 weight size (K * N
  // bytes) and far beyond the caches, measured here beside the GEMMs it bounds.
  for (long bytes : {768L * 768, 768L * 3072, 4096L * 4096, 256L << 20})
    RegisterBenchmark(("read_bandwidth/" + std::to_string(bytes)).c_str(), bm_read_bandwidth)
        ->Arg(bytes)
        ->Unit(benchmark::kMicrosecond);

#if LOWP_BENCH_HAVE_LOWP_GEMM && defined(_OPENMP)
  // Threading: the same GEMM with 1 and 2 threads, wall-clock time (run it on 2 idle cores).
  // The CPU column is the whole process's CPU time: 2-thread CPU / 1-thread CPU shows the
  // work threading adds (barriers, duplicated packing) even when the cores are not idle.
  for (int d : {1024, 2048})
    for (int threads : {1, 2}) {
      const Shape s{d, d, d};
      RegisterBenchmark(("gemm_threads/lowp/" + s.name() + "/threads:" + std::to_string(threads)).c_str(),
                        bm_gemm<LowpGemm<lowp::DefaultBackend>, int>, s, RowPeak{}, threads)
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime()
          ->MeasureProcessCPUTime();
    }
#endif

  // One run each on the check shape against lowp's reference.
#if LOWP_BENCH_HAVE_LOWP_GEMM
  RegisterBenchmark("verify/lowp", bm_verify<LowpGemm<lowp::DefaultBackend>>)->Iterations(1);
#endif
#if LOWP_BENCH_HAVE_ONEDNN
  RegisterBenchmark("verify/onednn_matmul_int32", bm_verify<OnednnMatmulT<std::int32_t>>)->Iterations(1);
  RegisterBenchmark("verify/onednn_matmul_int8", bm_verify<OnednnMatmul>)->Iterations(1);
  RegisterBenchmark("verify/onednn_gemm_u8s8s32", bm_verify<OnednnGemm>)->Iterations(1);
#endif
#if LOWP_BENCH_HAVE_XNNPACK
  RegisterBenchmark("verify/xnnpack_qs8", bm_verify<XnnpackFc>)->Iterations(1);
#endif
#if LOWP_BENCH_HAVE_GEMMLOWP
  RegisterBenchmark("verify/gemmlowp", bm_verify<Gemmlowp>)->Iterations(1);
#endif
  return 0;
}

const int registered = register_all();

}  // namespace
}  // namespace lowp_bench
