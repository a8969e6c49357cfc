// Generates gemmlowp_golden.txt: outputs of gemmlowp's own GEMM
// (GemmWithOutputPipeline / GemmWithOutputPipelinePC from Debian's
// libgemmlowp-dev) on random uint8 x uint8 problems, with the output pipeline
//   bias addition -> fixed-point quantize-down (+ output offset) -> clamp -> saturating cast
// which is lowp's reference_gemm<GemmlowpRounding> for uint8 inputs, so the
// test (tests/gemm_reference/test_gemm_golden.cpp) must match it bit for bit.
// Only where the conventions coincide: gemmlowp's left shift is not saturating,
// so cases whose accumulator << left shift would overflow are not generated.
//
// Regenerate (from this directory):
//   g++ -O1 -std=c++17 -isystem /usr/include/gemmlowp gen_gemmlowp_golden.cpp -pthread -o /tmp/gen_gemmlowp
//   /tmp/gen_gemmlowp > gemmlowp_golden.txt
//
// Format (whitespace-separated integers after the comment lines):
//   cases
//   per case: out_type(8 = uint8, -8 = int8, 16 = int16) per_channel M K N za
//             zb[per_channel ? N : 1] bias[N] multiplier[P] exponent[P] (P = per_channel ? N : 1)
//             offset clamp_min clamp_max A[M*K] (row-major) B[K*N] (column-major) C[M*N] (row-major)
#include <cstdint>
#include <cstdio>
#include <random>
#include <tuple>
#include <vector>

#include <public/gemmlowp.h>

namespace {
std::mt19937 rng(20261121);
int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

std::uint8_t code() {  // a quarter of the codes at the extremes
  const int c = uniform(0, 7);
  return c == 0 ? 0 : c == 1 ? 255 : static_cast<std::uint8_t>(uniform(0, 255));
}

template <typename T>
void print(const std::vector<T>& v) {
  for (T x : v) std::printf("%d ", static_cast<int>(x));
  std::printf("\n");
}

template <typename TC, typename CastStage>
std::vector<int> run(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b, int m, int k, int n,
                     int za, const std::vector<std::int32_t>& zb, const std::vector<std::int32_t>& bias,
                     const std::vector<std::int32_t>& mult, const std::vector<std::int32_t>& expo, int offset,
                     int cmin, int cmax, bool per_channel) {
  using namespace gemmlowp;
  GemmContext context;
  context.set_max_num_threads(1);
  const MatrixMap<const std::uint8_t, MapOrder::RowMajor> lhs(a.data(), m, k);
  const MatrixMap<const std::uint8_t, MapOrder::ColMajor> rhs(b.data(), k, n);
  std::vector<TC> c(static_cast<std::size_t>(m * n));
  MatrixMap<TC, MapOrder::RowMajor> result(c.data(), m, n);
  using RowVector = VectorMap<const std::int32_t, VectorShape::Row>;
  OutputStageBiasAddition<RowVector> bias_stage;
  bias_stage.bias_vector = RowVector(bias.data(), n);
  OutputStageClamp clamp{cmin, cmax};
  std::vector<std::int32_t> rhs_offset(static_cast<std::size_t>(n));
  for (int j = 0; j < n; ++j) rhs_offset[j] = -zb[per_channel ? j : 0];
  const VectorDup<const std::int32_t, VectorShape::Col> lhs_offset(-za, m);
  if (per_channel) {
    OutputStageScaleInt32ByFixedPointAndExponentPC<VectorShape::Row> scale;
    scale.result_fixedpoint_multiplier = RowVector(mult.data(), n);
    scale.result_exponent = RowVector(expo.data(), n);
    scale.result_offset_after_shift = offset;
    GemmWithOutputPipelinePC<std::uint8_t, TC, DefaultL8R8BitDepthParams>(
        &context, lhs, rhs, &result, lhs_offset, RowVector(rhs_offset.data(), n),
        std::make_tuple(bias_stage, scale, clamp, CastStage()));
  } else {
    // gemmlowp's classic stage: a right shift only (exponent <= 0)
    OutputStageQuantizeDownInt32ByFixedPoint scale;
    scale.result_fixedpoint_multiplier = mult[0];
    scale.result_shift = -expo[0];
    scale.result_offset_after_shift = offset;
    GemmWithOutputPipeline<std::uint8_t, TC, DefaultL8R8BitDepthParams>(
        &context, lhs, rhs, &result, -za, -zb[0], std::make_tuple(bias_stage, scale, clamp, CastStage()));
  }
  return std::vector<int>(c.begin(), c.end());
}
}  // namespace

