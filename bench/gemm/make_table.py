#!/usr/bin/python3
"""Turns the JSON of bench/run_gemm_benchmarks.sh into the GEMM tables of docs/benchmarks.md.

Usage: make_table.py RESULTS_DIR DOC COMMAND
Reads RESULTS_DIR/{peaks,vnni,avx2,threads}.json (Google Benchmark, repetitions with
aggregates), takes medians, and replaces the text between the markers
<!-- gemm-tables:begin --> and <!-- gemm-tables:end --> in DOC (everything else is kept).
"""
import json
import os
import sys

BEGIN, END = "<!-- gemm-tables:begin -->", "<!-- gemm-tables:end -->"


BEST = {}  # run_name -> {counter: best value over the repetitions}


def load(path):
    """{run_name: {counter: median}} plus {run_name: error message}; fills BEST."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return {}, {}, {}
    with open(path) as f:
        data = json.load(f)
    med, err = {}, {}
    for b in data.get("benchmarks", []):
        name = b.get("run_name", b["name"])
        if b.get("error_occurred"):
            err[name] = b.get("error_message", "error")
            continue
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                med[name] = b
            continue
        best = BEST.setdefault(name, {})
        for key in ("GOPS", "GB_per_s"):
            if key in b:
                best[key] = max(best.get(key, 0.0), b[key])
        med.setdefault(name, b)  # a single repetition has no aggregate
    return med, err, data.get("context", {})


def strip(name):
    # "gemm/lowp/1x768x768" (possibly with "/real_time", "/iterations:1")
    return name.replace("/process_time", "").replace("/real_time", "").replace("/iterations:1", "")


def rows_by_impl(med):
    out = {}
    for name, b in med.items():
        parts = strip(name).split("/")
        if parts[0] == "gemm" and len(parts) == 3:
            out.setdefault(parts[1], {})[parts[2]] = b
    return out


SHAPES = ([f"{d}x{d}x{d}" for d in (256, 512, 1024, 2048)] +
          [f"{m}x{k}x{n}" for m in (1, 8, 32, 128) for k, n in ((768, 768), (768, 3072), (3072, 768), (4096, 4096))] +
          ["3136x576x64"])


def fmt(x, digits=0):
    return "-" if x is None else f"{x:.{digits}f}"


def pct(x):
    return "-" if x is None else f"{100 * x:.0f}%"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def gops(impls, impl, shape):
    b = impls.get(impl, {}).get(shape)
    return None if b is None else b.get("GOPS")


def frac(impls, impl, shape):
    b = impls.get(impl, {}).get(shape)
    return None if b is None else b.get("peak_frac")


def shape_table(impls, lowp, peers, peak_name):
    """peers: list of (impl, title). lowp: impl name of lowp's row."""
    head = ["shape M x K x N", f"lowp GOPS", f"lowp % of {peak_name}"]
    for _, title in peers:
        head += [title, f"lowp / {title}"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in SHAPES:
        g = gops(impls, lowp, s)
        cells = [s.replace("x", " x "), fmt(g), pct(frac(impls, lowp, s))]
        for impl, _ in peers:
            pg = gops(impls, impl, s)
            r = ratio(g, pg)
            cells += [fmt(pg) + (f" ({pct(frac(impls, impl, s))})" if impl.startswith("onednn") else ""),
                      "-" if r is None else f"{r:.2f}x"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verify_table(runs):
    lines = ["| implementation | oneDNN ISA cap | mismatches / 1961 | max abs diff |", "|---|---|---|---|"]
    for cap, (med, err) in runs:
        for name in sorted(set(med) | set(err)):
            n = strip(name)
            if not n.startswith("verify/"):
                continue
            if name in err:
                lines.append(f"| {n[7:]} | {cap} | {err[name]} | |")
                continue
            b = med[name]
            lines.append(f"| {n[7:]} | {cap} | {b.get('mismatches', 0):.0f} | {b.get('max_abs_diff', 0):.0f} |")
    return "\n".join(lines)


def main():
    results, doc, command = sys.argv[1], sys.argv[2], sys.argv[3]
    peaks, peaks_err, ctx = load(os.path.join(results, "peaks.json"))
    vnni, vnni_err, _ = load(os.path.join(results, "vnni.json"))
    avx2, avx2_err, _ = load(os.path.join(results, "avx2.json"))
    threads, _, _ = load(os.path.join(results, "threads.json"))
    iv, ia = rows_by_impl(vnni), rows_by_impl(avx2)
    out = [BEGIN, "", f"Regenerate: `{command}`", ""]
    out.append(f"Machine: {ctx.get('host_name', '?')}, {ctx.get('num_cpus', '?')} CPUs at "
               f"{ctx.get('mhz_per_cpu', '?')} MHz (nominal); {ctx.get('date', '')}. Medians of the "
               "repetitions; single thread pinned to CPU 0 (`taskset -c 0`), CPU time. Ratios compare rows "
               "of the same process.")
    out += ["", "### Instruction peaks and read bandwidth (bench_gemm_peaks)", "",
            "| kernel | GOPS (2 ops per MAC or FMA) | MACs per cycle | GB/s | note |", "|---|---|---|---|---|"]
    for name in sorted(set(peaks) | set(peaks_err)):
        n = strip(name)
        if name in peaks_err:
            out.append(f"| {n} | | | | {peaks_err[name]} |")
            continue
        b = peaks[name]
        out.append(f"| {n} | {fmt(b.get('GOPS'))} | {fmt(b.get('MACs_per_cycle'), 1)} | "
                   f"{fmt(b.get('GB_per_s'), 1)} | " + (f"clock {b['GHz']:.2f} GHz |" if "GHz" in b else " |"))
    out += ["", "### AVX-512 VNNI build (bench_gemm_avx512vnni, ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI)", "",
            "GOPS; oneDNN cells add their % of the VPDPBUSD zmm peak.", "",
            shape_table(iv, "lowp", [("onednn_matmul", "oneDNN matmul"),
                                    ("onednn_gemm_u8s8s32", "oneDNN gemm_u8s8s32"),
                                    ("xnnpack_qs8", "XNNPACK qs8"), ("gemmlowp", "gemmlowp"),
                                    ("eigen_f32", "Eigen fp32"), ("openblas_f32", "OpenBLAS fp32")],
                        "VPDPBUSD zmm peak")]
    if "lowp_avxvnni" in iv:
        out += ["", "lowp's ymm VNNI kernel (backend AvxVnni, EVEX-encoded here) against the EVEX VPDPBUSD ymm peak:",
                "", shape_table(iv, "lowp_avxvnni", [("onednn_matmul", "oneDNN matmul")], "VPDPBUSD ymm peak")]
    out += ["", "### AVX2 build (bench_gemm_avx2, ONEDNN_MAX_CPU_ISA=AVX2)", "",
            "lowp's AVX2 backend is exact (int16 VPMADDWD); oneDNN's AVX2 int8 path is NOT exact for "
            "full-range weights (see the correctness table), so its speed is for a different, wrong result.", "",
            shape_table(ia, "lowp", [("onednn_matmul", "oneDNN matmul"), ("onednn_gemm_u8s8s32", "oneDNN gemm_u8s8s32"),
                                    ("xnnpack_qs8", "XNNPACK qs8"), ("gemmlowp", "gemmlowp")],
                        "VPMADDUBSW chain peak")]
    # M = 1 against streaming reads of the same number of bytes: best repetition of each, since
    # bandwidth is a ceiling and other processes sharing the caches only ever lower it.
    out += ["", "### M = 1 against streaming read bandwidth (AVX-512 VNNI build, best repetition of each)", "",
            "| K x N | weight bytes | lowp GB/s of weights | read bandwidth GB/s, same bytes | lowp / bandwidth |",
            "|---|---|---|---|---|"]
    for k, n in ((768, 768), (768, 3072), (3072, 768), (4096, 4096)):
        g = BEST.get(f"gemm/lowp/1x{k}x{n}", {}).get("GOPS")
        bw = BEST.get(f"read_bandwidth/{k * n}/{k * n}", {}).get("GB_per_s")
        wgb = None if g is None else g / 2  # 2 ops per MAC, one MAC per weight byte at M = 1
        out.append(f"| {k} x {n} | {k * n} | {fmt(wgb, 1)} | {fmt(bw, 1)} | {pct(ratio(wgb, bw))} |")
    big = BEST.get(f"read_bandwidth/{256 << 20}/{256 << 20}", {}).get("GB_per_s")
    out.append(f"\nStreaming reads beyond every cache (256 MiB): {fmt(big, 1)} GB/s.")
    if threads:
        out += ["", "### Threads (lowp, AVX-512 VNNI build, wall-clock, `taskset -c 0,1`)", "",
                "| shape | 1 thread GOPS | 2 threads GOPS | speedup (wall) | process CPU time, 2 threads / 1 |",
                "|---|---|---|---|---|"]
        for d in (1024, 2048):
            s = f"{d}x{d}x{d}"
            b1 = threads.get(f"gemm_threads/lowp/{s}/threads:1/process_time/real_time", {})
            b2 = threads.get(f"gemm_threads/lowp/{s}/threads:2/process_time/real_time", {})
            g1, g2 = b1.get("GOPS"), b2.get("GOPS")
            r, cpu = ratio(g2, g1), ratio(b2.get("cpu_time"), b1.get("cpu_time"))
            out.append(f"| {s} | {fmt(g1)} | {fmt(g2)} | {'-' if r is None else f'{r:.2f}x'} | "
                       f"{'-' if cpu is None else f'{cpu:.2f}'} |")
    out += ["", "### Correctness of every row (shape 37 x 301 x 53, full-range operands, against lowp's reference)", "",
            verify_table([("AVX512_CORE_VNNI", (vnni, vnni_err)), ("AVX2", (avx2, avx2_err))])]
    # Targets of issue 5, evaluated on this run.
    out += ["", "### Issue 5 targets on this run", "", "| target | measured | met |", "|---|---|---|"]

    def worst(vals):
        vals = [v for v in vals if v is not None]
        return min(vals) if vals else None

    def target(text, value, bound, as_pct=True):
        shown = pct(value) if as_pct else ("-" if value is None else f"{value:.2f}x")
        met = "-" if value is None else ("yes" if value >= bound else "**no**")
        out.append(f"| {text} | {shown} | {met} |")

    square = [f"{d}x{d}x{d}" for d in (256, 512, 1024, 2048)]
    m_ge_32 = [s for s in SHAPES if s.split("x")[0] in ("32", "128")] + ["3136x576x64"]
    target("VNNI: >= 90% of VPDPBUSD zmm peak, square and M >= 32 (worst)",
           worst(frac(iv, "lowp", s) for s in square + m_ge_32), 0.9)
    target("VNNI: >= oneDNN matmul (VNNI cap), every shape (worst lowp/oneDNN)",
           worst(ratio(gops(iv, "lowp", s), gops(iv, "onednn_matmul", s)) for s in SHAPES), 1.0, False)
    small_m = [s for s in SHAPES if s.split("x")[0] in ("1", "8")]
    target("VNNI: >= 1.3x oneDNN at M = 1..8 (worst)",
           worst(ratio(gops(iv, "lowp", s), gops(iv, "onednn_matmul", s)) for s in small_m), 1.3, False)
    target("M = 1, weights in L2 (768 x 768): >= 1.3x oneDNN",
           ratio(gops(iv, "lowp", "1x768x768"), gops(iv, "onednn_matmul", "1x768x768")), 1.3, False)
    def weights_vs_bandwidth(k, n):
        g = BEST.get(f"gemm/lowp/1x{k}x{n}", {}).get("GOPS")
        bw = BEST.get(f"read_bandwidth/{k * n}/{k * n}", {}).get("GB_per_s")
        return ratio(None if g is None else g / 2, bw)
    target("M = 1, weights beyond L2 (768 x 3072, 3072 x 768, 4096 x 4096): >= 90% of read bandwidth "
           "of the same bytes (best runs, worst shape)",
           worst(weights_vs_bandwidth(k, n) for k, n in ((768, 3072), (3072, 768), (4096, 4096))), 0.9)
    large = ["1024x1024x1024", "2048x2048x2048", "128x768x3072", "128x3072x768", "128x4096x4096", "3136x576x64"]
    target("AVX2 (exact): >= 70% of the VPMADDUBSW+VPMADDWD+VPADDD chain peak, large shapes (worst)",
           worst(frac(ia, "lowp", s) for s in large), 0.7)
    target("AVX-VNNI ymm kernel: >= 85% of VPDPBUSD ymm peak (EVEX here; worst of square/M >= 32)",
           worst(frac(iv, "lowp_avxvnni", s) for s in square + m_ge_32), 0.85)
    for d in (1024, 2048):
        s = f"{d}x{d}x{d}"
        g1 = threads.get(f"gemm_threads/lowp/{s}/threads:1/process_time/real_time", {}).get("GOPS")
        g2 = threads.get(f"gemm_threads/lowp/{s}/threads:2/process_time/real_time", {}).get("GOPS")
        target(f"2 threads >= 1.85x one thread, {s}", ratio(g2, g1), 1.85, False)
    out += ["", END]

    text = open(doc).read() if os.path.exists(doc) else ""
    block = "\n".join(out)
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text + ("\n" if text else "") + block + "\n"
    with open(doc, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
