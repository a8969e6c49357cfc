// examples/digits/calibrators.hpp: the activation calibrators the example compares,
// all from lowp/calibrate, each observing one tensor's calibration values and
// returning affine uint8 parameters.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "lowp/calibrate/aciq.hpp"
#include "lowp/calibrate/entropy.hpp"
#include "lowp/calibrate/minmax.hpp"
#include "lowp/calibrate/mse.hpp"
#include "lowp/calibrate/percentile.hpp"
#include "lowp/quantize/params.hpp"

namespace digits {

struct Calibrator {
  std::string name;
  std::function<lowp::QuantParams(const std::vector<float>&, lowp::QuantRange)> qparams;
};

template <typename C>
Calibrator make_calibrator(std::string name, C prototype) {
  return {std::move(name), [prototype](const std::vector<float>& values, lowp::QuantRange range) {
            C c = prototype;
            c.observe(values);
            return c.template qparams<lowp::Affine>(range);
          }};
}

inline std::vector<Calibrator> calibrators() {
  using namespace lowp::calib;
  return {
      make_calibrator("min-max", MinMaxCalibrator{}),
      make_calibrator("pct 99.9", PercentileCalibrator{Percentile{99.9}}),
      make_calibrator("pct 99.99", PercentileCalibrator{Percentile{99.99}}),
      // TensorRT's KL is misled by ReLU outputs: ~50% of every activation tensor here is exactly 0,
      // one histogram bin that dominates P; pytorch-quantization's variant (bins[0] := bins[1]) is not.
      make_calibrator("KL TensorRT", EntropyCalibrator{Entropy{KlOptions::tensorrt()}}),
      make_calibrator("KL pt-quant", EntropyCalibrator{Entropy{KlOptions::pytorch_quantization()}}),
      make_calibrator("MSE", MseCalibrator{}),
      make_calibrator("ACIQ lapl.", AciqCalibrator{Aciq{AciqPrior::laplace}}),
      make_calibrator("ACIQ gauss", AciqCalibrator{Aciq{AciqPrior::gaussian}}),
  };
}

}  // namespace digits
