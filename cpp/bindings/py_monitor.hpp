// A Monitor that forwards progress to an optional Python callable and turns a
// pending Ctrl-C (or an exception raised by the callable) into a stop request.
#pragma once

#include <pybind11/pybind11.h>

#include <optional>

#include "ropebound/monitor.hpp"

namespace ropebound::bindings {

namespace py = pybind11;

class PyMonitor final : public Monitor {
 public:
  explicit PyMonitor(py::object progress) : progress_(std::move(progress)) {}

  // Called from the thread that released the GIL (OpenMP thread 0), so taking
  // the GIL back here cannot deadlock.
  bool keep_going(std::uint64_t done, std::uint64_t total) override {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      error_.emplace();
      return false;
    }
    if (!progress_.is_none()) {
      try {
        progress_(done, total);
      } catch (py::error_already_set& e) {
        error_.emplace(std::move(e));
        return false;
      }
    }
    return true;
  }

  // Whether keep_going ever asked to stop (a kernel may still have finished).
  bool stop_requested() const { return error_.has_value(); }

  // Re-raises what stopped the kernel; call with the GIL held.
  [[noreturn]] void raise() {
    if (error_) throw std::move(*error_);
    throw py::error_already_set();
  }

  ~PyMonitor() override {
    if (error_) {
      py::gil_scoped_acquire gil;
      error_.reset();
    }
  }

 private:
  py::object progress_;
  std::optional<py::error_already_set> error_;
};

}  // namespace ropebound::bindings
