#!/usr/bin/python3
"""torch.quantize_per_tensor / dequantize throughput in GB/s of input, for docs/quantization.md.

Run:  /usr/bin/python3 bench/quantize/torch_quantize_bench.py [--threads N]
Same sizes and data as bench_quantize (1M and 16M normal floats, scale 0.02, zero point 3,
qint8), quantized engine 'onednn', one thread by default like lowp's single-threaded kernels.
Prints the median of 15 timed runs after warm-up, in process CPU time (like Google Benchmark's
default), so that time stolen by other processes on a shared machine does not count.
"""
import argparse
import statistics
import time

import torch

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.backends.quantized.engine = "onednn"
print("torch", torch.__version__, "engine", torch.backends.quantized.engine, "threads", torch.get_num_threads())

for n in (1 << 20, 1 << 24):
    x = torch.randn(n)
    q = torch.quantize_per_tensor(x, 0.02, 3, torch.qint8)
    for name, fn, nbytes in (("quantize_per_tensor", lambda: torch.quantize_per_tensor(x, 0.02, 3, torch.qint8), 4 * n),
                             ("dequantize", lambda: q.dequantize(), n)):
        for _ in range(3):
            fn()
        times = []
        for _ in range(15):
            t0 = time.process_time()
            fn()
            times.append(time.process_time() - t0)
        t = statistics.median(times)
        print("%-20s n=%-9d %8.3f ms  %7.2f GB/s of input" % (name, n, t * 1e3, nbytes / t / 1e9))
