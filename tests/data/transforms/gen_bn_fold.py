#!/usr/bin/python3
"""Golden data for lowp's batch-norm folding: PyTorch's own fusion.

For each case, a Conv2d/Linear with random weights and bias and a BatchNorm
with random affine parameters and running statistics (eval mode) are fused by
torch.nn.utils.fusion.fuse_conv_bn_eval / fuse_linear_bn_eval. Writes
<case>_{weight,bias,gamma,beta,mean,var,fused_weight,fused_bias}.npy (float32,
weights in PyTorch's OIHW / (out, in) layout). eps = 1e-5 except case 'conv_eps'.

Usage: /usr/bin/python3 tests/data/transforms/gen_bn_fold.py  (needs python3-torch)
"""
import os

import numpy as np
import torch
from torch.nn.utils.fusion import fuse_conv_bn_eval, fuse_linear_bn_eval

HERE = os.path.dirname(os.path.abspath(__file__))

# name: (kind, in, out, kernel, groups, eps)
CASES = {
    "conv": ("conv", 3, 8, 3, 1, 1e-5),
    "conv_groups": ("conv", 6, 4, 3, 2, 1e-5),
    "depthwise": ("conv", 5, 5, 3, 5, 1e-5),
    "depthwise_mult2": ("conv", 3, 6, 5, 3, 1e-5),
    "conv_eps": ("conv", 4, 3, 1, 1, 1e-3),
    "linear": ("linear", 7, 5, 0, 1, 1e-5),
}


def main():
    torch.manual_seed(1234)
    for name, (kind, cin, cout, k, groups, eps) in CASES.items():
        if kind == "conv":
            layer = torch.nn.Conv2d(cin, cout, k, groups=groups, bias=True)
            bn = torch.nn.BatchNorm2d(cout, eps=eps)
        else:
            layer = torch.nn.Linear(cin, cout)
            bn = torch.nn.BatchNorm1d(cout, eps=eps)
        with torch.no_grad():
            bn.weight.uniform_(-2, 2)  # negative gammas too
            bn.bias.uniform_(-1, 1)
            bn.running_mean.uniform_(-1, 1)
            bn.running_var.uniform_(0.01, 4)
        layer.eval()
        bn.eval()
        fused = (fuse_conv_bn_eval if kind == "conv" else fuse_linear_bn_eval)(layer, bn)
        arrays = {
            "weight": layer.weight, "bias": layer.bias, "gamma": bn.weight, "beta": bn.bias,
            "mean": bn.running_mean, "var": bn.running_var,
            "fused_weight": fused.weight, "fused_bias": fused.bias,
        }
        for key, t in arrays.items():
            np.save(os.path.join(HERE, f"{name}_{key}.npy"), t.detach().numpy().astype(np.float32))
    print("wrote", len(CASES), "cases to", HERE)


if __name__ == "__main__":
    main()
