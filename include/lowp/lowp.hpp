// lowp/lowp.hpp: the umbrella header. Include it, or only the area you use.
#pragma once

#include "lowp/version.hpp"

#include "lowp/core/channel_values.hpp"
#include "lowp/core/error.hpp"
#include "lowp/core/matrix_view.hpp"
#include "lowp/core/tensor_view.hpp"

#include "lowp/fixedpoint/fixedpoint.hpp"
#include "lowp/fixedpoint/quantize_multiplier.hpp"
#include "lowp/fixedpoint/requantize.hpp"

#include "lowp/gemm/output_scales.hpp"
#include "lowp/gemm/output_stage.hpp"
#include "lowp/gemm/params.hpp"
#include "lowp/gemm/reference.hpp"
#include "lowp/gemm/zero_point_correction.hpp"
#include "lowp/quantize/params.hpp"
#include "lowp/io/npy.hpp"

#include "lowp/ops/add.hpp"
#include "lowp/ops/concat.hpp"
#include "lowp/ops/conv2d.hpp"
#include "lowp/ops/conv_geometry.hpp"
#include "lowp/ops/conv_reference.hpp"
#include "lowp/ops/depthwise_conv2d.hpp"
#include "lowp/ops/gemm_backend.hpp"
#include "lowp/ops/im2col.hpp"
#include "lowp/ops/leaky_relu.hpp"
#include "lowp/ops/lut_activation.hpp"
#include "lowp/ops/pool2d.hpp"
#include "lowp/ops/rescale.hpp"

#include "lowp/transforms/batchnorm_fold.hpp"
#include "lowp/transforms/bias_absorption.hpp"
#include "lowp/transforms/bias_correction.hpp"
#include "lowp/transforms/cross_layer_equalization.hpp"
#include "lowp/transforms/float_layer.hpp"
