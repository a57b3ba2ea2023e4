# Optional CUDA backend (ROPEBOUND_CUDA=ON): a separate pybind11 module
# _core_cuda, which the Python package imports in try/except ImportError, so a
# build without it is unchanged.

include(CheckLanguage)
# CMake looks for nvcc on PATH only; the toolkit's usual homes are a common
# miss (a fresh shell without /usr/local/cuda/bin on PATH), so look there too.
if(NOT DEFINED CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX})
  find_program(ROPEBOUND_NVCC nvcc
    HINTS "$ENV{CUDA_HOME}/bin" "$ENV{CUDA_PATH}/bin"
    PATHS /usr/local/cuda/bin /opt/cuda/bin)
  if(ROPEBOUND_NVCC)
    set(CMAKE_CUDA_COMPILER "${ROPEBOUND_NVCC}" CACHE FILEPATH "CUDA compiler")
  endif()
endif()
check_language(CUDA)
if(NOT CMAKE_CUDA_COMPILER)
  message(FATAL_ERROR
    "ROPEBOUND_CUDA=ON, but no CUDA compiler (nvcc) was found. Either install the CUDA "
    "toolkit and make nvcc findable (put it on PATH, or set CUDACXX=/path/to/nvcc, or pass "
    "-DCMAKE_CUDA_COMPILER=/path/to/nvcc), or build without the CUDA backend by dropping "
    "ROPEBOUND_CUDA=ON (-Ccmake.define.ROPEBOUND_CUDA=ON for pip).")
endif()

# Hopper machine code plus PTX (JIT-compiled on newer GPUs). Must be set before
# enable_language(CUDA), which otherwise picks the compiler's default.
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  set(CMAKE_CUDA_ARCHITECTURES "90-real;90-virtual")
endif()
set(CMAKE_CUDA_STANDARD 17)
set(CMAKE_CUDA_STANDARD_REQUIRED ON)
enable_language(CUDA)
find_package(CUDAToolkit REQUIRED)
message(STATUS "ropebound: CUDA backend with ${CMAKE_CUDA_COMPILER} "
               "(${CMAKE_CUDA_COMPILER_VERSION}), architectures ${CMAKE_CUDA_ARCHITECTURES}")

add_library(ropebound_cuda STATIC cpp/cuda/kernels.cu)
target_include_directories(ropebound_cuda PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/cpp/cuda)
# Static cudart: the module imports without a CUDA driver (device_count() is
# then 0), which is what makes "no device" a clean RuntimeError in Python.
target_link_libraries(ropebound_cuda PUBLIC ropebound_core CUDA::cudart_static)
set_target_properties(ropebound_cuda PROPERTIES POSITION_INDEPENDENT_CODE ON)
# The double-double transforms need IEEE operations without contraction. The
# device code already uses explicit _rn intrinsics; -fmad=false makes any other
# device arithmetic (error-bound bookkeeping) IEEE too, and the host half (the
# emulation of the kernels) is compiled like the CPU core.
target_compile_options(ropebound_cuda PRIVATE
  $<$<COMPILE_LANGUAGE:CUDA>:-fmad=false -Xcompiler=-ffp-contract=off,-fno-fast-math>)

if(NOT ROPEBOUND_PYTHON)
  message(STATUS "ropebound: ROPEBOUND_PYTHON=OFF, building the CUDA kernels library only")
  return()
endif()
pybind11_add_module(_core_cuda cpp/cuda/bindings.cpp)
target_include_directories(_core_cuda PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/cpp/bindings)
target_link_libraries(_core_cuda PRIVATE ropebound_cuda)
install(TARGETS _core_cuda DESTINATION ropebound)
