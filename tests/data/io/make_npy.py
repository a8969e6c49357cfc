#!/usr/bin/python3
"""Regenerates the .npy fixtures of tests/io (numpy's own writer is the reference).

Run from anywhere: /usr/bin/python3 tests/data/io/make_npy.py
Every array is a simple formula of its C-order index so the test can check values without
another copy of the data: value[i] = (i - 3) * 0.25 unless noted.
"""
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))


def ramp(shape, dtype):
    n = int(np.prod(shape))
    return ((np.arange(n) - 3) * 0.25).astype(dtype).reshape(shape)


def save(name, arr, version=None):
    path = os.path.join(here, name)
    with open(path, "wb") as f:
        np.lib.format.write_array(f, arr, version=version, allow_pickle=False)


save("f32_c_2x3.npy", ramp((2, 3), np.float32))
save("f64_fortran_2x3x4.npy", np.asfortranarray(ramp((2, 3, 4), np.float64)))
save("f32_fortran_3x5.npy", np.asfortranarray(ramp((3, 5), np.float32)))
save("f16_c_7.npy", ramp((7,), np.float16))
save("f32_bigendian_4.npy", ramp((4,), ">f4"))
save("f32_v2_2x2.npy", ramp((2, 2), np.float32), version=(2, 0))
save("f32_scalar.npy", np.array(1.5, dtype=np.float32))
save("f32_empty_0x5.npy", np.zeros((0, 5), dtype=np.float32))
# float16 special values: max, min subnormal, -inf, nan, -0
save("f16_special.npy", np.array([65504.0, 2.0 ** -24, -np.inf, np.nan, -0.0], dtype=np.float16))
save("i32_unsupported.npy", np.arange(3, dtype=np.int32))
