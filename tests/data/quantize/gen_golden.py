#!/usr/bin/python3
"""Golden data for lowp's quantizer from PyTorch (Debian python3-torch 1.13).

Run:  /usr/bin/python3 tests/data/quantize/gen_golden.py   (writes golden.txt next to this file)

Format (text, one record per line; floats as the 8-hex-digit bit pattern of the float32):
  case <op> key=value ...        opens a case
  <name> <n> v0 v1 ...            an array (f: float bits, i: decimal integers), until
  end
Ops and what lowp must reproduce:
  quantize_per_tensor      dtype scale zp; x -> q (int_repr)
  quantize_per_channel     dtype axis shape; scales zps x -> q
  fake_quant_tensor        qmin qmax scale zp; x -> y, mask (d y / d x, the STE mask)
  fake_quant_channel       qmin qmax axis shape; scales zps x -> y, mask
  observer                 dtype scheme reduce_range custom; x -> scale zp (MinMaxObserver)
  channel_observer         dtype scheme reduce_range custom axis shape; x -> scales zps (PerChannelMinMaxObserver)
"""
import os
import warnings
import struct

import torch

torch.manual_seed(1234)
warnings.filterwarnings("ignore", message=".*reduce_range will be deprecated.*")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.txt")
lines = []


def fbits(t):
    return " ".join("%08x" % struct.unpack("<I", struct.pack("<f", float(v)))[0] for v in t.reshape(-1).tolist())


def farr(name, t):
    t = t.to(torch.float32).reshape(-1)
    lines.append("%s %d %s" % (name, t.numel(), fbits(t)))


def iarr(name, t):
    t = t.reshape(-1)
    lines.append("%s %d %s" % (name, t.numel(), " ".join(str(int(v)) for v in t.tolist())))


