// digits_int8: lowp's end-to-end example (README's main command).
//
// Loads the float CNN trained by train.py, folds its batch norms, calibrates
// the activations on the training images with each calibrator, quantizes the
// weights per channel, runs the whole network in int8 with lowp's ops on the
// test images and prints accuracy, logits SQNR, size and latency against the
// float model and PyTorch's own int8 model (data/pytorch_reference.txt).
//
// Usage: digits_int8 [--data DIR] [--check]
//   --check: exit 1 unless (a) the C++ float forward reproduces PyTorch's float
//   logits, (b) the best calibrator is within 0.5 points of float accuracy and
//   (c) at least as accurate as PyTorch's int8 model. ctest runs this.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "calibrators.hpp"
#include "float_model.hpp"
#include "int8_model.hpp"

namespace {

using digits::kClasses;

struct Dataset {
  std::vector<float> images;  // N x 64, pixel / 16
  std::vector<int> labels;
  std::ptrdiff_t size() const { return static_cast<std::ptrdiff_t>(labels.size()); }
};

Dataset load_split(const std::string& dir, const std::string& split) {
  const auto x = lowp::io::read_npy(dir + "/" + split + "_images.npy");
  const auto y = lowp::io::read_npy(dir + "/" + split + "_labels.npy");
  LOWP_CHECK(x.rank() == 3 && x.shape[1] == 8 && x.shape[2] == 8 && y.rank() == 1 && y.shape[0] == x.shape[0],
             split, ": expected N x 8 x 8 images and N labels");
  Dataset d;
  for (float v : x.data) {
    LOWP_CHECK(v >= 0 && v <= 16, split, ": pixel ", v, " outside 0..16");
    d.images.push_back(v / 16.0f);
  }
  for (float v : y.data) d.labels.push_back(static_cast<int>(v));
  return d;
}

std::map<std::string, std::string> read_reference(const std::string& path) {
  std::ifstream f(path);
  LOWP_CHECK(f.good(), "cannot open ", path);
  std::map<std::string, std::string> kv;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream is(line);
    std::string k, v;
    is >> k >> v;
    kv[k] = v;
  }
  return kv;
}

double accuracy(const std::vector<float>& logits, const std::vector<int>& labels) {
  std::ptrdiff_t correct = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const float* row = logits.data() + i * kClasses;
    correct += std::max_element(row, row + kClasses) - row == labels[i];
  }
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

double sqnr_db(const std::vector<float>& ref, const std::vector<float>& test) {
  double s = 0, n = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    s += double{ref[i]} * ref[i];
    n += (double{ref[i]} - test[i]) * (double{ref[i]} - test[i]);
  }
  return n == 0 ? INFINITY : 10.0 * std::log10(s / n);
}

template <typename F>
double seconds(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Median over `repeats` of the time ratio b / a, a and b run back to back each time so that
// both see the same load on a shared machine.
template <typename A, typename B>
double median_time_ratio(A&& a, B&& b, int repeats) {
  std::vector<double> r;
  for (int i = 0; i < repeats; ++i) {
    const double ta = seconds(a);
    r.push_back(seconds(b) / ta);
  }
  std::sort(r.begin(), r.end());
  return r[r.size() / 2];
}

// Calibrates every quantized activation tensor of the model with `c`.
digits::ActivationParams calibrate(const digits::Calibrator& c, const digits::FloatActivations& calib) {
  auto params = [&](const std::vector<float>& samples) { return c.qparams(samples, digits::kActivationRange); };
  return {params(calib.input), params(calib.conv1), params(calib.dw2), params(calib.pw2), params(calib.conv3)};
}

}  // namespace

