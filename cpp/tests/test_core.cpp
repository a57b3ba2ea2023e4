// Stand-alone checks of the C++ core (no Python): run by ctest, and once under
// -fsanitize=address,undefined in .ci/run.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "ropebound/decay.hpp"
#include "ropebound/float32.hpp"
#include "ropebound/frequencies.hpp"
#include "ropebound/solver.hpp"

using namespace ropebound;

static int failures = 0;

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                                   \
    }                                                                               \
  } while (0)

static void test_distance_zero() {
  const FrequencyTable t = rope_frequencies(10000.0, 128, 128);
  const Bounded b = decay_sum(0, t);
  CHECK(b.value == 64.0);
  CHECK(b.error < 1e-12);
}

static void test_known_value() {
  // B_1(10000, 4) = cos(1) + cos(0.01), computed independently in long double.
  const FrequencyTable t = rope_frequencies(10000.0, 4, 4);
  const Bounded b = decay_sum(1, t);
  const long double expected = std::cos(1.0L) + std::cos(0.01L);
  CHECK(std::fabs(static_cast<long double>(b.value) - expected) <= b.error + 1e-18L);
}

static void test_curve_matches_sum() {
  const FrequencyTable t = rope_frequencies(5e5, 128, 96);
  const std::uint64_t start = 1234567, length = 10000;
  std::vector<double> out(length);
  CHECK(decay_curve(t, start, length, out.data(), nullptr));
  const double bound = decay_curve_error_bound(t, start + length - 1);
  CHECK(bound < 1e-10);
  for (std::uint64_t k = 0; k < length; ++k) {
    const Bounded b = decay_sum(start + k, t);
    CHECK(std::fabs(out[k] - b.value) <= bound + b.error);
  }
}

static void test_explicit_table() {
  const double theta[] = {1.0, 0.0, 0.5};
  const FrequencyTable t = explicit_frequencies(theta, 3);
  CHECK(t.pairs() == 2);
  CHECK(t.constant == 1.0);
  const Bounded b = decay_sum(2, t);
  CHECK(std::fabs(b.value - (std::cos(2.0) + 1.0 + std::cos(1.0))) <= b.error + 1e-15);
}

static void test_bad_arguments_throw() {
  int thrown = 0;
  try {
    rope_frequencies(1.0, 128, 128);
  } catch (const std::invalid_argument&) {
    ++thrown;
  }
  try {
    rope_frequencies(1e4, 127, 127);
  } catch (const std::invalid_argument&) {
    ++thrown;
  }
  try {
    rope_frequencies(1e4, 64, 128);
  } catch (const std::invalid_argument&) {
    ++thrown;
  }
  try {
    rope_frequencies(NAN, 64, 64);
  } catch (const std::invalid_argument&) {
    ++thrown;
  }
  const double bad[] = {-1.0};
  try {
    explicit_frequencies(bad, 1);
  } catch (const std::invalid_argument&) {
    ++thrown;
  }
  CHECK(thrown == 5);
}

static void test_min_base_is_smallest_admissible() {
  // b*(1024, 128): admissible there, and the double just below is not.
  const FrequencyModel model = FrequencyModel::rope(128, 128);
  const MinBaseResult r = min_base_search(model, 1024, 1.0 + 0x1p-40, false, nullptr);
  CHECK(r.certified && !r.exhausted && r.critical_distance >= 0);
  CHECK(first_negative(model_table(model, r.base), 0, 1024, true, nullptr).distance < 0);
  const double below = std::nextafter(r.base, 0.0);
  CHECK(first_negative(model_table(model, below), 0, 1024, true, nullptr).distance >= 0);
  // The staircase mode reaches the same base.
  const MinBaseResult s = min_base_search(model, 1024, 1.0 + 0x1p-40, true, nullptr);
  CHECK(s.base == r.base && !s.staircase.empty() && s.staircase.back().base == r.base);
}

static void test_float32_model() {
  Float32Table t;
  t.theta = {1.0f, 0.5f};
  const Bounded b = decay_sum_float32(3, t);
  CHECK(std::fabs(b.value - (std::cos(3.0) + std::cos(1.5))) <= b.error + 1e-15);
  // Above 2^24 the float32 position rounds: 2^24 + 1 becomes 2^24.
  CHECK(float32_phase((1u << 24) + 1, 1.0f) == 16777216.0);
}

int main() {
  test_min_base_is_smallest_admissible();
  test_float32_model();
  test_distance_zero();
  test_known_value();
  test_curve_matches_sum();
  test_explicit_table();
  test_bad_arguments_throw();
  if (failures == 0) std::printf("test_core: all checks passed\n");
  return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
