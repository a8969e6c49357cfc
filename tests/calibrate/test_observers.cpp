// Calibrator interface: PyTorch golden equality of the min-max family, every way of feeding a
// batch, shard merging (exact), serialization round trips and malformed blobs, bad input.
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lowp/calibrate/aciq.hpp"
#include "lowp/calibrate/entropy.hpp"
#include "lowp/calibrate/minmax.hpp"
#include "lowp/calibrate/mse.hpp"
#include "lowp/calibrate/per_channel.hpp"
#include "lowp/calibrate/percentile.hpp"
#include "lowp/io/npy.hpp"

namespace {

using namespace lowp::calib;
using lowp::Affine;
using lowp::QuantParams;
using lowp::QuantRange;
using lowp::Symmetric;
using lowp::TensorView;

struct Golden {
  std::string observer;
  int channel;
  float min, max, scale;
  int zero_point;
};

std::vector<Golden> load_golden() {
  std::ifstream f(std::string(LOWP_TEST_DATA_DIR) + "/calibrate/observers.txt");
  EXPECT_TRUE(f.good());
  std::vector<Golden> out;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream is(line);
    std::string name, ch, mn, mx, sc;
    int zp;
    is >> name >> ch >> mn >> mx >> sc >> zp;
    out.push_back({name, ch == "-" ? -1 : std::stoi(ch), std::strtof(mn.c_str(), nullptr),
                   std::strtof(mx.c_str(), nullptr), std::strtof(sc.c_str(), nullptr), zp});
  }
  return out;
}

static_assert(is_calibrator<MinMaxCalibrator>::value && is_calibrator<MovingAverageMinMaxCalibrator>::value &&
                  is_calibrator<PercentileCalibrator>::value && is_calibrator<EntropyCalibrator>::value &&
                  is_calibrator<MseCalibrator>::value && is_calibrator<AciqCalibrator>::value,
              "every calibrator models the interface of calibrator.hpp");
static_assert(!is_calibrator<int>::value && !is_calibrator<Histogram>::value, "the trait rejects non-calibrators");

const QuantRange kQuint8{0, 255};
const QuantRange kQint8{-128, 127};

template <typename C>
void expect_golden(const C& c, const Golden& g, bool symmetric) {
  EXPECT_EQ(c.min(), g.min) << g.observer;
  EXPECT_EQ(c.max(), g.max) << g.observer;
  const QuantParams p = symmetric ? c.template qparams<Symmetric>(kQint8) : c.template qparams<Affine>(kQuint8);
  EXPECT_EQ(p.scale, g.scale) << g.observer;
  EXPECT_EQ(p.zero_point, g.zero_point) << g.observer;
}

