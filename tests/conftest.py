"""Shared fixtures, hypothesis profiles, the coverage report and the skip policy.

Profiles: ``ci`` (default; derandomized, no deadline, enough examples that each
contract region of tests/strategies.py gets several) and ``fuzz`` (random, many
examples): ``pytest --hypothesis-profile=fuzz --hypothesis-seed=N``.

Skips: the only tests allowed to skip are those whose reason starts with "needs a GPU"
(no CUDA build or no device) or "needs no GPU" (a test of the no-device path on a
machine that has one). Any other skip fails the session: a missing optional
dependency or a removed API must not pass as a skip.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from strategies import coverage_report

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz", deadline=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ALLOWED_SKIPS = ("needs a GPU", "needs no GPU")
_unexpected: list[str] = []


def _check_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else ""
        if not reason.removeprefix("Skipped: ").startswith(ALLOWED_SKIPS):
            _unexpected.append(f"{report.nodeid}: {reason}")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _check_skip(report)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    _check_skip(report)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _unexpected and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = coverage_report()
    if lines:
        terminalreporter.section("hypothesis coverage of the contract regions (examples drawn)")
        for line in lines:
            terminalreporter.write_line(line)
    if _unexpected:
        terminalreporter.section("unexpected skips (only 'needs a GPU' may skip): FAIL")
        for line in _unexpected:
            terminalreporter.write_line(line)
