# Shared part of the tests/cross toolchain files: Debian's cross gcc for
# LP_CROSS_TRIPLET, its own libc (libc6-dev-<arch>-cross, under
# /usr/<triplet>), and the packager's libraries from a sysroot of unpacked
# Debian packages, LP_CROSS_SYSROOT (scripts/install-deps.sh makes it). The
# test programs run under qemu-user (CMAKE_CROSSCOMPILING_EMULATOR), so the
# inner ctest runs them as it runs native ones.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${LP_CROSS_TRIPLET}-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE ${LP_CROSS_TRIPLET})
if(NOT LP_CROSS_SYSROOT)
    set(LP_CROSS_SYSROOT /opt/lambdapack-cross/${LP_CROSS_ARCH})
endif()
set(LP_CROSS_SYSROOT ${LP_CROSS_SYSROOT} CACHE PATH "Unpacked Debian packages for ${LP_CROSS_ARCH}")
# try_compile projects read this file again: they must see the same sysroot.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES LP_CROSS_SYSROOT)
set(lp_sysroot_libs ${LP_CROSS_SYSROOT}/usr/lib/${LP_CROSS_TRIPLET}:${LP_CROSS_SYSROOT}/lib/${LP_CROSS_TRIPLET})

# pkg-config sees the sysroot's .pc files only, and prefixes their paths.
set(ENV{PKG_CONFIG_LIBDIR}
    "${LP_CROSS_SYSROOT}/usr/lib/${LP_CROSS_TRIPLET}/pkgconfig:${LP_CROSS_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} ${LP_CROSS_SYSROOT})

# Headers: the sysroot's arch-specific ones (openssl/configuration.h,
# zipconf.h) before its generic ones; the libc's stay the compiler's own.
set(CMAKE_C_FLAGS_INIT
    "-isystem ${LP_CROSS_SYSROOT}/usr/include/${LP_CROSS_TRIPLET} -isystem ${LP_CROSS_SYSROOT}/usr/include")
# The linker resolves libzip's own dependencies (libssl, libbz2) there too.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-rpath-link,${lp_sysroot_libs}")

set(CMAKE_FIND_ROOT_PATH ${LP_CROSS_SYSROOT} /usr/${LP_CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

# qemu-user: the loader from the cross libc (-L), libc itself from the same
# place and the packager's libraries from the sysroot (LD_LIBRARY_PATH, set
# for the guest only). libc must be named there: with multiarch libc6:<arch>
# installed (make release installs libc6:arm64), the host's ld.so.cache
# would give the guest that other libc, which hangs with the cross loader.
set(CMAKE_CROSSCOMPILING_EMULATOR
    qemu-${LP_CROSS_QEMU}-static -L /usr/${LP_CROSS_TRIPLET}
    -E LD_LIBRARY_PATH=/usr/${LP_CROSS_TRIPLET}/lib:${lp_sysroot_libs})