TEST(Golden, MinMaxMovingAverageAndPerChannelEqualPyTorchObservers) {
  const auto batches = lowp::io::read_npy(std::string(LOWP_TEST_DATA_DIR) + "/calibrate/batches.npy");
  ASSERT_EQ(batches.shape, (std::vector<std::ptrdiff_t>{5, 4, 6, 5}));
  const std::ptrdiff_t per = 4 * 6 * 5;
  int checked = 0;
  for (const Golden& g : load_golden()) {
    const bool sym = g.observer.find("symmetric") != std::string::npos;
    if (g.observer.rfind("minmax", 0) == 0) {
      MinMaxCalibrator c;
      for (int b = 0; b < 5; ++b) c.observe(TensorView<const float>(batches.data.data() + b * per, {4, 6, 5}));
      expect_golden(c, g, sym);
    } else if (g.observer.rfind("moving", 0) == 0) {
      MovingAverageMinMaxCalibrator c(std::stof(g.observer.substr(6)));
      for (int b = 0; b < 5; ++b) c.observe(batches.data.data() + b * per, static_cast<std::size_t>(per));
      expect_golden(c, g, sym);
    } else {
      PerChannel<MinMaxCalibrator> c(g.observer[10] - '0');
      for (int b = 0; b < 5; ++b) c.observe(TensorView<const float>(batches.data.data() + b * per, {4, 6, 5}));
      ASSERT_LT(static_cast<std::size_t>(g.channel), c.channels());
      expect_golden(c.channel(static_cast<std::size_t>(g.channel)), g, sym);
      const auto ps = sym ? c.qparams<Symmetric>(kQint8) : c.qparams<Affine>(kQuint8);
      EXPECT_EQ(ps[static_cast<std::size_t>(g.channel)].scale, g.scale);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 24);
}

std::vector<float> normal(std::size_t n, float sigma, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, sigma);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// Every observe() overload feeds the same values.
TEST(Observe, PointerVectorStridedViewAndEigenAgree) {
  const std::vector<float> x = normal(600, 2.0f, 1);
  PercentileCalibrator a, b, c, d, e;
  a.observe(x.data(), x.size());
  b.observe(x);
  // A transposed (non-contiguous) view of the same 20 x 30 buffer.
  const std::ptrdiff_t shape[2] = {30, 20}, strides[2] = {1, 30};
  c.observe(TensorView<const float>(x.data(), shape, strides, 2));
  Eigen::Map<const Eigen::MatrixXf> m(x.data(), 20, 30);
  d.observe(m);
  d.observe(m);  // a second, identical batch ...
  e.observe(m.transpose() * 1.0f);                    // ... and an expression
  e.observe(m.block(0, 0, 20, 30));
  EXPECT_EQ(a.histogram().signed_counts(), b.histogram().signed_counts());
  std::array<float, 3> arr = {1.0f, -2.0f, 0.5f};
  MinMaxCalibrator from_array;
  from_array.observe(arr);  // any contiguous float range
  EXPECT_EQ(from_array.min(), -2.0f);
  EXPECT_EQ(from_array.count(), 3u);
  EXPECT_EQ(a.histogram().signed_counts(), c.histogram().signed_counts());
  EXPECT_EQ(d.histogram().signed_counts(), e.histogram().signed_counts());
  EXPECT_EQ(d.count(), 2 * x.size());
  EXPECT_EQ(a.range(kQint8, true).max, c.range(kQint8, true).max);
}

// Merged shards give exactly what one pass over everything gives, whatever the order and even
// when the shards grew their histograms to different ranges.
TEST(Merge, ShardsEqualOnePassExactlyForEveryMethod) {
  std::vector<std::vector<float>> batches;
  for (unsigned s = 0; s < 6; ++s) batches.push_back(normal(3000, 0.05f * static_cast<float>(1u << (2 * s)), s));
  batches[4][17] = 900.0f;  // an outlier forcing a large re-binning
  MinMaxCalibrator mm_all, mm_a, mm_b;
  EntropyCalibrator kl_all, kl_a, kl_b;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    mm_all.observe(batches[i]);
    kl_all.observe(batches[i]);
  }
  for (std::size_t i : {5, 1, 3}) {
    mm_a.observe(batches[i]);
    kl_a.observe(batches[i]);
  }
  for (std::size_t i : {0, 4, 2}) {
    mm_b.observe(batches[i]);
    kl_b.observe(batches[i]);
  }
  EXPECT_NE(kl_a.histogram().exponent(), kl_b.histogram().exponent());
  mm_a.merge(mm_b);
  kl_a.merge(kl_b);
  EXPECT_EQ(mm_a.min(), mm_all.min());
  EXPECT_EQ(mm_a.max(), mm_all.max());
  EXPECT_EQ(mm_a.count(), mm_all.count());
  const Histogram& h1 = kl_a.histogram();
  const Histogram& h2 = kl_all.histogram();
  EXPECT_EQ(h1.exponent(), h2.exponent());
  EXPECT_EQ(h1.signed_counts(), h2.signed_counts());
  EXPECT_EQ(h1.count(), 18000u);
  EXPECT_NEAR(h1.sum(), h2.sum(), 1e-9 * h2.sum_of_squares());
  for (bool sym : {true, false}) {
    const QuantRange q = quant_range_for_bits(8, sym);
    EXPECT_EQ(kl_a.range(q, sym).max, kl_all.range(q, sym).max);
    EXPECT_EQ(Mse{}.compute(h1, q, sym).max, Mse{}.compute(h2, q, sym).max);
    EXPECT_EQ(Percentile{99.9}.compute(h1, q, sym).min, Percentile{99.9}.compute(h2, q, sym).min);
  }
  // Growing by re-binning equals binning at the final range directly.
  Histogram direct;
  direct.observe(batches[4].data(), batches[4].size());  // holds the outlier: the final range from the start
  for (std::size_t i : {0, 1, 2, 3, 5}) direct.observe(batches[i].data(), batches[i].size());
  EXPECT_EQ(direct.signed_counts(), h2.signed_counts());
}

