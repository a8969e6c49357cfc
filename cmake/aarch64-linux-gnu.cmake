# Cross toolchain for 64-bit ARM (Debian's g++-aarch64-linux-gnu); tests run under qemu-aarch64.
# LOWP_QEMU_CPU picks the emulated CPU model: cortex-a72 (NEON), neoverse-n1 (dotprod), max (i8mm).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
# Eigen and xsimd are architecture-independent header packages installed under /usr.
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
if(NOT DEFINED LOWP_QEMU_CPU)
  set(LOWP_QEMU_CPU max)
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-cpu;${LOWP_QEMU_CPU};-L;/usr/aarch64-linux-gnu)
