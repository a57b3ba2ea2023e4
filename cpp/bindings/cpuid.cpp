// pybind11 module _cpuid: which instruction-set levels this CPU (and its OS)
// supports, and which core variants this build holds. Imported before any
// variant, and compiled without -march, so it runs on any CPU of the
// architecture; ropebound/_dispatch.py picks the variant from its answers.
#include <pybind11/pybind11.h>

#include <string>

namespace py = pybind11;

namespace {

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// __builtin_cpu_supports reads CPUID and, for AVX and AVX-512, also checks via
// XGETBV that the OS saves the wider registers, so a CPU whose kernel disabled
// AVX-512 reports the lower level.
bool supports(const std::string& level) {
  __builtin_cpu_init();
  if (level == "baseline") {  // x86-64-v2
    return __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("popcnt") &&
           __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("sse4.1");
  }
  if (level == "avx2") {  // x86-64-v3
    return supports("baseline") && __builtin_cpu_supports("avx") &&
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
           __builtin_cpu_supports("f16c");
  }
  if (level == "avx512") {  // x86-64-v4
    return supports("avx2") && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512cd") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  }
  return false;
}
#else
// One portable variant off x86: nothing to detect.
bool supports(const std::string& level) { return level == "baseline"; }
#endif

}  // namespace

PYBIND11_MODULE(_cpuid, m) {
  m.doc() = "ropebound CPU probe (private; use ropebound.cpu_info())";
  m.attr("variants") = ROPEBOUND_VARIANTS;
  // True when the variants are the x86-64 levels, whose baseline needs
  // x86-64-v2 (a compiler without -march=x86-64-v4 builds one plain variant).
  m.attr("x86_levels") = ROPEBOUND_X86_LEVELS != 0;
  m.def("supports", &supports, py::arg("level"),
        "Whether this CPU and OS run code of the level 'baseline' (x86-64-v2), 'avx2' "
        "(x86-64-v3) or 'avx512' (x86-64-v4); any other name is False.");
}