// Values exactly at a power of two (the histogram's range) stay exact through re-binning.
TEST(Merge, PowerOfTwoValuesRebinExactly) {
  const std::vector<float> small = {1.0f, -1.0f, 0.5f, 0.25f, -0.125f, 0.0f, 1.0f};
  const std::vector<float> big = {8.0f, -4.0f, 2.0f, 3.0f, -6.5f};
  Histogram grown(16), direct(16);
  grown.observe(small.data(), small.size());
  EXPECT_EQ(grown.exponent(), 0);  // R = 1 = max|x|: 1.0 sits in the last bin
  EXPECT_EQ(grown.signed_counts()[31], 2u);
  grown.observe(big.data(), big.size());
  direct.observe(big.data(), big.size());
  direct.observe(small.data(), small.size());
  EXPECT_EQ(grown.exponent(), 3);
  EXPECT_EQ(grown.signed_counts(), direct.signed_counts());
  Histogram a(16), b(16);
  a.observe(small.data(), small.size());
  b.observe(big.data(), big.size());
  a.merge(b);
  EXPECT_EQ(a.signed_counts(), direct.signed_counts());
}

template <typename C>
void expect_roundtrip(const C& c, const std::vector<std::uint8_t>& blob, bool symmetric) {
  const QuantRange q = quant_range_for_bits(8, symmetric);
  const Range a = c.range(q, symmetric), b = C::deserialize(blob.data(), blob.size()).range(q, symmetric);
  EXPECT_EQ(a.min, b.min);
  EXPECT_EQ(a.max, b.max);
}

