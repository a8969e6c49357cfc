// lowp-calib: shows what each lowp calibrator would do with a tensor stored as a .npy file.
//
//   lowp-calib FILE.npy [--method minmax|percentile|kl|mse|aciq|all] [--bits N]
//              [--scheme symmetric|affine] [--percentile P] [--per-channel AXIS]
//              [--json] [--svg OUT.svg]
//
// For every method: the chosen range, scale, zero point, and what quantizing this very tensor
// with them costs: MSE, SQNR (dB), fraction of values clipped, and the KL divergence the
// entropy method minimizes. --json prints one JSON object instead (keys documented in
// docs/calibration.md; they are a stable interface). --svg draws the histogram (log counts) with
// every method's thresholds.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "lowp/calibrate/aciq.hpp"
#include "lowp/calibrate/entropy.hpp"
#include "lowp/calibrate/metrics.hpp"
#include "lowp/calibrate/minmax.hpp"
#include "lowp/calibrate/mse.hpp"
#include "lowp/calibrate/per_channel.hpp"
#include "lowp/calibrate/percentile.hpp"
#include "lowp/io/npy.hpp"

namespace {

using namespace lowp::calib;
using lowp::QuantParams;
using lowp::QuantRange;

constexpr int kJsonVersion = 1;

struct Args {
  std::string file;
  std::string method = "all";
  int bits = 8;
  bool symmetric = true;
  double percentile = 99.99;
  bool per_channel = false;
  int axis = 0;
  bool json = false;
  bool ignore_nonfinite = false;
  std::string svg;
};

[[noreturn]] void usage(const char* msg) {
  if (msg) std::fprintf(stderr, "lowp-calib: %s\n", msg);
  std::fprintf(stderr,
               "usage: lowp-calib FILE.npy [--method minmax|percentile|kl|mse|aciq|all] [--bits N]\n"
               "                  [--scheme symmetric|affine] [--percentile P] [--per-channel AXIS]\n"
               "                  [--ignore-nonfinite] [--json] [--svg OUT.svg]\n");
  std::exit(msg ? 2 : 0);
}

Args parse(int argc, char** argv) {
  Args a;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) usage((std::string("missing value after ") + argv[i]).c_str());
    return argv[++i];
  };
  auto number = [&](const std::string& s, const char* what) {
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v)) usage((std::string("bad ") + what + " '" + s + "'").c_str());
    return v;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") usage(nullptr);
    if (arg == "--method") {
      a.method = value(i);
      if (a.method != "minmax" && a.method != "percentile" && a.method != "kl" && a.method != "mse" &&
          a.method != "aciq" && a.method != "all")
        usage(("unknown method '" + a.method + "'").c_str());
    } else if (arg == "--bits") {
      const double b = number(value(i), "bit width");
      if (b != std::floor(b) || b < 2 || b > 16) usage("--bits must be an integer in [2, 16]");
      a.bits = static_cast<int>(b);
    } else if (arg == "--scheme") {
      const std::string s = value(i);
      if (s != "symmetric" && s != "affine") usage(("unknown scheme '" + s + "'").c_str());
      a.symmetric = s == "symmetric";
    } else if (arg == "--percentile") {
      a.percentile = number(value(i), "percentile");
      if (!(a.percentile > 0.0 && a.percentile <= 100.0)) usage("--percentile must be in (0, 100]");
    } else if (arg == "--per-channel") {
      const double ax = number(value(i), "axis");
      if (ax != std::floor(ax)) usage("--per-channel needs an integer axis");
      a.per_channel = true;
      a.axis = static_cast<int>(ax);
    } else if (arg == "--json") {
      a.json = true;
    } else if (arg == "--ignore-nonfinite") {
      a.ignore_nonfinite = true;
    } else if (arg == "--svg") {
      a.svg = value(i);
    } else if (!arg.empty() && arg[0] == '-') {
      usage(("unknown option '" + arg + "'").c_str());
    } else if (a.file.empty()) {
      a.file = arg;
    } else {
      usage("more than one input file");
    }
  }
  if (a.file.empty()) usage("no input file");
  return a;
}

// One method: a name and how to get a range from a histogram (min-max uses the exact extremes
// the histogram also keeps, so one pass serves every method).
struct Method {
  std::string name;
  Range (*compute)(const Histogram&, QuantRange, bool, double);
};

