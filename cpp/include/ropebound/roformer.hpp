// RoFormer's long-term-decay curve: the relative upper bound of the attention
// logit, (1/(d/2)) * sum_{n=1}^{d/2} |S_n(m)|, S_n(m) = sum_{l<n} exp(i m theta_l)
// (Su et al., "RoFormer", arXiv 2104.09864, Sec. 3.4.3, via Abel summation).
#pragma once

#include <cstdint>

#include "ropebound/decay.hpp"
#include "ropebound/frequencies.hpp"
#include "ropebound/monitor.hpp"

namespace ropebound {

// The relative bound at one distance m < 2^53, with a rigorous error bound.
// Pairs are taken in table order (theta_0 = 1 first, decreasing frequency);
// the table's `constant` unrotated pairs (theta = 0) come last, as the lowest
// frequencies. The normaliser d/2 counts every pair, rotated or not.
Bounded roformer_relative_bound(std::uint64_t m, const FrequencyTable& table);

// out[k] / err[k] for m = start + k, k < length, start + length <= 2^53,
// OpenMP-parallel over blocks of distances (results do not depend on the
// thread count: each element is computed independently). Returns false when
// the monitor stopped it.
bool roformer_curve(const FrequencyTable& table, std::uint64_t start, std::uint64_t length,
                    double* out, double* err, Monitor* monitor);

}  // namespace ropebound
