#!/usr/bin/env python3
"""Instruction mix of the inner loop of each AArch64 GEMM micro-kernel.

Compiles the accumulate() loop of backend::Neon, NeonDotprod and NeonI8mm with the
aarch64 cross compiler, disassembles it with aarch64-linux-gnu-objdump and prints,
for each kernel, the instructions of its k loop (the longest block that ends in a
backward branch). Used for the table in the ARM section of docs/backends.md:

    /usr/bin/python3 bench/arm/arm_kernel_mix.py [-O2|-O3]
"""
import collections
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # bench/arm/ -> repo
KERNELS = [  # (header, backend, packed A type, packed B type)
    ("kernel_neon_4x4.hpp", "Neon", "std::int8_t", "std::int8_t"),
    ("kernel_neon_dotprod_8x8.hpp", "NeonDotprod", "std::int8_t", "std::int8_t"),
    ("kernel_neon_i8mm_8x8.hpp", "NeonI8mm", "std::uint8_t", "std::int8_t"),
]


def loop_mix(objdump, symbol):
    insns, inside = [], False
    for line in objdump.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            if inside:
                break
            inside = symbol in m.group(1)
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$", line)
        if inside and m:
            insns.append((int(m.group(1), 16), m.group(2), m.group(3)))
    best = None  # the longest backward-branch loop (the k loop, not the zeroing of the tile)
    for addr, op, args in insns:
        target = re.search(r"\b([0-9a-f]+) <", args)
        if (op.startswith("b.") or op in ("cbz", "cbnz")) and target and int(target.group(1), 16) < addr:
            mix = collections.Counter(o for a, o, _ in insns if int(target.group(1), 16) <= a <= addr)
            if best is None or sum(mix.values()) > sum(best.values()):
                best = mix
    return best


def main():
    opt = sys.argv[1] if len(sys.argv) > 1 else "-O2"
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "mix.cpp")
        with open(src, "w") as f:
            for header, _, _, _ in KERNELS:
                f.write(f'#include "lowp/gemm/arm/{header}"\n')
            for _, backend, pa, pb in KERNELS:
                f.write(f"void mix_{backend}(const {pa}* a, const {pb}* b, long k, std::int32_t* c) "
                        f"{{ lowp::backend::{backend}::accumulate(a, b, k).store(c, lowp::backend::{backend}::nr); }}\n")
        obj = os.path.join(tmp, "mix.o")
        subprocess.run(["aarch64-linux-gnu-g++", "-std=c++17", opt, "-march=armv8.6-a+dotprod+i8mm",
                        "-I", os.path.join(ROOT, "include"), "-c", src, "-o", obj], check=True)
        dump = subprocess.run(["aarch64-linux-gnu-objdump", "-d", "--no-show-raw-insn", obj],
                              check=True, capture_output=True, text=True).stdout
    for _, backend, _, _ in KERNELS:
        # The loop is either in accumulate() itself or inlined into the wrapper.
        mix = loop_mix(dump, f"backend{len(backend)}{backend}10accumulate") or loop_mix(dump, f"mix_{backend}")
        total = sum(mix.values()) if mix else 0
        print(f"{backend:12s} {total:3d} instructions: " +
              (", ".join(f"{n} {o}" for o, n in mix.most_common()) if mix else "loop not found"))


if __name__ == "__main__":
    main()
