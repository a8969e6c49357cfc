// bench/gemm/peaks.hpp: throughput peaks of the instructions an int8 GEMM is built from,
// and the streaming read bandwidth, measured on the running machine.
//
// Each peak kernel is a hand-written loop of one instruction (or one fixed chain) over
// enough independent accumulators to hide its latency, so it runs at the instruction's
// throughput limit; MACs per iteration / time = the ceiling a GEMM kernel built on that
// instruction can approach. The loops are inline assembly (the compiler must neither
// fold nor reorder them) inside functions carrying their own target attribute, so this
// header compiles into a baseline binary and each loop runs only after a cpuid check.
//
// Accumulator counts: VPDPBUSD zmm on Intel issues 2 per cycle with 6 cycles of latency,
// so >= 12 independent accumulators are needed; 24 leaves margin for any core.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <time.h>

#include <benchmark/benchmark.h>

#include "lowp/gemm/aligned_buffer.hpp"

#if defined(__x86_64__) || defined(_M_X64)
#define LOWP_BENCH_X86 1
#include <cpuid.h>
#else
#define LOWP_BENCH_X86 0
#endif

namespace lowp_bench {

// ---------------------------------------------------------------- CPU features (x86 cpuid)
struct CpuFeatures {
  bool avx2 = false, fma = false, avx512f = false, avx512bw = false, avx512vl = false,
       avx512vnni = false, avxvnni = false;
};

inline CpuFeatures cpu_features() {
  CpuFeatures f;
#if LOWP_BENCH_X86
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = (c >> 27) & 1;
  f.fma = (c >> 12) & 1;
  if (!osxsave) return f;
  unsigned xcr0_lo, xcr0_hi;
  __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  const bool ymm_os = (xcr0_lo & 0x6) == 0x6, zmm_os = (xcr0_lo & 0xe6) == 0xe6;
  if (__get_cpuid_max(0, nullptr) < 7) return f;
  __cpuid_count(7, 0, a, b, c, d);
  f.avx2 = ymm_os && ((b >> 5) & 1);
  f.avx512f = zmm_os && ((b >> 16) & 1);
  f.avx512bw = zmm_os && ((b >> 30) & 1);
  f.avx512vl = zmm_os && ((b >> 31) & 1);
  f.avx512vnni = zmm_os && ((c >> 11) & 1);
  __cpuid_count(7, 1, a, b, c, d);
  f.avxvnni = ymm_os && ((a >> 4) & 1);
  f.fma = f.fma && ymm_os;
#endif
  return f;
}

// ---------------------------------------------------------------- the peak kernels
// Each function runs `iters` iterations of its loop and returns nothing; the table below
// says how many MACs (or FMAs) one iteration performs.
#if LOWP_BENCH_X86
// Repeats an instruction over accumulators 0..N-1: ".irp" expands at assembly time.
#define LOWP_IRP24 "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23"
#define LOWP_IRP12 "0,1,2,3,4,5,6,7,8,9,10,11"
#define LOWP_CLOBBER_ZMM                                                                              \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",  \
      "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21",      \
      "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31"
#define LOWP_CLOBBER_YMM                                                                             \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", \
      "xmm12", "xmm13", "xmm14", "xmm15"
// One lane of a chain: accumulator register a, temporary t (operands fixed per loop).
#define LOWP_CHAIN_Y(a, t)                                                                  \
  " vpmaddubsw %%ymm13, %%ymm12, %%ymm" #t "\n vpmaddwd %%ymm14, %%ymm" #t ", %%ymm" #t  \
  "\n vpaddd %%ymm" #t ", %%ymm" #a ", %%ymm" #a "\n"
#define LOWP_CHAIN_Z(a, t)                                                                  \
  " vpmaddubsw %%zmm25, %%zmm24, %%zmm" #t "\n vpmaddwd %%zmm26, %%zmm" #t ", %%zmm" #t  \
  "\n vpaddd %%zmm" #t ", %%zmm" #a ", %%zmm" #a "\n"
#define LOWP_ADD_Y(a, t) " vpaddd %%ymm" #t ", %%ymm" #a ", %%ymm" #a "\n"
#define LOWP_ADD_Z(a, t) " vpaddd %%zmm" #t ", %%zmm" #a ", %%zmm" #a "\n"

// A loop function: `setup` once, then n iterations of `body`. ISA is the target attribute,
// the remaining arguments are the clobbered registers.
#define LOWP_PEAK_LOOP(name, isa, setup, body, ...)                                      \
  __attribute__((target(isa), noinline)) inline void name(std::int64_t n) {              \
    __asm__ volatile(setup ".p2align 6\n1:\n" body "dec %0\n jnz 1b\n vzeroupper\n" : "+r"(n)::__VA_ARGS__, "cc"); \
  }
#define LOWP_ZERO_ZMM(list) ".irp r," list "\n vpxord %%zmm\\r, %%zmm\\r, %%zmm\\r\n .endr\n"
#define LOWP_ZERO_YMM(list) ".irp r," list "\n vpxor %%ymm\\r, %%ymm\\r, %%ymm\\r\n .endr\n"

// 24 x VPDPBUSD zmm (64 u8 x s8 MACs each) per iteration; operands zmm24/zmm25.
LOWP_PEAK_LOOP(loop_vpdpbusd_zmm, "avx512f,avx512bw,avx512vnni",
               LOWP_ZERO_ZMM(LOWP_IRP24) "vpternlogd $0xff, %%zmm24, %%zmm24, %%zmm24\n vpabsb %%zmm24, %%zmm25\n",
               ".irp r," LOWP_IRP24 "\n vpdpbusd %%zmm24, %%zmm25, %%zmm\\r\n .endr\n", LOWP_CLOBBER_ZMM)
// 24 x EVEX VPDPBUSD ymm (32 MACs each); the {evex} prefix pins the encoding.
LOWP_PEAK_LOOP(loop_vpdpbusd_ymm_evex, "avx512f,avx512bw,avx512vl,avx512vnni",
               LOWP_ZERO_ZMM(LOWP_IRP24) "vpternlogd $0xff, %%ymm24, %%ymm24, %%ymm24\n vpabsb %%ymm24, %%ymm25\n",
               ".irp r," LOWP_IRP24 "\n %{evex%} vpdpbusd %%ymm24, %%ymm25, %%ymm\\r\n .endr\n", LOWP_CLOBBER_ZMM)
// 12 x VEX (AVX-VNNI) VPDPBUSD ymm (32 MACs each), accumulators ymm0..11, operands ymm12/13.
LOWP_PEAK_LOOP(loop_vpdpbusd_ymm_vex, "avx2",
               LOWP_ZERO_YMM(LOWP_IRP12) "vpcmpeqd %%ymm12, %%ymm12, %%ymm12\n vpabsb %%ymm12, %%ymm13\n",
               ".irp r," LOWP_IRP12 "\n %{vex%} vpdpbusd %%ymm12, %%ymm13, %%ymm\\r\n .endr\n", LOWP_CLOBBER_YMM)
// The AVX2 u8 x s8 chain, 6 independent lanes per iteration, 32 MACs per lane:
//   t = VPMADDUBSW(a, b) (pairs summed into int16, may saturate), t = VPMADDWD(t, 1), acc += t.
LOWP_PEAK_LOOP(loop_avx2_chain_ymm, "avx2",
               LOWP_ZERO_YMM("0,1,2,3,4,5") "vpcmpeqd %%ymm14, %%ymm14, %%ymm14\n vpsrlw $15, %%ymm14, %%ymm14\n"
               "vpabsb %%ymm14, %%ymm12\n vpabsb %%ymm14, %%ymm13\n",  // ymm14: int16 ones
               LOWP_CHAIN_Y(0, 6) LOWP_CHAIN_Y(1, 7) LOWP_CHAIN_Y(2, 8) LOWP_CHAIN_Y(3, 9) LOWP_CHAIN_Y(4, 10)
               LOWP_CHAIN_Y(5, 11), LOWP_CLOBBER_YMM)
// The same chain on zmm (AVX-512BW), 8 lanes, 64 MACs per lane.
LOWP_PEAK_LOOP(loop_avx2_chain_zmm, "avx512f,avx512bw",
               LOWP_ZERO_ZMM("0,1,2,3,4,5,6,7") "vpternlogd $0xff, %%zmm26, %%zmm26, %%zmm26\n"
               "vpsrlw $15, %%zmm26, %%zmm26\n vpabsb %%zmm26, %%zmm24\n vpabsb %%zmm26, %%zmm25\n",
               LOWP_CHAIN_Z(0, 8) LOWP_CHAIN_Z(1, 9) LOWP_CHAIN_Z(2, 10) LOWP_CHAIN_Z(3, 11) LOWP_CHAIN_Z(4, 12)
               LOWP_CHAIN_Z(5, 13) LOWP_CHAIN_Z(6, 14) LOWP_CHAIN_Z(7, 15), LOWP_CLOBBER_ZMM)
// The exact int16 scheme: operands widened to int16, VPMADDWD (pairs of int16 products summed
// into int32, cannot saturate for 8-bit operands) then VPADDD. ymm: 16 MACs per lane, 6 lanes.
// All products of an iteration first, then all adds: on Zen 4 this order retires 27.6-27.9
// MACs/cycle against 25.9 for multiply/add pairs (same lanes, same instructions), so the pairs
// understated the ceiling of the scheme. (The saturating chain is bound by its two multiplies
// per 32 MACs on the two multiply pipes, 32/cycle, in either order.)
LOWP_PEAK_LOOP(loop_int16_madd_ymm, "avx2",
               LOWP_ZERO_YMM("0,1,2,3,4,5") "vpcmpeqd %%ymm12, %%ymm12, %%ymm12\n vpabsw %%ymm12, %%ymm13\n",
               ".irp t,6,7,8,9,10,11\n vpmaddwd %%ymm13, %%ymm12, %%ymm\\t\n .endr\n"
               LOWP_ADD_Y(0, 6) LOWP_ADD_Y(1, 7) LOWP_ADD_Y(2, 8) LOWP_ADD_Y(3, 9) LOWP_ADD_Y(4, 10)
               LOWP_ADD_Y(5, 11), LOWP_CLOBBER_YMM)
// zmm: 32 MACs per lane, 12 lanes, in the same order.
LOWP_PEAK_LOOP(loop_int16_madd_zmm, "avx512f,avx512bw",
               LOWP_ZERO_ZMM(LOWP_IRP12) "vpternlogd $0xff, %%zmm24, %%zmm24, %%zmm24\n vpabsw %%zmm24, %%zmm25\n",
               ".irp t,12,13,14,15,16,17,18,19,20,21,22,23\n vpmaddwd %%zmm25, %%zmm24, %%zmm\\t\n .endr\n"
               LOWP_ADD_Z(0, 12) LOWP_ADD_Z(1, 13) LOWP_ADD_Z(2, 14) LOWP_ADD_Z(3, 15) LOWP_ADD_Z(4, 16)
               LOWP_ADD_Z(5, 17) LOWP_ADD_Z(6, 18) LOWP_ADD_Z(7, 19) LOWP_ADD_Z(8, 20) LOWP_ADD_Z(9, 21)
               LOWP_ADD_Z(10, 22) LOWP_ADD_Z(11, 23), LOWP_CLOBBER_ZMM)
// 24 x VFMADD231PS zmm (16 fp32 FMAs each) on zeros (no denormal assists).
LOWP_PEAK_LOOP(loop_fma_zmm, "avx512f",
               LOWP_ZERO_ZMM(LOWP_IRP24) "vpxord %%zmm24, %%zmm24, %%zmm24\n vpxord %%zmm25, %%zmm25, %%zmm25\n",
               ".irp r," LOWP_IRP24 "\n vfmadd231ps %%zmm24, %%zmm25, %%zmm\\r\n .endr\n", LOWP_CLOBBER_ZMM)
// A dependent chain of 1-cycle integer adds: iterations per second = core clock.
__attribute__((noinline)) inline void loop_dependent_add(std::int64_t n) {
  std::int64_t x = 0;
  __asm__ volatile(
      "1:\n .rept 32\n add $1, %1\n .endr\n"
      "dec %0\n jnz 1b\n"
      : "+r"(n), "+r"(x)::"cc");
}
#endif  // LOWP_BENCH_X86

enum class Peak { vpdpbusd_zmm, vpdpbusd_ymm_evex, vpdpbusd_ymm_vex, avx2_chain_ymm, avx2_chain_zmm,
                  int16_madd_ymm, int16_madd_zmm, fma_zmm };

struct PeakKernel {
  const char* name;
  void (*loop)(std::int64_t);
  double macs_per_iter;  // int8 MACs (fp32 FMAs for fma_zmm)
  bool supported;
  const char* missing;   // why it cannot run here
};

inline PeakKernel peak_kernel(Peak p) {
#if LOWP_BENCH_X86
  const CpuFeatures f = cpu_features();
  const bool vnni512 = f.avx512f && f.avx512bw && f.avx512vnni;
  switch (p) {
    case Peak::vpdpbusd_zmm:
      return {"vpdpbusd_zmm", loop_vpdpbusd_zmm, 24 * 64, vnni512, "CPU lacks AVX512-VNNI"};
    case Peak::vpdpbusd_ymm_evex:
      return {"vpdpbusd_ymm_evex", loop_vpdpbusd_ymm_evex, 24 * 32, vnni512 && f.avx512vl,
              "CPU lacks AVX512-VNNI/VL"};
    case Peak::vpdpbusd_ymm_vex:
      return {"vpdpbusd_ymm_vex", loop_vpdpbusd_ymm_vex, 12 * 32, f.avxvnni,
              "CPU lacks AVX-VNNI (VEX): cpuid.(7,1).eax bit 4 clear"};
    case Peak::avx2_chain_ymm:
      return {"avx2_chain_ymm", loop_avx2_chain_ymm, 6 * 32, f.avx2, "CPU lacks AVX2"};
    case Peak::avx2_chain_zmm:
      return {"avx2_chain_zmm", loop_avx2_chain_zmm, 8 * 64, f.avx512bw, "CPU lacks AVX512BW"};
    case Peak::int16_madd_ymm:
      return {"int16_madd_ymm", loop_int16_madd_ymm, 6 * 16, f.avx2, "CPU lacks AVX2"};
    case Peak::int16_madd_zmm:
      return {"int16_madd_zmm", loop_int16_madd_zmm, 12 * 32, f.avx512bw, "CPU lacks AVX512BW"};
    case Peak::fma_zmm:
      return {"fma_zmm", loop_fma_zmm, 24 * 16, f.avx512f, "CPU lacks AVX512F"};
  }
#endif
  (void)p;
  return {"unknown", nullptr, 0, false, "x86 instruction peaks are not measured on this architecture"};
}

// CPU time of this thread: on a shared machine, time slices lost to other processes do
// not count (the loops touch no memory, so sharing the core costs them nothing else).
inline double thread_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
inline double seconds_of(void (*loop)(std::int64_t), std::int64_t iters) {
  const double t0 = thread_seconds();
  loop(iters);
  return thread_seconds() - t0;
}

// Best-of-5 MACs per second of `p` (each try ~20 ms). 0 when the CPU cannot run it.
// LOWP_BENCH_PEAK_<NAME>_GMACS in the environment overrides the measurement, so a
// noisy machine can reuse a value measured when it was quiet.
inline double measure_peak_macs_per_second(Peak p) {
  const PeakKernel k = peak_kernel(p);
  if (!k.supported) return 0;
  std::string env = std::string("LOWP_BENCH_PEAK_") + k.name + "_GMACS";
  for (auto& ch : env) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (const char* v = std::getenv(env.c_str())) return std::atof(v) * 1e9;
  std::int64_t iters = 1000;
  while (seconds_of(k.loop, iters) < 0.005) iters *= 2;
  iters *= 4;
  double best = 1e30;
  for (int t = 0; t < 5; ++t) best = std::min(best, seconds_of(k.loop, iters));
  return static_cast<double>(iters) * k.macs_per_iter / best;
}

// Cached per process: the GEMM benchmarks divide by it.
inline double peak_macs_per_second(Peak p) {
  static double cache[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  double& c = cache[static_cast<int>(p)];
  if (c < 0) c = measure_peak_macs_per_second(p);
  return c;
}

// ---------------------------------------------------------------- streaming read bandwidth
// Reads `bytes` (a multiple of 256) once, as a GEMV over weights beyond the caches must:
// 8 independent 32-byte XOR accumulators keep enough loads in flight.
#if LOWP_BENCH_X86
__attribute__((target("avx2"), noinline))
#else
__attribute__((noinline))
#endif
inline std::uint64_t read_stream(const unsigned char* p, std::size_t bytes) {
  typedef std::uint64_t v4 __attribute__((vector_size(32), aligned(1)));
  v4 acc[8] = {};
  for (std::size_t i = 0; i < bytes; i += 256)
    for (int j = 0; j < 8; ++j) acc[j] ^= *reinterpret_cast<const v4*>(p + i + 32 * j);
  v4 s = acc[0];
  for (int j = 1; j < 8; ++j) s ^= acc[j];
  return s[0] ^ s[1] ^ s[2] ^ s[3];
}

// Benchmark body: streams a buffer of state.range(0) bytes, reports GB_per_s. The buffer is
// the memory lowp packs weights into (AlignedBuffer: huge pages from 2 MiB on, on Linux), so
// the GEMV rows are compared with the best read rate of the same kind of memory, not with
// 4 KiB pages that lowp's own weights no longer use.
inline void bm_read_bandwidth(benchmark::State& state) {
  const std::size_t bytes = static_cast<std::size_t>(state.range(0)) / 256 * 256;
  lowp::gemm_detail::AlignedBuffer buf(bytes);
  unsigned char* p = buf.as<unsigned char>();
  for (std::size_t i = 0; i < bytes; ++i) p[i] = static_cast<unsigned char>(i * 131);
  for (auto _ : state) {
    benchmark::ClobberMemory();  // the buffer "may have changed": the reads cannot be hoisted
    benchmark::DoNotOptimize(read_stream(p, bytes));
  }
  state.counters["GB_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(bytes) * 1e-9, benchmark::Counter::kIsRate);
}

}  // namespace lowp_bench
