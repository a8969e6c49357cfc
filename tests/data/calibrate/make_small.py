#!/usr/bin/python3
"""small.npy and small_nonfinite.npy: the tensors the lowp_calib_json test runs lowp-calib on (numpy only).

2000 float32 values, shape (4, 500): a standard normal clipped to [-3.4, 3.4] with two planted
extremes, so min = -3.5 and max = 5.25 exactly.
Regenerate: /usr/bin/python3 tests/data/calibrate/make_small.py
"""
import os
import numpy as np

x = np.clip(np.random.default_rng(7).normal(size=(4, 500)), -3.4, 3.4).astype(np.float32)
x[0, 0] = -3.5
x[2, 7] = 5.25
np.save(os.path.join(os.path.dirname(os.path.abspath(__file__)), "small.npy"), x)

# small_nonfinite.npy: the same kind of tensor, shape (3, 4), with a NaN in row 0 and an -inf in
# row 2, for lowp-calib's --ignore-nonfinite (per tensor and per channel along axis 0).
y = np.arange(12, dtype=np.float32).reshape(3, 4) - 5.0
y[0, 1] = np.nan
y[2, 3] = -np.inf
np.save(os.path.join(os.path.dirname(os.path.abspath(__file__)), "small_nonfinite.npy"), y)