def inputs(n, scale):
    """Normal data, exact ties at (k + 1/2) * scale, values far outside the range, zeros, tiny.

    PyTorch converts zp + round(x / s) to int64 without a range check, which is undefined
    behaviour in C++ for |x / s| >= 2^63 (x86 yields INT64_MIN, so +3e38 becomes qmin); lowp
    saturates to qmax there. The data stays below 2^62 after scaling, where PyTorch is defined."""
    x = torch.randn(n) * 40 * scale
    k = torch.randint(-300, 300, (n // 4,)).to(torch.float32)
    x[: n // 4] = (k + 0.5) * scale
    x[n // 4 : n // 4 + 8] = torch.tensor([0.0, -0.0, 1e-30, -1e-30, 1e15, -1e15, 1e6, -1e6])
    assert float((x / scale).abs().max()) < 2.0**62
    return x[torch.randperm(n)]


DT = {"quint8": torch.quint8, "qint8": torch.qint8, "qint32": torch.qint32}

# quantize_per_tensor
for dtype, scale, zp in [("quint8", 0.0213, 128), ("quint8", 0.1, 3), ("qint8", 0.0173, 0), ("qint8", 0.5, -7),
                         ("quint8", 1.0, 0), ("qint8", 0.003921569, 12)]:
    scale = float(torch.tensor(scale, dtype=torch.float32))
    x = inputs(256, scale)
    q = torch.quantize_per_tensor(x, scale, zp, DT[dtype]).int_repr()
    lines.append("case quantize_per_tensor dtype=%s scale=%s zp=%d" % (dtype, fbits(torch.tensor([scale])), zp))
    farr("x", x)
    iarr("q", q)
    lines.append("end")

# quantize_per_channel: OIHW axis 0, HWIO axis 3, a matrix along axis 1
for dtype, shape, axis in [("qint8", (4, 3, 2, 5), 0), ("quint8", (3, 2, 4, 6), 3), ("qint8", (7, 9), 1)]:
    c = shape[axis]
    scales = (torch.rand(c) * 0.05 + 0.001).to(torch.float32)
    if dtype == "quint8":
        zps = torch.randint(0, 256, (c,))
    else:
        zps = torch.randint(-20, 21, (c,))
    x = torch.randn(shape) * 3
    flat = x.reshape(-1)
    flat[::7] = (torch.randint(-200, 200, (flat[::7].numel(),)).to(torch.float32) + 0.5) * scales[0]
    q = torch.quantize_per_channel(x, scales.double(), zps, axis, DT[dtype]).int_repr()
    lines.append("case quantize_per_channel dtype=%s axis=%d shape=%s" % (dtype, axis, ",".join(map(str, shape))))
    farr("scales", scales)
    iarr("zps", zps)
    farr("x", x)
    iarr("q", q)
    lines.append("end")

# fake_quantize_per_tensor_affine (+ STE mask through autograd)
for qmin, qmax, scale, zp in [(0, 255, 0.02, 100), (-128, 127, 0.0171, 0), (0, 15, 0.3, 8), (-8, 7, 0.11, -2),
                              (-127, 127, 0.05, 0)]:
    scale = float(torch.tensor(scale, dtype=torch.float32))
    x = inputs(200, scale).requires_grad_(True)
    y = torch.fake_quantize_per_tensor_affine(x, scale, zp, qmin, qmax)
    y.sum().backward()
    lines.append("case fake_quant_tensor qmin=%d qmax=%d scale=%s zp=%d" % (qmin, qmax, fbits(torch.tensor([scale])), zp))
    farr("x", x.detach())
    farr("y", y.detach())
    iarr("mask", x.grad)
    lines.append("end")

# fake_quantize_per_channel_affine
for qmin, qmax, shape, axis in [(-128, 127, (5, 3, 4), 0), (0, 255, (2, 3, 6), 2), (-8, 7, (6, 10), 0)]:
    c = shape[axis]
    scales = (torch.rand(c) * 0.1 + 0.01).to(torch.float32)
    zps = torch.randint(qmin, qmax + 1, (c,)).to(torch.int32)
    x = (torch.randn(shape) * 5).requires_grad_(True)
    y = torch.fake_quantize_per_channel_affine(x, scales, zps, axis, qmin, qmax)
    y.sum().backward()
    lines.append("case fake_quant_channel qmin=%d qmax=%d axis=%d shape=%s" % (qmin, qmax, axis, ",".join(map(str, shape))))
    farr("scales", scales)
    iarr("zps", zps)
    farr("x", x.detach())
    farr("y", y.detach())
    iarr("mask", x.grad)
    lines.append("end")

# Observers
from torch.ao.quantization.observer import MinMaxObserver, PerChannelMinMaxObserver  # noqa: E402

SCHEMES = {"affine": (torch.per_tensor_affine, torch.per_channel_affine),
           "symmetric": (torch.per_tensor_symmetric, torch.per_channel_symmetric)}
datasets = [torch.randn(300) * 2 + 0.7, torch.rand(100) * 3 + 1.0, -torch.rand(50) * 0.01, torch.zeros(10),
            torch.full((5,), 2.5), torch.full((4,), 1e-41), torch.randn(64) * 1e3]
# Observer configurations: (dtype, scheme, reduce_range, custom quant range or None).
# PyTorch refuses symmetric quint8 with reduce_range in both observers (NotImplementedError), with
# or without a custom range. With a custom range the symmetric quint8 zero point is the floor
# midpoint (127 for [0, 255]) instead of the default 128, and reduce_range halves a custom range
# by floor division.
configs = []
for dtype in ["quint8", "qint8"]:
    for scheme in ["affine", "symmetric"]:
        for reduce_range in [False, True]:
            if not (dtype == "quint8" and scheme == "symmetric" and reduce_range):
                configs.append((dtype, scheme, reduce_range, None))
configs += [("quint8", "symmetric", False, (0, 255)), ("quint8", "affine", True, (0, 255)),
            ("qint8", "symmetric", False, (-127, 127)), ("quint8", "affine", False, (0, 15)),
            ("qint8", "affine", True, (-127, 127))]
for dtype, scheme, reduce_range, custom in configs:
    kw = dict(dtype=DT[dtype], reduce_range=reduce_range)
    if custom:
        kw.update(quant_min=custom[0], quant_max=custom[1])
    head = "dtype=%s scheme=%s reduce_range=%d custom=%s" % (
        dtype, scheme, int(reduce_range), "%d,%d" % custom if custom else "none")
    for x in datasets:
        obs = MinMaxObserver(qscheme=SCHEMES[scheme][0], **kw)
        obs(x)
        s, z = obs.calculate_qparams()
        lines.append("case observer " + head)
        farr("x", x)
        farr("scale", s)
        iarr("zp", z)
        lines.append("end")
    for shape, axis in [((4, 3, 3, 3), 0), ((3, 3, 2, 5), 3)]:
        x = torch.randn(shape) * torch.rand(shape[axis]).reshape([-1 if d == axis else 1 for d in range(len(shape))]) * 4
        if axis == 0:
            x[1] = 0.0  # an all-zero channel
            x[2] = x[2].abs() + 0.5  # a positive-only channel
        obs = PerChannelMinMaxObserver(ch_axis=axis, qscheme=SCHEMES[scheme][1], **kw)
        obs(x)
        s, z = obs.calculate_qparams()
        lines.append("case channel_observer %s axis=%d shape=%s" % (head, axis, ",".join(map(str, shape))))
        farr("x", x)
        farr("scales", s)
        iarr("zps", z)
        lines.append("end")

with open(OUT, "w") as f:
    f.write("# generated by gen_golden.py with torch %s; do not edit\n" % torch.__version__)
    f.write("\n".join(lines) + "\n")
print("wrote", OUT, os.path.getsize(OUT), "bytes")
