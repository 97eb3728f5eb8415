# CMake toolchain file: cross-compile for 64-bit Windows with Debian's
# mingw-w64 (gcc-mingw-w64-x86-64), e.g.
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake ...
# scripts/build-windows.sh uses it for the libraries and for mixcompose.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(MINGW_TRIPLE x86_64-w64-mingw32)
# The "-posix" compilers have the threads model of C11/pthread users; the
# plain name is the win32 model, which is all mixcompose needs.
set(CMAKE_C_COMPILER ${MINGW_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${MINGW_TRIPLE}-g++)
set(CMAKE_RC_COMPILER ${MINGW_TRIPLE}-windres)

# Libraries and headers come from the sysroot and from the prefix the
# build script installs the cross-built libraries into.
set(CMAKE_FIND_ROOT_PATH /usr/${MINGW_TRIPLE} ${MIXCOMPOSE_WIN_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The runtime of gcc goes into the binaries: no libgcc DLL to ship.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static-libgcc")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc")

# Programs run through wine when a test or generator needs to run one.
find_program(MIXCOMPOSE_WINE NAMES wine64 wine PATHS /usr/lib/wine)
if(MIXCOMPOSE_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${MIXCOMPOSE_WINE})
endif()