TEST(Serialize, RoundTripsAndRejectsMalformedBlobs) {
  const std::vector<float> x = normal(2000, 1.0f, 7);
  MinMaxCalibrator mm;
  MovingAverageMinMaxCalibrator ma(0.1f);
  AciqCalibrator aq;
  PerChannel<MseCalibrator> pc(-1);
  mm.observe(x);
  ma.observe(x);
  ma.observe(x.data(), 100);
  aq.observe(x);
  pc.observe(TensorView<const float>(x.data(), {100, 20}));
  for (bool sym : {true, false}) {
    expect_roundtrip(mm, mm.serialize(), sym);
    expect_roundtrip(ma, ma.serialize(), sym);
    expect_roundtrip(aq, aq.serialize(), sym);
  }
  const auto pblob = pc.serialize();
  const auto pc2 = PerChannel<MseCalibrator>::deserialize(pblob.data(), pblob.size());
  ASSERT_EQ(pc2.channels(), 20u);
  EXPECT_EQ(pc2.axis(), -1);
  for (std::size_t c = 0; c < 20; ++c)
    EXPECT_EQ(pc2.channel(c).histogram().signed_counts(), pc.channel(c).histogram().signed_counts());
  EXPECT_EQ(MovingAverageMinMaxCalibrator::deserialize(ma.serialize().data(), ma.serialize().size()).averaging_constant(),
            0.1f);

  auto error_of = [](auto load) -> std::string {
    try {
      load();
    } catch (const lowp::error& e) {
      return e.what();
    }
    return "";
  };
  // Truncations of every blob are rejected (never read past the end): all short prefixes,
  // then every 31st length.
  for (const auto& blob : {mm.serialize(), ma.serialize(), aq.serialize()}) {
    for (std::size_t n = 0; n < blob.size(); n += n < 80 ? 1 : 31) {
      EXPECT_NE(error_of([&] { MinMaxCalibrator::deserialize(blob.data(), n); }), "");
      EXPECT_NE(error_of([&] { AciqCalibrator::deserialize(blob.data(), n); }), "");
    }
  }
  for (std::size_t n = 0; n < pblob.size(); n += 97)
    EXPECT_NE(error_of([&] { PerChannel<MseCalibrator>::deserialize(pblob.data(), n); }), "");
  auto blob = aq.serialize();
  EXPECT_NE(error_of([&] { MinMaxCalibrator::deserialize(blob.data(), blob.size()); }).find("expected min-max"),
            std::string::npos);
  auto bad = blob;
  bad[0] = 'X';
  EXPECT_NE(error_of([&] { AciqCalibrator::deserialize(bad.data(), bad.size()); }).find("bad magic"), std::string::npos);
  bad = blob;
  bad[4] = 9;
  EXPECT_NE(error_of([&] { AciqCalibrator::deserialize(bad.data(), bad.size()); }).find("unsupported state version 9"),
            std::string::npos);
  bad = blob;
  bad.push_back(0);
  EXPECT_NE(error_of([&] { AciqCalibrator::deserialize(bad.data(), bad.size()); }).find("trailing"), std::string::npos);
  bad = blob;
  bad[bad.size() - 1] ^= 1;  // last bin count changed: counts no longer sum to the total
  EXPECT_NE(error_of([&] { AciqCalibrator::deserialize(bad.data(), bad.size()); }).find("sum to"), std::string::npos);
  bad = mm.serialize();
  std::swap(bad[8], bad[12]);  // min and max bytes swapped: min > max
  std::swap(bad[9], bad[13]);
  std::swap(bad[10], bad[14]);
  std::swap(bad[11], bad[15]);
  EXPECT_NE(error_of([&] { MinMaxCalibrator::deserialize(bad.data(), bad.size()); }).find("invalid min-max"),
            std::string::npos);
  // Random byte corruption: accepted or lowp::error, nothing else.
  std::mt19937 rng(3);
  for (int i = 0; i < 3000; ++i) {
    bad = blob;
    bad[rng() % bad.size()] = static_cast<std::uint8_t>(rng());
    try {
      AciqCalibrator::deserialize(bad.data(), bad.size());
    } catch (const lowp::error&) {
    }
  }
}