std::vector<Method> methods_for(const std::string& which) {
  std::vector<Method> all = {
      {"minmax",
       [](const Histogram& h, QuantRange, bool sym, double) {
         return sym ? Range{-h.amax(), h.amax()} : Range{h.min(), h.max()};
       }},
      {"percentile", [](const Histogram& h, QuantRange q, bool sym, double p) { return Percentile{p}.compute(h, q, sym); }},
      {"kl", [](const Histogram& h, QuantRange q, bool sym, double) { return Entropy{}.compute(h, q, sym); }},
      {"mse", [](const Histogram& h, QuantRange q, bool sym, double) { return Mse{}.compute(h, q, sym); }},
      {"aciq-laplace",
       [](const Histogram& h, QuantRange q, bool sym, double) { return Aciq{AciqPrior::laplace}.compute(h, q, sym); }},
      {"aciq-gaussian",
       [](const Histogram& h, QuantRange q, bool sym, double) { return Aciq{AciqPrior::gaussian}.compute(h, q, sym); }},
  };
  if (which == "all") return all;
  std::vector<Method> out;
  for (const Method& m : all)
    if (m.name == which || m.name.rfind(which + "-", 0) == 0) out.push_back(m);
  return out;
}

struct Result {
  Range range;
  QuantParams qp;
  QuantError err;
  double kl = 0.0;
};

Result evaluate(const Method& m, const Histogram& h, const float* x, std::size_t n, const Args& a, QuantRange q) {
  Result r;
  r.range = m.compute(h, q, a.symmetric, a.percentile);
  r.qp = a.symmetric ? lowp::choose_qparams<lowp::Symmetric>(r.range.min, r.range.max, q)
                     : lowp::choose_qparams<lowp::Affine>(r.range.min, r.range.max, q);
  r.err = measure(x, n, r.qp, q);
  KlOptions smoothed;  // epsilon-smoothed so that every threshold has a finite divergence
  smoothed.smoothing = true;
  r.kl = kl_divergence_at(h, r.range.amax(), q, smoothed);
  return r;
}

// JSON numbers: finite with 9 significant digits, otherwise null (JSON has no inf/nan).
std::string num(double v) {
  if (!std::isfinite(v)) return "null";
  char b[32];
  std::snprintf(b, sizeof b, "%.9g", v);
  return b;
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else {
      o += c;
    }
  }
  return o;
}

std::string result_fields(const Result& r) {
  return "\"min\": " + num(r.range.min) + ", \"max\": " + num(r.range.max) + ", \"scale\": " + num(r.qp.scale) +
         ", \"zero_point\": " + std::to_string(r.qp.zero_point) + ", \"mse\": " + num(r.err.mse) +
         ", \"sqnr_db\": " + num(r.err.sqnr_db) + ", \"clipped_fraction\": " + num(r.err.clipped_fraction) +
         ", \"kl_divergence\": " + num(r.kl);
}

// Per-channel summary of a method: error over the whole tensor, each channel with its own params.
struct ChannelSummary {
  std::vector<Result> channels;
  QuantError total;
  double mean_kl = 0.0;
};

