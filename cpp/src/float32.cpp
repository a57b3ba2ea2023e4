#include "ropebound/float32.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "ropebound/dd.hpp"

namespace ropebound {

// Declared in decay_sum.cpp: cos of m*theta in double-double, for one table
// entry given as an exact double (m = 1, theta = the float32 phase).
dd precise_cos_of_double(double phase, double& error);

namespace {

// Round a double to bfloat16 (8 significant bits, nearest even), as a double.
double round_bf16(double x) {
  const float f = static_cast<float>(x);
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  const std::uint32_t lsb = (bits >> 16) & 1u;
  bits += 0x7fffu + lsb;
  bits &= 0xffff0000u;
  float r;
  std::memcpy(&r, &bits, sizeof r);
  return static_cast<double>(r);
}

// Largest distance between a value in [-1, 1] and its bf16 rounding's
// neighbours: a cos within our error of a rounding boundary may round either
// way, which moves the term by at most one bf16 ulp (2^-8 near 1).
constexpr double kBf16Ulp = 0x1p-8;

}  // namespace

Bounded decay_sum_float32(std::uint64_t m, const Float32Table& table) {
  double sum = table.constant, comp = 0.0, term_errors = 0.0;
  const std::size_t n = table.theta.size();
  for (std::size_t i = 0; i < n; ++i) {
    double c = std::cos(float32_phase(m, table.theta[i]));
    double err = kLibmErr;
    if (table.bf16_cos) {
      const double rounded = round_bf16(c);
      // If c is within err of a rounding boundary, the true cos may round to
      // the neighbour instead.
      if (round_bf16(c - err) != rounded || round_bf16(c + err) != rounded) err += kBf16Ulp;
      c = rounded;
    }
    const dd t = two_sum(sum, c);
    sum = t.hi;
    comp += t.lo;
    term_errors += err;
  }
  Bounded out;
  out.value = sum + comp;
  const double count = static_cast<double>(n + 1);
  // Sum2's bound as in decay_sum.
  out.error = (term_errors + kUnitRoundoff * std::fabs(out.value) +
               count * (count + 4.0) * kUnitRoundoff * kUnitRoundoff * (count + table.constant)) *
              (1.0 + 4.0 * count * kUnitRoundoff);
  return out;
}

Bounded decay_sum_float32_precise(std::uint64_t m, const Float32Table& table) {
  dd sum{table.constant, 0.0};
  double error = 0.0;
  for (float theta : table.theta) {
    double err = 0.0;
    dd c = precise_cos_of_double(float32_phase(m, theta), err);
    if (table.bf16_cos) {
      const double rounded = round_bf16(c.hi + c.lo);
      const double x = c.hi + c.lo;
      if (round_bf16(x - err - 2 * kUnitRoundoff) != rounded ||
          round_bf16(x + err + 2 * kUnitRoundoff) != rounded) {
        err += kBf16Ulp;
      }
      c = {rounded, 0.0};
    }
    sum = dd_add(sum, c);
    error += err;
  }
  Bounded out;
  out.value = sum.hi + sum.lo;
  const double count = static_cast<double>(table.theta.size() + 1);
  out.error = (error + kUnitRoundoff * std::fabs(out.value) +
               4.0 * count * kUnitRoundoff * kUnitRoundoff * (count + table.constant)) *
              (1.0 + 4.0 * count * kUnitRoundoff);
  return out;
}

FirstNegative32 first_negative_float32(const Float32Table& table, std::uint64_t start,
                                       std::uint64_t end, Monitor* monitor) {
  FirstNegative32 result;
  constexpr std::uint64_t kChunk = 4096;
  const int threads = max_threads();
  const std::uint64_t wave = static_cast<std::uint64_t>(4 * threads);
  std::vector<std::int64_t> hits(wave);
  std::vector<std::uint64_t> unknown(wave);
  auto last_poll = std::chrono::steady_clock::now();
  for (std::uint64_t w0 = start; w0 < end; w0 += wave * kChunk) {
    const auto n =
        static_cast<std::int64_t>(std::min<std::uint64_t>(wave, (end - w0 + kChunk - 1) / kChunk));
#pragma omp parallel for schedule(dynamic, 1)
    for (std::int64_t c = 0; c < n; ++c) {
      hits[c] = -1;
      unknown[c] = 0;
      const std::uint64_t lo = w0 + static_cast<std::uint64_t>(c) * kChunk;
      const std::uint64_t hi = std::min(end, lo + kChunk);
      for (std::uint64_t m = lo; m < hi; ++m) {
        const Bounded b = decay_sum_float32(m, table);
        if (b.value - b.error >= 0.0) continue;
        if (b.value + b.error >= 0.0) {
          const Bounded p = decay_sum_float32_precise(m, table);
          if (p.value - p.error >= 0.0) continue;
          if (p.value + p.error >= 0.0) {
            ++unknown[c];
            continue;
          }
        }
        hits[c] = static_cast<std::int64_t>(m);
        break;
      }
    }
    for (std::int64_t c = 0; c < n; ++c) {
      result.unknown += unknown[c];
      if (hits[c] >= 0) {
        result.distance = hits[c];
        return result;
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (monitor != nullptr && now - last_poll >= kPollInterval) {
      last_poll = now;
      if (!monitor->keep_going(w0 - start, end - start)) {
        result.stopped = true;
        return result;
      }
    }
  }
  return result;
}

}  // namespace ropebound
