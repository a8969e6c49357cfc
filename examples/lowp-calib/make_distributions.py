#!/usr/bin/python3
"""Writes the standard test distributions of docs/calibration.md as .npy files (numpy only).

usage: /usr/bin/python3 examples/lowp-calib/make_distributions.py OUT_DIR [N]
Each file holds N float32 values (default 262144) drawn with a fixed seed:
  normal.npy        N(0, 1)
  laplace.npy       Laplace(0, b = 1)
  relu_normal.npy   max(N(0, 1), 0)
  student_t3.npy    Student-t with 3 degrees of freedom
  outliers.npy      N(0, 1) with 0.01 % of the values replaced by +-N(0, 1) * 50
"""
import os
import sys

import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "."
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 18
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(2017)
outliers = rng.normal(size=n)
idx = rng.choice(n, size=max(1, n // 10000), replace=False)
outliers[idx] = rng.normal(size=idx.size) * 50.0
dists = {
    "normal": rng.normal(size=n),
    "laplace": rng.laplace(scale=1.0, size=n),
    "relu_normal": np.maximum(rng.normal(size=n), 0.0),
    "student_t3": rng.standard_t(3, size=n),
    "outliers": outliers,
}
for name, x in dists.items():
    np.save(os.path.join(out, name + ".npy"), x.astype(np.float32))