// The histogram plot: log10(1 + count) bars over [min, max] of the data, one vertical line per
// method threshold, labelled.
void write_svg(const std::string& path, const std::vector<float>& x, const Histogram& h,
               const std::vector<std::pair<std::string, Range>>& marks, const Args& a) {
  const int W = 960, H = 480, L = 70, R = 20, T = 40, B = 60;
  const int plot_w = W - L - R, plot_h = H - T - B;
  const int bars = 240;
  double lo = h.min(), hi = h.max();
  for (const auto& m : marks) {
    lo = std::min(lo, static_cast<double>(m.second.min));
    hi = std::max(hi, static_cast<double>(m.second.max));
  }
  if (!(hi > lo)) {
    lo -= 1.0;
    hi += 1.0;
  }
  const double pad = 0.03 * (hi - lo);
  lo -= pad;
  hi += pad;
  std::vector<double> counts(bars, 0.0);
  for (float v : x) {
    if (!std::isfinite(v)) continue;
    const int k = std::min(bars - 1, std::max(0, static_cast<int>((v - lo) / (hi - lo) * bars)));
    counts[static_cast<std::size_t>(k)] += 1.0;
  }
  double top = 1.0;
  for (double c : counts) top = std::max(top, std::log10(1.0 + c));
  top = std::ceil(top);
  auto px = [&](double v) { return L + (v - lo) / (hi - lo) * plot_w; };
  auto py = [&](double lc) { return T + plot_h - lc / top * plot_h; };
  std::ofstream f(path);
  if (!f) throw lowp::error("cannot write '" + path + "'");
  char buf[512];
  f << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
    << "\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n";
  f << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  std::string title = a.file;
  const std::size_t slash = title.find_last_of('/');
  if (slash != std::string::npos) title = title.substr(slash + 1);
  std::snprintf(buf, sizeof buf,
                "<text x=\"%d\" y=\"22\" font-size=\"15\">%s: %zu values, %d-bit %s</text>\n", L,
                json_escape(title).c_str(), x.size(), a.bits, a.symmetric ? "symmetric" : "affine");
  f << buf;
  for (int b = 0; b < bars; ++b) {
    const double lc = std::log10(1.0 + counts[static_cast<std::size_t>(b)]);
    if (lc <= 0.0) continue;
    const double x0 = L + static_cast<double>(b) * plot_w / bars;
    std::snprintf(buf, sizeof buf, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"#9db4d0\"/>\n",
                  x0, py(lc), static_cast<double>(plot_w) / bars, py(0.0) - py(lc));
    f << buf;
  }
  // Axes, decade ticks on y, five ticks on x.
  std::snprintf(buf, sizeof buf, "<path d=\"M%d %d V%d H%d\" stroke=\"black\" fill=\"none\"/>\n", L, T, T + plot_h,
                L + plot_w);
  f << buf;
  for (int d = 0; d <= static_cast<int>(top); ++d) {
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%d\" x2=\"%d\" y1=\"%.2f\" y2=\"%.2f\" stroke=\"#ccc\"/>"
                  "<text x=\"%d\" y=\"%.2f\" text-anchor=\"end\">1e%d</text>\n",
                  L, L + plot_w, py(d), py(d), L - 6, py(d) + 4, d);
    f << buf;
  }
  for (int t = 0; t <= 4; ++t) {
    const double v = lo + (hi - lo) * t / 4.0;
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%.2f\" x2=\"%.2f\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>"
                  "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%.4g</text>\n",
                  px(v), px(v), T + plot_h, T + plot_h + 5, px(v), T + plot_h + 18, v);
    f << buf;
  }
  std::snprintf(buf, sizeof buf,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">value</text>"
                "<text transform=\"translate(16 %d) rotate(-90)\" text-anchor=\"middle\">count + 1 (log scale)</text>\n",
                L + plot_w / 2, H - 14, T + plot_h / 2);
  f << buf;
  // Threshold lines (solid for min-max, dashed otherwise) identified by a legend, so that close
  // thresholds never produce overlapping labels.
  static const char* colors[] = {"#222222", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
  static const char* dashes[] = {"none", "8 3", "4 2", "2 2", "10 3 2 3", "6 2 2 2"};
  for (std::size_t i = 0; i < marks.size(); ++i) {
    const Range r = marks[i].second;
    for (int side = 0; side < 2; ++side) {
      const double v = side == 0 ? r.min : r.max;
      std::snprintf(buf, sizeof buf,
                    "<line x1=\"%.2f\" x2=\"%.2f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.6\" "
                    "stroke-dasharray=\"%s\"/>\n",
                    px(v), px(v), T, T + plot_h, colors[i % 6], dashes[i % 6]);
      f << buf;
    }
  }
  const int legend_w = 250, row = 17;
  const int lx = L + plot_w - legend_w - 8, ly = T + 8;
  std::snprintf(buf, sizeof buf,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%zu\" fill=\"white\" fill-opacity=\"0.9\" "
                "stroke=\"#999\"/>\n",
                lx, ly, legend_w, row * marks.size() + 8);
  f << buf;
  for (std::size_t i = 0; i < marks.size(); ++i) {
    const double y = ly + 4 + row * (static_cast<double>(i) + 0.5);
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\" "
                  "stroke-dasharray=\"%s\"/><text x=\"%d\" y=\"%.1f\" fill=\"%s\">%s  [%.4g, %.4g]</text>\n",
                  lx + 8, lx + 40, y, y, colors[i % 6], dashes[i % 6], lx + 48, y + 4, colors[i % 6],
                  marks[i].first.c_str(), marks[i].second.min, marks[i].second.max);
    f << buf;
  }
  f << "</svg>\n";
}

