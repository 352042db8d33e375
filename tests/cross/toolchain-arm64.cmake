# arm64 (AArch64, little-endian): gcc-aarch64-linux-gnu, qemu-aarch64-static.
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(LP_CROSS_ARCH arm64)
set(LP_CROSS_TRIPLET aarch64-linux-gnu)
set(LP_CROSS_QEMU aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake)