TEST(BadInput, NonFiniteValuesAreAnErrorNamingTheCountOrIgnoredAndCounted) {
  std::vector<float> x = normal(100, 1.0f, 2);
  x[3] = std::nanf("");
  x[50] = INFINITY;
  x[70] = -INFINITY;
  auto message = [](auto& c, const std::vector<float>& v) -> std::string {
    try {
      c.observe(v);
    } catch (const lowp::error& e) {
      return e.what();
    }
    return "";
  };
  MinMaxCalibrator mm;
  EntropyCalibrator kl;
  MovingAverageMinMaxCalibrator ma;
  PerChannel<MinMaxCalibrator> pc(0);
  EXPECT_NE(message(mm, x).find("3 NaN/Inf values (of 100)"), std::string::npos) << message(mm, x);
  EXPECT_NE(message(kl, x).find("3 NaN/Inf values"), std::string::npos);
  EXPECT_NE(message(ma, x).find("3 NaN/Inf values"), std::string::npos);
  try {
    pc.observe(TensorView<const float>(x.data(), {10, 10}));
    ADD_FAILURE() << "per-channel accepted NaN";
  } catch (const lowp::error& e) {
    EXPECT_NE(std::string(e.what()).find("3 NaN/Inf"), std::string::npos);
  }
  EXPECT_EQ(mm.count(), 0u);  // the failed batch left no trace
  EXPECT_EQ(kl.count(), 0u);

  ObserveOptions ignore{true};
  MinMaxCalibrator mm2(ignore);
  EntropyCalibrator kl2(Entropy{}, Histogram::kDefaultBins, ignore);
  PerChannel<MinMaxCalibrator> pc2(0, MinMaxCalibrator(ignore));
  mm2.observe(x);
  kl2.observe(x);
  pc2.observe(TensorView<const float>(x.data(), {10, 10}));
  EXPECT_EQ(mm2.nonfinite_ignored(), 3u);
  EXPECT_EQ(mm2.count(), 97u);
  EXPECT_EQ(kl2.nonfinite_ignored(), 3u);
  EXPECT_EQ(kl2.count(), 97u);
  EXPECT_TRUE(std::isfinite(mm2.min()) && std::isfinite(mm2.max()));
  EXPECT_EQ(pc2.channel(0).nonfinite_ignored() + pc2.channel(5).nonfinite_ignored() + pc2.channel(7).nonfinite_ignored(),
            3u);

  // Empty batches and ranges before any data.
  std::vector<float> empty;
  EXPECT_NE(message(mm, empty).find("empty batch"), std::string::npos);
  EXPECT_NE(message(kl, empty).find("empty batch"), std::string::npos);
  EXPECT_THROW(mm.range(kQint8, true), lowp::error);
  EXPECT_THROW(kl.range(kQint8, true), lowp::error);
  EXPECT_THROW(PerChannel<MinMaxCalibrator>(3).observe(TensorView<const float>(x.data(), {10, 10})), lowp::error);
  PerChannel<MinMaxCalibrator> pc3(1);
  pc3.observe(TensorView<const float>(x.data() + 20, {5, 4}));
  EXPECT_THROW(pc3.observe(TensorView<const float>(x.data() + 20, {4, 5})), lowp::error);  // channel count changed
}

// Constant and all-zero data: every method, both schemes, gives a finite non-zero scale.
TEST(BadInput, ConstantAndAllZeroDataGiveValidNonZeroScales) {
  for (float value : {0.0f, 3.0f, -0.25f, 1e-30f}) {
    const std::vector<float> x(257, value);
    MinMaxCalibrator mm;
    MovingAverageMinMaxCalibrator ma;
    PercentileCalibrator pc;
    EntropyCalibrator kl;
    MseCalibrator ms;
    AciqCalibrator aq(Aciq{AciqPrior::gaussian});
    mm.observe(x);
    ma.observe(x);
    pc.observe(x);
    kl.observe(x);
    ms.observe(x);
    aq.observe(x);
    for (const QuantParams& p :
         {mm.qparams<Symmetric>(kQint8), mm.qparams<Affine>(kQuint8), ma.qparams<Affine>(kQuint8),
          pc.qparams<Symmetric>(kQint8), pc.qparams<Affine>(kQuint8), kl.qparams<Symmetric>(kQint8),
          kl.qparams<Affine>(kQuint8), ms.qparams<Symmetric>(kQint8), ms.qparams<Affine>(kQuint8),
          aq.qparams<Symmetric>(kQint8), aq.qparams<Affine>(kQuint8)}) {
      EXPECT_TRUE(std::isfinite(p.scale) && p.scale > 0.0f) << value;
      EXPECT_GE(p.zero_point, -128);
      EXPECT_LE(p.zero_point, 255);
    }
    // The constant itself is representable (up to a step) by min-max.
    const QuantParams p = mm.qparams<Affine>(kQuint8);
    EXPECT_NEAR(p.scale * (std::nearbyint(value / p.scale) + p.zero_point - p.zero_point), value, p.scale);
  }
}

}  // namespace
