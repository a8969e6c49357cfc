#!/usr/bin/python3
"""Generates torch_linear_golden.txt: outputs of torch.ops.quantized.linear
(and linear_relu) from Debian's python3-torch 1.13 with the qnnpack and onednn
engines, on random layers with quint8 activations, qint8 weights (per tensor
and per channel) and a float bias.

Every (case, engine) runs in a fresh python process: torch 1.13's onednn path
caches the input zero point across calls with equal shapes and scales (an
ideep bug) and would silently return wrong results otherwise.

Regenerate (from this directory; needs torch, CI does not):
    /usr/bin/python3 gen_torch_linear_golden.py > torch_linear_golden.txt

Format, after the '#' lines: the number of cases, then per case
    relu per_channel M K N za s_in s_out zo
    zw[P] s_w[P]            (P = N if per_channel else 1)
    bias[N]                 (float32, %.9g round-trips)
    A[M*K]                  (uint8 codes, row-major M x K)
    W[N*K]                  (int8 codes, row-major N x K: torch's weight layout)
    C_qnnpack[M*N]          (uint8, row-major)
    onednn_ran C_onednn[M*N] (onednn_ran = 0 when the engine refused the case; then no values)
Scales are float32 values (torch stores them as double; float32 ones are exact).
"""
import json
import subprocess
import sys

import numpy as np

CASES = 43
STRESS = 2  # the last cases: M*N = 1024 outputs with M[n] near 0.5, where the bias rounding shows
RECIPROCAL = CASES - STRESS - 1  # the case before them: see make_reciprocal_case


def run_case(spec):
    """Child process: one quantized linear on one engine; prints the output codes."""
    import torch

    torch.set_num_threads(1)
    torch.backends.quantized.engine = spec["engine"]
    a = torch.tensor(spec["a"], dtype=torch.uint8).reshape(spec["m"], spec["k"])
    w = torch.tensor(spec["w"], dtype=torch.int8).reshape(spec["n"], spec["k"])
    x = torch._make_per_tensor_quantized_tensor(a, spec["s_in"], spec["za"])
    if spec["per_channel"]:
        wq = torch._make_per_channel_quantized_tensor(
            w, torch.tensor(spec["s_w"], dtype=torch.double), torch.tensor(spec["zw"], dtype=torch.long), 0)
    else:
        wq = torch._make_per_tensor_quantized_tensor(w, spec["s_w"][0], spec["zw"][0])
    bias = torch.tensor(spec["bias"], dtype=torch.float32)
    packed = torch.ops.quantized.linear_prepack(wq, bias)
    op = torch.ops.quantized.linear_relu if spec["relu"] else torch.ops.quantized.linear
    y = op(x, packed, spec["s_out"], spec["zo"])
    print(json.dumps(y.int_repr().flatten().tolist()))


def engine_output(spec, engine):
    spec = dict(spec, engine=engine)
    r = subprocess.run([sys.executable, __file__, "--child"], input=json.dumps(spec), capture_output=True, text=True)
    if r.returncode != 0:
        print("# %s refused case: %s" % (engine, r.stderr.strip().splitlines()[-1]), file=sys.stderr)
        return None
    return json.loads(r.stdout)


def f32(x):
    return float(np.float32(x))


def make_stress_case(rng, t):
    """Codes near the zero points and a multiplier near 0.5: the int32 bias rounding
    error (up to 0.5 accumulator units = 0.25 output LSB) decides many outputs."""
    per_channel = t % 2 == 1
    m, k, n = 32, 8, 32
    p = n if per_channel else 1
    za = int(rng.integers(100, 156))
    a = np.clip(za + rng.integers(-12, 13, size=(m, k)), 0, 255)
    w = rng.integers(-12, 13, size=(n, k))
    s_in = f32(rng.uniform(0.002, 0.05))
    s_w = [f32(v) for v in rng.uniform(0.001, 0.02, size=p)]
    s_out = f32(s_in * float(np.mean(s_w)) / rng.uniform(0.3, 0.6))
    bias = [f32(v) for v in rng.normal(0, 40 * s_in * float(np.mean(s_w)), size=n)]
    return dict(relu=False, per_channel=per_channel, m=m, k=k, n=n, za=za, s_in=s_in, s_out=s_out, zo=128,
                zw=[0] * p, s_w=s_w, bias=bias, a=a.flatten().tolist(), w=w.flatten().tolist())