int main(int argc, char** argv) try {
  std::string dir = DIGITS_DATA_DIR;
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--check")) {
      check = true;
    } else if (!std::strcmp(argv[i], "--data") && i + 1 < argc) {
      dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--data DIR] [--check]\n", argv[0]);
      return 2;
    }
  }
  const Dataset train = load_split(dir, "train"), test = load_split(dir, "test");
  const auto reference = read_reference(dir + "/pytorch_reference.txt");
  const double torch_float = std::stod(reference.at("float_accuracy"));
  const double torch_int8 = std::stod(reference.at("pytorch_int8_accuracy"));

  // 1. Float model with batch norms folded; check it against PyTorch's float logits.
  const digits::FloatModel model(dir, /*equalize=*/false);
  const auto float_test = digits::forward(model, test.images, test.size());
  const auto torch_logits = lowp::io::read_npy(dir + "/test_logits.npy");
  float max_diff = 0;
  for (std::size_t i = 0; i < float_test.logits.size(); ++i)
    max_diff = std::max(max_diff, std::fabs(float_test.logits[i] - torch_logits.data.at(i)));
  const double float_acc = accuracy(float_test.logits, test.labels);
  std::printf("lowp digits example: %td training images (calibration), %td test images\n", train.size(), test.size());
  std::printf("float model (BN folded, NHWC): test accuracy %.2f%%, max |logit - PyTorch logit| = %.2g\n",
              100 * float_acc, max_diff);

  // 2. Calibration data: the float activations of every quantized tensor on the training set.
  const auto calib = digits::forward(model, train.images, train.size());

  // 3. One int8 model per calibrator.
  const int repeats = check ? 1 : 7;  // --check needs the accuracy, not stable timings
  const auto run_float = [&] { digits::forward(model, test.images, test.size()); };
  std::printf("\n%-12s %9s %10s %12s %10s %14s\n", "calibrator", "top-1 %", "drop pts", "logits SQNR", "size", "int8/float time");
  double best = 0;
  std::string best_name;
  for (const digits::Calibrator& c : digits::calibrators()) {
    const digits::Int8Model q(model, calibrate(c, calib));
    const auto logits = q.forward(test.images, test.size());
    const double acc = accuracy(logits, test.labels);
    const double time_ratio = median_time_ratio(run_float, [&] { q.forward(test.images, test.size()); }, repeats);
    std::printf("%-12s %9.2f %10.2f %9.1f dB %9.3fx %13.2fx\n", c.name.c_str(), 100 * acc, 100 * (float_acc - acc),
                sqnr_db(float_test.logits, logits),
                static_cast<double>(q.bytes()) / static_cast<double>(model.parameter_count() * sizeof(float)),
                time_ratio);
    if (acc > best) best = acc, best_name = c.name;
  }
  std::printf("%-12s %9.2f %10.2f %9.1f dB   (PyTorch eager PTQ, onednn engine, default qconfig)\n", "PyTorch PTQ",
              100 * torch_int8, 100 * (torch_float - torch_int8), std::stod(reference.at("pytorch_int8_logits_sqnr_db")));
  std::printf("\nsize: int8 weights + int32 biases + per-channel scales vs float32 weights and biases.\n"
              "time: median of %d ratios, int8 model (lowp::gemm, %s backend) over float model (Eigen GEMM), each\n"
              "      from back-to-back passes over the %td test images; same process, same compiler flags.\n",
              repeats, lowp::DefaultBackend::name, test.size());

  // 4. One weight scale per layer instead of per channel: what cross-layer equalization repairs.
  const digits::FloatModel equalized(dir, /*equalize=*/true);
  const auto calib_equalized = digits::forward(equalized, train.images, train.size());
  const auto equalized_test = digits::forward(equalized, test.images, test.size());
  float cle_diff = 0;
  for (std::size_t i = 0; i < float_test.logits.size(); ++i)
    cle_diff = std::max(cle_diff, std::fabs(equalized_test.logits[i] - float_test.logits[i]));
  auto spreads = [](const digits::FloatModel& m) {
    std::string r;
    for (const digits::FloatConv* l : m.layers()) {
      const std::ptrdiff_t fan_in = l->geometry.depth();
      float lo = INFINITY, hi = 0;
      for (std::ptrdiff_t o = 0; o < l->geometry.out_c; ++o) {
        float amax = 0;
        for (std::ptrdiff_t k = 0; k < fan_in; ++k) amax = std::max(amax, std::fabs(l->weight[o * fan_in + k]));
        lo = std::min(lo, amax), hi = std::max(hi, amax);
      }
      char buf[32];
      std::snprintf(buf, sizeof buf, " %s %.1f", l->name.c_str(), hi / lo);
      r += buf;
    }
    return r;
  };
  std::printf("\nweights quantized per tensor (one scale per layer), activations as above.\n"
              "max/min over channels of max|w|:%s; after CLE:%s\n"
              "CLE float model vs BN-folded float model: max |logit difference| = %.2g\n",
              spreads(model).c_str(), spreads(equalized).c_str(), cle_diff);
  std::printf("%-12s %-22s %9s %10s %12s\n", "calibrator", "float model", "top-1 %", "drop pts", "logits SQNR");
  for (const digits::Calibrator& c : digits::calibrators()) {
    if (c.name != "min-max" && c.name != "MSE") continue;
    for (const bool cle : {false, true}) {
      const digits::Int8Model q(cle ? equalized : model, calibrate(c, cle ? calib_equalized : calib), false);
      const auto logits = q.forward(test.images, test.size());
      const double acc = accuracy(logits, test.labels);
      std::printf("%-12s %-22s %9.2f %10.2f %9.1f dB\n", c.name.c_str(), cle ? "BN folded + CLE" : "BN folded",
                  100 * acc, 100 * (float_acc - acc), sqnr_db(float_test.logits, logits));
    }
  }

  if (check) {
    bool ok = true;
    auto claim = [&](bool holds, const char* what) {
      std::printf("check: %-64s %s\n", what, holds ? "ok" : "FAILED");
      ok = ok && holds;
    };
    claim(max_diff < 1e-4f, "float forward reproduces PyTorch's logits (max diff < 1e-4)");
    claim(std::fabs(float_acc - torch_float) < 1e-9, "float accuracy equals PyTorch's float accuracy");
    claim(float_acc - best <= 0.005 + 1e-9, "best calibrator within 0.5 points of float accuracy");
    claim(best >= torch_int8 - 1e-9, "best calibrator at least as accurate as PyTorch's int8 model");
    return ok ? 0 : 1;
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "digits_int8: %s\n", e.what());
  return 1;
}