int main() {
  const int cases = 48;
  std::printf("# gemmlowp GemmWithOutputPipeline(PC) golden outputs; generator: gen_gemmlowp_golden.cpp\n");
  std::printf("%d\n", cases);
  for (int t = 0; t < cases; ++t) {
    const int out_type = t % 3 == 0 ? 8 : t % 3 == 1 ? -8 : 16;
    const bool per_channel = (t / 3) % 2 == 1;
    const int m = uniform(1, 9), k = uniform(1, t % 8 == 7 ? 600 : 80), n = uniform(1, 17);
    std::vector<std::uint8_t> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(k * n));
    for (auto& x : a) x = code();
    for (auto& x : b) x = code();
    const int za = uniform(0, 3) == 0 ? 255 * uniform(0, 1) : uniform(0, 255);
    std::vector<std::int32_t> zb(per_channel ? n : 1), bias(n), mult(per_channel ? n : 1), expo(mult.size());
    for (auto& z : zb) z = uniform(0, 255);
    for (auto& x : bias) x = uniform(-100000, 100000);
    // int64 accumulators, to pick multipliers whose left shifts cannot overflow
    std::vector<long long> acc(static_cast<std::size_t>(m * n));
    long long max_abs = 1;
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        long long s = bias[j];
        for (int q = 0; q < k; ++q)
          s += (static_cast<long long>(a[i * k + q]) - za) * (static_cast<long long>(b[j * k + q]) - zb[per_channel ? j : 0]);
        max_abs = std::max(max_abs, s < 0 ? -s : s);
      }
    for (std::size_t j = 0; j < mult.size(); ++j) {
      mult[j] = uniform(1 << 30, 0x7fffffff);
      int e = per_channel ? uniform(-16, 3) : uniform(-16, 0);
      while (e > 0 && (max_abs << e) > 0x7fffffffLL) --e;  // gemmlowp's ShiftLeft wraps
      expo[j] = e;
    }
    const int offset = uniform(-20, 140);
    int cmin = uniform(-300, 100), cmax = uniform(50, 400);
    if (uniform(0, 2) == 0) { cmin = -40000; cmax = 40000; }  // the cast alone saturates
    std::vector<int> c;
    if (out_type == 8)
      c = run<std::uint8_t, gemmlowp::OutputStageSaturatingCastToUint8>(a, b, m, k, n, za, zb, bias, mult, expo, offset, cmin, cmax, per_channel);
    else if (out_type == -8)
      c = run<std::int8_t, gemmlowp::OutputStageSaturatingCastToInt8>(a, b, m, k, n, za, zb, bias, mult, expo, offset, cmin, cmax, per_channel);
    else
      c = run<std::int16_t, gemmlowp::OutputStageSaturatingCastToInt16>(a, b, m, k, n, za, zb, bias, mult, expo, offset, cmin, cmax, per_channel);
    std::printf("%d %d %d %d %d %d\n", out_type, per_channel ? 1 : 0, m, k, n, za);
    print(zb);
    print(bias);
    print(mult);
    print(expo);
    std::printf("%d %d %d\n", offset, cmin, cmax);
    print(a);
    print(b);
    print(c);
  }
  return 0;
}
