# SPDX-License-Identifier: MIT
# Sets Torch_FOUND (and libtorch's TORCH_LIBRARIES) where a C++ compiler and libtorch are
# found. libtorch is only ever optional: examples/libtorch and tests/torch use it, nothing
# else does, and a build without it is not affected.
include(CheckLanguage)
check_language(CXX)
if(CMAKE_CXX_COMPILER)
  enable_language(CXX)
  find_package(Torch QUIET)
endif()
