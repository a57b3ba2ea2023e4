// RoPE frequency tables: theta_i = base^(-2i/r) in double-double precision,
// with a rigorous relative error bound per pair.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <vector>

namespace ropebound {

// Largest base accepted: keeps 1/base and its double-double tail normal.
inline constexpr double kMaxBase = 1e250;
// Largest head / rotary dimension accepted (d/2 pairs are summed per distance).
inline constexpr int kMaxDim = 1 << 16;

struct FrequencyTable {
  // theta_i ~ hi[i] + lo[i]; |theta_i - (hi[i] + lo[i])| <= rel_err[i] * hi[i].
  std::vector<double> hi;
  std::vector<double> lo;
  std::vector<double> rel_err;
  // Pairs whose angle is identically zero (unrotated pairs, zero entries of an
  // explicit table): each contributes exactly cos(0) = 1 to every B_m.
  double constant = 0.0;
  // Only for tables built from a FrequencyModel (empty otherwise), with
  // u = ln(base): slope[i] = -d theta_i/du, slope_abs[i] >= |d theta_i/du| and
  // curvature_abs[i] >= |d^2 theta_i/du^2|. Both bounds are sums of decaying
  // exponentials in u, so they hold for every larger base too.
  std::vector<double> slope, slope_abs, curvature_abs;
  // curvature[i] = d^2 theta_i/du^2 (computed), and the largest rate a of any
  // term (|d^k theta_i/du^k| <= slope_abs[i] * max_rate^(k-1)).
  std::vector<double> curvature;
  double max_rate = 0.0;
  // Only for model tables: theta_i = sum_k term_value[k*n + i] * exp(-term_rate[k*n + i] * du)
  // for a base e^du times this one (n = pairs, k < terms_per_pair; unused slots
  // hold 0). term_value is within 2u of the exact term, term_rate = p/q.
  std::size_t terms_per_pair = 0;
  std::vector<double> term_value, term_rate;

  std::size_t pairs() const { return hi.size(); }
  // Largest theta in the table (0 for an empty table).
  double max_theta() const;
};

// theta_i as a function of the base: theta_i(b) = sum_j c_ij * b^(-p_ij/q) with
// integer exponents p_ij >= 0 over a common denominator q >= 1. Plain RoPE is
// q = r/2 and one term c = 1, p = i; every scaling scheme of Hugging Face
// configs is of this form on each segment of bases where it is smooth.
struct FrequencyModel {
  struct Term {
    double c = 1.0;
    int p = 0;
  };
  int q = 1;
  // Pair i's terms are terms[first[i]] .. terms[first[i + 1] - 1]: one flat
  // array, so a piecewise model of a few hundred pieces (YaRN's ramp) costs
  // two allocations per piece to build, not one per pair.
  std::vector<Term> terms;
  std::vector<std::size_t> first{0};
  double constant = 0.0;  // unrotated pairs: theta = 0 for every base
  // Set by rope(): pair i is the single term 1 * b^(-i/q) (a fast path that
  // skips the general combination; same values and bounds).
  bool plain = false;

  std::size_t pairs() const { return first.size() - 1; }
  // Appends a pair made of `pair_terms`.
  void add_pair(std::initializer_list<Term> pair_terms) {
    terms.insert(terms.end(), pair_terms);
    first.push_back(terms.size());
  }

  static FrequencyModel rope(int dim, int rotary_dim);
};

// Frequencies as a function of the base over the whole axis: pieces[k].model
// is exact for the bases in [lo, last] (pieces in increasing order, not
// overlapping). Plain RoPE is one piece over (1, kMaxBase]; a scaling scheme
// whose formula changes form at some bases (llama3's bands, YaRN's ramp) has
// one piece per stretch where it is smooth. The search crosses pieces itself.
struct PiecewiseModel {
  struct Piece {
    FrequencyModel model;
    double lo = 1.0;
    double last = kMaxBase;
  };
  std::vector<Piece> pieces;

  static PiecewiseModel single(FrequencyModel model);
  // The first piece with last >= base (pieces.size() when none).
  std::size_t piece_from(double base) const;
  // An upper bound on every theta_i(b') for b' >= base, over every piece.
  double theta_bound(double base) const;
  // The table at `base`, from the piece holding it; throws outside every piece.
  FrequencyTable table(double base) const;
};

// An upper bound on every theta_i(b') for b' >= base: sum_j |c_ij| base^(-p_ij/q)
// (each term only shrinks as the base grows), with slack for pow's rounding.
double model_theta_bound(const FrequencyModel& model, double base);

// The double-double table of a model at one base (base in (1, kMaxBase]).
// Throws std::invalid_argument where a frequency is not positive.
FrequencyTable model_table(const FrequencyModel& model, double base);
// The same into an existing table, reusing its storage (hot loops).
void model_table_into(const FrequencyModel& model, double base, FrequencyTable& table);

// theta_i = base^(-2i/rotary_dim), i < rotary_dim/2, plus (dim - rotary_dim)/2
// unrotated pairs. Throws std::invalid_argument on a base outside (1, kMaxBase],
// an odd or non-positive dimension, or rotary_dim > dim.
FrequencyTable rope_frequencies(double base, int dim, int rotary_dim);

// An explicit table of angular frequencies, taken as exact doubles. Zero
// entries become the constant term. Throws on negative or non-finite entries.
FrequencyTable explicit_frequencies(const double* theta, std::size_t n);

}  // namespace ropebound