int run(const Args& a) {
  const lowp::io::NpyArray arr = lowp::io::read_npy(a.file);
  LOWP_CHECK(arr.size() > 0, "'", a.file, "' holds no values");
  const QuantRange q = quant_range_for_bits(a.bits, a.symmetric);
  const std::vector<Method> methods = methods_for(a.method);
  // NaN/Inf is an error, as in the library, unless --ignore-nonfinite: then such values are
  // counted (JSON nonfinite_ignored) and left out of every histogram and error measure.
  ObserveOptions observe_options;
  observe_options.ignore_nonfinite = a.ignore_nonfinite;
  if (!a.ignore_nonfinite) {
    const auto bad = static_cast<std::size_t>(
        std::count_if(arr.data.begin(), arr.data.end(), [](float v) { return !std::isfinite(v); }));
    LOWP_CHECK(bad == 0, "'", a.file, "' holds ", bad, " NaN/Inf value", bad == 1 ? "" : "s", " (of ",
               arr.data.size(), "); pass --ignore-nonfinite to leave them out and count them");
  }

  // Per-tensor: one histogram feeds every method.
  Histogram h(Histogram::kDefaultBins, observe_options);
  h.observe(arr.data.data(), arr.data.size());
  std::vector<Result> results;
  for (const Method& m : methods) results.push_back(evaluate(m, h, arr.data.data(), arr.data.size(), a, q));

  // Per-channel: a histogram per channel; error measured over the whole tensor.
  std::vector<ChannelSummary> summaries;
  int axis = 0;
  if (a.per_channel) {
    PerChannel<HistogramCalibrator<Percentile>> pc(
        a.axis, HistogramCalibrator<Percentile>(Percentile{}, Histogram::kDefaultBins, observe_options));
    const lowp::TensorView<const float> view = arr.view();
    axis = view.normalize_axis(a.axis);
    pc.observe(view);
    const std::size_t channels = pc.channels();
    std::vector<std::vector<float>> values(channels);
    view.for_each(
        [&](const float& v, std::ptrdiff_t, std::ptrdiff_t c) {
          if (std::isfinite(v)) values[static_cast<std::size_t>(c)].push_back(v);
        },
        axis);
    for (const Method& m : methods) {
      ChannelSummary s;
      double err = 0.0, sig = 0.0, clipped = 0.0;
      for (std::size_t c = 0; c < channels; ++c) {
        const Histogram& hc = pc.channel(c).histogram();
        Result r = evaluate(m, hc, values[c].data(), values[c].size(), a, q);
        const double n = static_cast<double>(values[c].size());
        err += r.err.mse * n;
        clipped += r.err.clipped_fraction * n;
        for (float v : values[c]) sig += static_cast<double>(v) * v;
        s.mean_kl += r.kl / static_cast<double>(channels);
        s.channels.push_back(r);
      }
      const double n = static_cast<double>(h.count());  // the finite values
      s.total.mse = err / n;
      s.total.sqnr_db = err > 0.0 ? 10.0 * std::log10(sig / err) : INFINITY;
      s.total.clipped_fraction = clipped / n;
      summaries.push_back(s);
    }
  }

  if (a.json) {
    std::string shape;
    for (std::size_t d = 0; d < arr.shape.size(); ++d) shape += (d ? ", " : "") + std::to_string(arr.shape[d]);
    std::printf("{\"lowp_calib_version\": %d, \"file\": \"%s\", \"dtype\": \"%s\", \"shape\": [%s], \"count\": %zu,"
                " \"nonfinite_ignored\": %llu,\n",
                kJsonVersion, json_escape(a.file).c_str(), lowp::io::dtype_name(arr.dtype), shape.c_str(),
                arr.data.size(), static_cast<unsigned long long>(h.nonfinite_ignored()));
    std::printf(" \"bits\": %d, \"scheme\": \"%s\", \"qmin\": %d, \"qmax\": %d, \"percentile\": %s,"
                " \"per_channel_axis\": %s,\n",
                a.bits, a.symmetric ? "symmetric" : "affine", q.qmin, q.qmax, num(a.percentile).c_str(),
                a.per_channel ? std::to_string(axis).c_str() : "null");
    std::printf(" \"stats\": {\"min\": %s, \"max\": %s, \"mean\": %s, \"std\": %s},\n \"methods\": [",
                num(h.min()).c_str(), num(h.max()).c_str(), num(h.mean()).c_str(), num(h.stddev()).c_str());
    for (std::size_t i = 0; i < methods.size(); ++i) {
      std::printf("%s\n  {\"method\": \"%s\", ", i ? "," : "", methods[i].name.c_str());
      if (!a.per_channel) {
        std::printf("%s}", result_fields(results[i]).c_str());
        continue;
      }
      const ChannelSummary& s = summaries[i];
      std::printf("\"mse\": %s, \"sqnr_db\": %s, \"clipped_fraction\": %s, \"kl_divergence\": %s, \"channels\": [",
                  num(s.total.mse).c_str(), num(s.total.sqnr_db).c_str(), num(s.total.clipped_fraction).c_str(),
                  num(s.mean_kl).c_str());
      for (std::size_t c = 0; c < s.channels.size(); ++c)
        std::printf("%s\n    {\"channel\": %zu, %s}", c ? "," : "", c, result_fields(s.channels[c]).c_str());
      std::printf("]}");
    }
    std::printf("\n ]}\n");
  } else {
    std::printf("%s: %s, shape (", a.file.c_str(), lowp::io::dtype_name(arr.dtype));
    for (std::size_t d = 0; d < arr.shape.size(); ++d) std::printf("%s%td", d ? ", " : "", arr.shape[d]);
    std::printf("), %zu values", arr.data.size());
    if (h.nonfinite_ignored() > 0)
      std::printf(" (%llu NaN/Inf ignored)", static_cast<unsigned long long>(h.nonfinite_ignored()));
    std::printf("\n  min %.6g  max %.6g  mean %.6g  std %.6g\n", h.min(), h.max(),
                h.mean(), h.stddev());
    std::printf("%d-bit %s, integer range [%d, %d]%s\n\n", a.bits, a.symmetric ? "symmetric" : "affine", q.qmin, q.qmax,
                a.per_channel ? (", per channel along axis " + std::to_string(axis)).c_str() : "");
    std::printf("%-14s %12s %12s %12s %6s %12s %9s %9s %10s\n", "method", "min", "max", "scale", "zp", "mse",
                "sqnr_dB", "clipped%", "kl");
    for (std::size_t i = 0; i < methods.size(); ++i) {
      if (!a.per_channel) {
        const Result& r = results[i];
        std::printf("%-14s %12.6g %12.6g %12.6g %6d %12.5g %9.3f %9.4f %10.5g\n", methods[i].name.c_str(), r.range.min,
                    r.range.max, r.qp.scale, r.qp.zero_point, r.err.mse, r.err.sqnr_db, 100.0 * r.err.clipped_fraction,
                    r.kl);
        continue;
      }
      const ChannelSummary& s = summaries[i];
      std::printf("%-14s %12s %12s %12s %6s %12.5g %9.3f %9.4f %10.5g\n", methods[i].name.c_str(), "per-channel", "",
                  "", "", s.total.mse, s.total.sqnr_db, 100.0 * s.total.clipped_fraction, s.mean_kl);
      for (std::size_t c = 0; c < s.channels.size(); ++c) {
        const Result& r = s.channels[c];
        std::printf("  [%4zu]       %12.6g %12.6g %12.6g %6d %12.5g %9.3f %9.4f %10.5g\n", c, r.range.min, r.range.max,
                    r.qp.scale, r.qp.zero_point, r.err.mse, r.err.sqnr_db, 100.0 * r.err.clipped_fraction, r.kl);
      }
    }
  }
  if (!a.svg.empty()) {
    std::vector<std::pair<std::string, Range>> marks;
    for (std::size_t i = 0; i < methods.size(); ++i) marks.emplace_back(methods[i].name, results[i].range);
    write_svg(a.svg, arr.data, h, marks, a);
    if (!a.json) std::printf("\nwrote %s (per-tensor thresholds)\n", a.svg.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  try {
    return run(a);
  } catch (const lowp::error& e) {
    std::fprintf(stderr, "lowp-calib: %s\n", e.what());
    return 1;
  }
}
