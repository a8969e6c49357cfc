// lowp/lowp.hpp: the umbrella header. Include it, or only the area you use.
#pragma once

#include "lowp/version.hpp"

#include "lowp/core/channel_values.hpp"
#include "lowp/core/error.hpp"
#include "lowp/core/matrix_view.hpp"
#include "lowp/core/tensor_view.hpp"

#include "lowp/fixedpoint/fixedpoint.hpp"
#include "lowp/fixedpoint/requantize.hpp"

#include "lowp/gemm/output_stage.hpp"
#include "lowp/gemm/params.hpp"
#include "lowp/gemm/reference.hpp"
#include "lowp/quantize/params.hpp"
#include "lowp/gemm/gemm.hpp"
