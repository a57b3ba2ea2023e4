#include "ropebound/solver.hpp"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "py_monitor.hpp"
#include "ropebound/decay.hpp"

namespace py = pybind11;

namespace ropebound::bindings {

namespace {

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// The search's answer, as Python sees it (SearchResult): MinBaseResult's
// fields, the staircase as three arrays.
template <typename T, typename F>
py::array_t<T> steps_column(const MinBaseResult& r, F field) {
  py::array_t<T> out(static_cast<py::ssize_t>(r.staircase.size()));
  for (std::size_t k = 0; k < r.staircase.size(); ++k) {
    out.mutable_at(static_cast<py::ssize_t>(k)) = field(r.staircase[k]);
  }
  return out;
}

MinBaseResult min_base_py(const PiecewiseModel& model, std::uint64_t context, double start_base,
                          bool staircase, py::object progress, double max_base, int workers) {
  // Every table the search builds is at a base >= start_base, where no theta
  // exceeds the model's bound there.
  if (context > 0) {
    check_phase_range(static_cast<double>(context - 1), model.theta_bound(start_base));
  }
  PyMonitor monitor(std::move(progress));
  MinBaseResult r;
  {
    py::gil_scoped_release release;  // the search owns all its data
    r = staircase ? staircase_search(model, context, start_base, &monitor, max_base)
                  : min_base_search(model, context, start_base, &monitor, {max_base, workers});
  }
  // A Ctrl-C during the parallel search's last moments may come after the
  // search finished: it still interrupts.
  if (r.stopped || monitor.stop_requested()) monitor.raise();
  return r;
}

using IntArray = py::array_t<std::int64_t, py::array::c_style>;

// An integer array attribute: numpy's safe casts only (int32 is widened, a
// float array is a TypeError rather than truncated).
IntArray int_array(const py::object& fm, const char* name) {
  auto out = IntArray::ensure(fm.attr(name));
  if (!out) throw py::type_error(std::string(name) + " must be an array of integers");
  return out;
}

// The one conversion of a ropebound.scaling.FrequencyModel into the core's
// model, read by attribute (the Python side hands over its object as is):
// denominator q, constant, edges (S + 1 bases: segment k is
// [edges[k], edges[k+1])), coefficients and powers (S x pairs x T slots) and
// counts (S x pairs, the terms of each pair). Arrays, not Python objects per
// term: YaRN's model has a few hundred segments of 64 pairs each.
PiecewiseModel piecewise_from_python(const py::object& fm) {
  const int q = fm.attr("denominator").cast<int>();
  const double constant = fm.attr("constant").cast<double>();
  if (q < 1) throw std::invalid_argument("denominator must be >= 1");
  const auto edges = fm.attr("edges").cast<DoubleArray>();
  const auto coefficients = fm.attr("coefficients").cast<DoubleArray>();
  const auto powers = int_array(fm, "powers");
  const auto counts = int_array(fm, "counts");
  if (coefficients.ndim() != 3 || powers.ndim() != 3 || counts.ndim() != 2 || edges.ndim() != 1) {
    throw std::invalid_argument(
        "coefficients and powers must be 3-d (segments, pairs, slots), counts 2-d, edges 1-d");
  }
  const py::ssize_t segments = coefficients.shape(0);
  const py::ssize_t pairs = coefficients.shape(1);
  const py::ssize_t slots = coefficients.shape(2);
  for (int axis = 0; axis < 3; ++axis) {
    if (powers.shape(axis) != coefficients.shape(axis) ||
        (axis < 2 && counts.shape(axis) != coefficients.shape(axis))) {
      throw std::invalid_argument("coefficients, powers and counts must have matching shapes");
    }
  }
  if (edges.shape(0) != segments + 1) {
    throw std::invalid_argument("edges must have one more entry than there are segments");
  }
  const double* c = coefficients.data();
  const std::int64_t* p = powers.data();
  const std::int64_t* n = counts.data();
  const double* e = edges.data();
  PiecewiseModel out;
  out.pieces.resize(static_cast<std::size_t>(segments));
  for (py::ssize_t k = 0; k < segments; ++k) {
    PiecewiseModel::Piece& piece = out.pieces[static_cast<std::size_t>(k)];
    piece.model.q = q;
    piece.model.constant = constant;
    piece.model.terms.reserve(static_cast<std::size_t>(pairs * slots));
    piece.model.first.reserve(static_cast<std::size_t>(pairs) + 1);
    for (py::ssize_t i = 0; i < pairs; ++i) {
      const std::int64_t count = n[k * pairs + i];
      if (count < 0 || count > slots) {
        throw std::invalid_argument("counts must be in [0, slots per pair]");
      }
      for (std::int64_t j = 0; j < count; ++j) {
        const py::ssize_t at = (k * pairs + i) * slots + j;
        if (p[at] < 0 || p[at] > std::numeric_limits<int>::max()) {
          throw std::invalid_argument("exponents p must be in [0, 2**31 - 1]");
        }
        piece.model.terms.push_back({c[at], static_cast<int>(p[at])});
      }
      piece.model.first.push_back(piece.model.terms.size());
    }
    piece.lo = e[k];
    const double hi = e[k + 1];
    // Segments are half-open [base_lo, base_hi): the last base is the double below.
    piece.last = std::isfinite(hi) ? std::nextafter(hi, 0.0) : kMaxBase;
  }
  return out;
}

py::tuple first_negative_py(const FrequencyTable& table, std::uint64_t start, std::uint64_t end,
                            py::object progress) {
  if (end > start) check_phase_range(static_cast<double>(end - 1), table.max_theta());
  PyMonitor monitor(std::move(progress));
  FirstNegative r;
  {
    py::gil_scoped_release release;  // see min_base_py
    r = first_negative(table, start, end, true, &monitor);
  }
  if (r.stopped) monitor.raise();
  return py::make_tuple(r.distance, r.unknown);
}

// First negative distance below `limit` for many bases. With at least as many
// bases as threads, bases run in parallel, each scanned on one thread; with
// fewer, one base at a time with its scan's blocks in parallel waves (a lone
// base still uses every thread). Either way the scan gets a monitor, so Ctrl-C
// stops it mid-base, and the answer is the same (first_negative's result does
// not depend on how it is run). Tables are built inside the work item, so
// memory does not grow with the number of bases.
py::tuple max_context_bases(const PiecewiseModel& model, DoubleArray bases, std::uint64_t limit,
                            py::object progress) {
  const auto n = bases.size();
  const double* bd = bases.data();
  // The model's frequencies only shrink as the base grows: the smallest base
  // has the largest phases.
  if (limit > 0 && n > 0) {
    check_phase_range(static_cast<double>(limit - 1),
                      model.theta_bound(*std::min_element(bd, bd + n)));
  }
  py::array_t<std::int64_t> out(n);
  py::array_t<std::uint64_t> unknown(n);
  std::int64_t* od = out.mutable_data();
  std::uint64_t* ud = unknown.mutable_data();
  PyMonitor monitor(std::move(progress));
  FirstError error;
  bool finished = true;
  {
    py::gil_scoped_release release;  // see min_base_py
    if (n >= static_cast<py::ssize_t>(max_threads())) {
      finished = parallel_for_monitored(n, &monitor, [&](std::int64_t k, int, LoopMonitor& loop) {
        try {
          const FirstNegative r = first_negative(model.table(bd[k]), 0, limit, false, &loop);
          od[k] = r.distance;
          ud[k] = r.unknown;
        } catch (...) {
          error.capture(k);
        }
      });
    } else {
      for (py::ssize_t k = 0; k < n && finished; ++k) {
        const FirstNegative r = first_negative(model.table(bd[k]), 0, limit, true, &monitor);
        od[k] = r.distance;
        ud[k] = r.unknown;
        finished = !r.stopped;
      }
    }
  }
  error.rethrow();
  if (!finished || monitor.stop_requested()) monitor.raise();
  return py::make_tuple(out, unknown);
}

}  // namespace

void register_solver(py::module_& m) {
  py::class_<PiecewiseModel>(m, "PiecewiseModel")
      .def_static(
          "rope",
          [](int dim, int rotary_dim) {
            return PiecewiseModel::single(FrequencyModel::rope(dim, rotary_dim));
          },
          py::arg("dim"), py::arg("rotary_dim"))
      .def_static("scaled", &piecewise_from_python, py::arg("frequency_model"))
      .def("table", &PiecewiseModel::table, py::arg("base"))
      .def_property_readonly("pieces", [](const PiecewiseModel& pm) { return pm.pieces.size(); });
  py::class_<MinBaseResult>(m, "SearchResult")
      .def_readonly("base", &MinBaseResult::base)
      .def_readonly("critical_distance", &MinBaseResult::critical_distance)
      .def_readonly("certified", &MinBaseResult::certified)
      .def_readonly("exhausted", &MinBaseResult::exhausted)
      .def_readonly("jumps", &MinBaseResult::jumps)
      .def_readonly("jump_evaluations", &MinBaseResult::jump_evaluations)
      .def_readonly("walk_evaluations", &MinBaseResult::walk_evaluations)
      .def_readonly("block_evaluations", &MinBaseResult::block_evaluations)
      .def_readonly("full_passes", &MinBaseResult::full_passes)
      .def_property_readonly("step_contexts",
                             [](const MinBaseResult& r) {
                               return steps_column<std::uint64_t>(
                                   r, [](const StaircaseStep& s) { return s.context; });
                             })
      .def_property_readonly("step_bases",
                             [](const MinBaseResult& r) {
                               return steps_column<double>(
                                   r, [](const StaircaseStep& s) { return s.base; });
                             })
      .def_property_readonly("step_critical", [](const MinBaseResult& r) {
        return steps_column<std::int64_t>(
            r, [](const StaircaseStep& s) { return s.critical_distance; });
      });
  m.def("min_base_search", &min_base_py, py::arg("model"), py::arg("context"),
        py::arg("start_base"), py::arg("staircase") = false, py::arg("progress") = py::none(),
        py::arg("max_base") = kMaxBase, py::arg("workers") = 0);
  m.def("first_negative", &first_negative_py, py::arg("table"), py::arg("start"), py::arg("end"),
        py::arg("progress") = py::none());
  m.def(
      "admissible_windows",
      [](const PiecewiseModel& model, std::uint64_t context, double lo, double hi,
         py::object progress) {
        if (context > 0) {
          check_phase_range(static_cast<double>(context - 1), model.theta_bound(lo));
        }
        PyMonitor monitor(std::move(progress));
        AdmissibleWindows r;
        {
          py::gil_scoped_release release;  // see min_base_py
          r = admissible_windows(model, context, lo, hi, &monitor);
        }
        if (r.stopped || monitor.stop_requested()) monitor.raise();
        return r.windows;
      },
      py::arg("model"), py::arg("context"), py::arg("lo"), py::arg("hi"),
      py::arg("progress") = py::none());
  m.def("max_context_bases", &max_context_bases, py::arg("model"), py::arg("bases"),
        py::arg("limit"), py::arg("progress") = py::none());
}

}  // namespace ropebound::bindings
