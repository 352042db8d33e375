# s390x (IBM Z, big-endian): gcc-s390x-linux-gnu, qemu-s390x-static.
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(LP_CROSS_ARCH s390x)
set(LP_CROSS_TRIPLET s390x-linux-gnu)
set(LP_CROSS_QEMU s390x)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake)