def make_reciprocal_case():
    """Scales for which (s_w * s_in) * (1 / s_out) = 0.5766129 but s_in * s_w / s_out =
    0.57661283 (one float32 ulp less): acc = +-124 gives 71.5 -> 72 with torch's
    reciprocal form and 71.49999 -> 71 with the quotient."""
    return dict(relu=False, per_channel=False, m=2, k=1, n=2, za=0, s_in=f32(0.034671154), s_out=f32(0.0001855754),
                zo=128, zw=[0], s_w=[f32(0.0030862878)], bias=[0.0, 0.0], a=[124, 0], w=[1, -1])


def make_case(rng, t):
    if t == RECIPROCAL:
        return make_reciprocal_case()
    if t >= CASES - STRESS:
        return make_stress_case(rng, t)
    per_channel = t % 2 == 1
    relu = t % 5 == 4
    m, k, n = int(rng.integers(1, 9)), int(rng.integers(1, 300 if t % 7 == 6 else 70)), int(rng.integers(1, 17))
    p = n if per_channel else 1
    a = rng.integers(0, 256, size=(m, k))
    a[rng.random((m, k)) < 0.1] = 255
    w = rng.integers(-128, 128, size=(n, k))
    w[rng.random((n, k)) < 0.1] = -128
    za = int(rng.integers(0, 256))
    # onednn needs symmetric weights; qnnpack takes any zero point: mix both
    zw = [0] * p if t % 3 else [int(v) for v in rng.integers(-20, 21, size=p)]
    s_in = f32(rng.uniform(0.002, 0.05))
    s_w = [f32(v) for v in rng.uniform(0.001, 0.02, size=p)]
    acc = (a - za) @ (w - np.array(zw)[:, None] if per_channel else w - zw[0]).T
    real_acc = acc * s_in * np.array(s_w if per_channel else s_w * n)[None, :]
    bias = [f32(v) for v in rng.normal(0, 0.3 * max(1e-3, np.abs(real_acc).mean()), size=n)]
    y = real_acc + np.array(bias)[None, :]
    span = max(float(y.max() - min(y.min(), 0.0)), 1e-3)
    s_out = f32(span / 255 * rng.uniform(0.6, 1.3))
    zo = int(np.clip(round(-min(y.min(), 0.0) / s_out) + rng.integers(-20, 20), 0, 255))
    return dict(relu=relu, per_channel=per_channel, m=m, k=k, n=n, za=za, s_in=s_in, s_out=s_out, zo=zo, zw=zw,
                s_w=s_w, bias=bias, a=a.flatten().tolist(), w=w.flatten().tolist())


def main():
    if "--child" in sys.argv:
        run_case(json.loads(sys.stdin.read()))
        return
    import torch

    rng = np.random.default_rng(20261121)
    print("# torch.ops.quantized.linear golden outputs (torch %s); generator: gen_torch_linear_golden.py" % torch.__version__)
    print(CASES)
    g = lambda v: "%.9g" % v
    for t in range(CASES):
        spec = make_case(rng, t)
        qnnpack = engine_output(spec, "qnnpack")
        assert qnnpack is not None, "qnnpack refused case %d" % t
        onednn = engine_output(spec, "onednn")
        print(1 if spec["relu"] else 0, 1 if spec["per_channel"] else 0, spec["m"], spec["k"], spec["n"], spec["za"],
              g(spec["s_in"]), g(spec["s_out"]), spec["zo"])
        print(" ".join(map(str, spec["zw"])), " ".join(map(g, spec["s_w"])))
        print(" ".join(map(g, spec["bias"])))
        print(" ".join(map(str, spec["a"])))
        print(" ".join(map(str, spec["w"])))
        print(" ".join(map(str, qnnpack)))
        print(0 if onednn is None else 1, " ".join(map(str, onednn or [])))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
