"""The ``ropebound`` command line: exit codes, JSON, one-line errors, files, Ctrl-C."""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ropebound as rb
from ropebound import cli
from ropebound.cli import _numbers as cli_numbers
from ropebound.cli import _output as cli_output

from helpers import default_sigint

SUBCOMMANDS = [
    "bound",
    "context",
    "curve",
    "staircase",
    "admissible",
    "sweep",
    "check",
    "models",
    "precision",
]


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m ropebound ARGS`` in a subprocess (stderr is not a terminal: no bars)."""
    return subprocess.run(
        [sys.executable, "-m", "ropebound", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_one_line_error(stderr: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("ropebound"), stderr
    assert "error:" in lines[0]
    assert "Traceback" not in stderr


# --- number syntax -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("131072", 131072),
        ("128k", 131072),
        ("1M", 1 << 20),
        ("2^17", 131072),
        ("2**17", 131072),
        ("0x20000", 131072),
        ("1e6", 1_000_000),
        ("1_000", 1000),
    ],
)
def test_parse_int_accepts_the_documented_forms(text: str, value: int) -> None:
    assert cli.parse_int(text) == value


@pytest.mark.parametrize("text", ["abc", "1.5", "1e400", "k", "2^"])
def test_parse_int_rejects_non_integers(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        cli.parse_int(text)


def test_parse_int_list_ranges() -> None:
    assert cli.parse_int_list("2^10..2^13") == [1024, 2048, 4096, 8192]
    assert cli.parse_int_list("1024,2048") == [1024, 2048]
    assert cli.parse_int_list("64..256+64, 1k") == [64, 128, 192, 256, 1024]
    for bad in ["", "8..4", "1..4+0"]:
        with pytest.raises(argparse.ArgumentTypeError):
            cli.parse_int_list(bad)


def test_parse_base() -> None:
    assert cli.parse_base("1e4") == 10000.0
    assert cli.parse_base("2^20") == float(1 << 20)
    with pytest.raises(argparse.ArgumentTypeError):
        cli.parse_base("ten")


# --- in-process main() -------------------------------------------------------------


def test_bound_text_matches_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bound", "4096", "--dim", "128"]) == 0
    out = capsys.readouterr().out
    expected = rb.min_base(4096, 128)
    assert repr(expected.base) in out
    assert f"critical m      = {expected.critical_distance}" in out
    assert "certified       = yes" in out


def test_bound_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bound", "4k", "--dim", "128", "--inclusive", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    expected = rb.min_base(4096, 128, inclusive=True)
    assert doc["min_base"] == expected.base  # JSON floats round-trip exactly
    assert doc["critical_distance"] == expected.critical_distance
    assert doc["certified"] is True
    assert doc["distances"] == "0..L"


def test_bound_trivial_context_says_infimum(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bound", "2", "--dim", "128"]) == 0
    assert "infimum" in capsys.readouterr().out


def test_context_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["context", "1e4", "--dim", "128", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["max_context"] == rb.max_context(1e4, 128)
    assert doc["first_negative_distance"] == doc["max_context"]


def test_context_none_below_limit(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["context", "1e6", "--dim", "128", "--limit", "1000", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["max_context"] is None


def test_curve_csv_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "curve.csv"
    argv = ["curve", "--base", "1e4", "--dim", "128", "--length", "3000", "--start", "10"]
    assert cli.main([*argv, "--csv", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    values = rb.decay_curve(3000, 1e4, 128, start=10)
    assert doc["first_negative_distance"] == 10 + int((values < 0).argmax())
    assert doc["first_negative_distance"] == rb.max_context(1e4, 128)
    assert doc["min"] == float(values.min())
    assert 0 < doc["error_bound"] < 1e-10
    with out.open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["m", "B_m"]
    assert len(rows) == 3001
    assert int(rows[1][0]) == 10
    # %.17g round-trips doubles exactly.
    assert [float(r[1]) for r in rows[1:]] == values.tolist()


def test_staircase_json_agrees_with_min_base(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["staircase", "2048", "--dim", "64", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    steps = doc["steps"]
    assert steps[-1]["to"] == 2048
    for L in (3, 100, 1000, 2048):
        step = next(s for s in steps if s["from"] <= L <= s["to"])
        assert step["min_base"] == rb.min_base(L, 64).base


def test_admissible_json_agrees_with_the_library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The default range is [b*, 2 b*]: the first window starts at b*, and the windows are
    the library's; --plot writes the figure."""
    out = tmp_path / "windows.png"
    assert cli.main(["admissible", "2^11", "--dim", "64", "--json", "--plot", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    b_star = rb.min_base(2048, 64).base
    assert doc["range"] == [b_star, 2 * b_star]
    expected = rb.admissible_bases(2048, 64, (b_star, 2 * b_star))
    assert [tuple(w) for w in doc["windows"]] == expected
    assert expected[0][0] == b_star and len(expected) >= 2
    assert out.stat().st_size > 0 and doc["plot"] == str(out)


@pytest.mark.parametrize(
    "argv", [["2", "--dim", "128"], ["2^40", "--dim", "4", "--rotary-dim", "2"]]
)
def test_admissible_default_range_where_every_base_is_admissible(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """b* = 1 is an infimum there (no base is the least): the default range starts one
    double above it, and the whole range is one window."""
    assert cli.main(["admissible", *argv, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["range"] == [math.nextafter(1.0, 2.0), 2.0]
    assert doc["windows"] == [doc["range"]]


def test_admissible_text_lists_every_window(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["admissible", "2048", "--dim", "64", "--range", "1e4", "6e4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    windows = rb.admissible_bases(2048, 64, (1e4, 6e4))
    assert f"{len(windows)} windows" in lines[0]
    rows = [line.split() for line in lines[2:]]
    assert [(float(r[0]), float(r[1])) for r in rows] == windows


def test_sweep_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sweep.csv"
    argv = ["sweep", "--contexts", "2^10..2^12", "--dims", "64,128", "--out", str(out)]
    assert cli.main(argv) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert [(int(r["context"]), int(r["dim"])) for r in rows] == [
        (c, d) for d in (64, 128) for c in (1024, 2048, 4096)
    ]
    for r in rows:
        assert float(r["base"]) == rb.min_base(int(r["context"]), int(r["dim"])).base


def test_sweep_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["sweep", "--contexts", "1024", "--dims", "128", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["rows"][0]["base"] == rb.min_base(1024, 128).base


def test_sweep_parquet_without_pyarrow_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes `import pyarrow` raise ImportError, installed or not.
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    out = tmp_path / "s.parquet"
    assert cli.main(["sweep", "--contexts", "1024", "--dims", "128", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert_one_line_error(err)
    assert "pyarrow" in err
    assert not out.exists()


def test_sweep_rejects_unknown_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.xlsx"
    assert cli.main(["sweep", "--contexts", "1024", "--dims", "128", "--out", str(out)]) == 1
    assert_one_line_error(capsys.readouterr().err)


def test_library_errors_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bound", "1000", "--dim", "3"]) == 1
    err = capsys.readouterr().err
    assert_one_line_error(err)
    assert "dim must be an even integer" in err
    assert cli.main(["bound", "1000", "--dim", "2"]) == 1  # no base is admissible
    assert_one_line_error(capsys.readouterr().err)
    assert cli.main(["context", "0.5", "--dim", "128"]) == 1
    assert_one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["bound"],
        ["bound", "abc", "--dim", "128"],
        ["bound", "1024"],
        ["nosuchcommand"],
        ["curve", "--base", "1e4", "--dim", "128"],
        ["sweep", "--contexts", "8..4", "--dims", "128"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 2
    assert_one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_has_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "example:" in out
    assert f"ropebound {command}" in out
    if command not in ("models", "check", "sweep"):
        assert "--json" in out


def test_top_level_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in SUBCOMMANDS:
        assert command in out
    assert "2^10..2^20" in out
    assert cli.main(["--version"]) == 0
    assert rb.__version__ in capsys.readouterr().out


def test_keyboard_interrupt_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("ropebound.bounds.min_base", interrupted)
    assert cli.main(["bound", "4096", "--dim", "128"]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "ropebound: interrupted"


def test_unexpected_exception_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr("ropebound.bounds.min_base", broken)
    assert cli.main(["bound", "4096", "--dim", "128"]) == 1
    err = capsys.readouterr().err
    assert_one_line_error(err)
    assert "boom second line" in err


def test_progress_callback_feeds_a_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with cli_output.progress_bar(True, "test") as progress:
        assert progress is not None
        progress(3, 10)
        progress(2, 10)  # a position that moves back must not break the bar
        progress(10, 10)
    with cli_output.progress_bar(False, "test") as progress:
        assert progress is None


def test_no_bar_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    with cli_output.progress_bar(True, "test") as progress:
        assert progress is None


# --- config subcommands (ropebound.check_config / models) ---------------------------


LLAMA2 = {
    "model_type": "llama",
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "max_position_embeddings": 4096,
    "rope_theta": 10000.0,
}


def test_check_config_file_and_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model_dir = tmp_path / "llama2"
    model_dir.mkdir()
    (model_dir / "config.json").write_text(json.dumps(LLAMA2))
    argv = ["check", str(model_dir), "--no-min-base", "--json"]
    assert cli.main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc[0]["verdict"] == "superficial"  # B_m < 0 at m = 1707 < 4096
    assert doc[0]["layer_types"][0]["max_context"] == rb.max_context(1e4, 128)
    assert cli.main([*argv, "--strict"]) == 1
    capsys.readouterr()
    assert cli.main(["check", str(model_dir / "config.json"), "--no-min-base"]) == 0
    assert "superficial" in capsys.readouterr().out


def test_check_missing_and_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", str(tmp_path / "nope.json")]) == 1
    assert_one_line_error(capsys.readouterr().err)
    assert cli.main(["check", str(tmp_path)]) == 1  # a directory without config.json
    assert_one_line_error(capsys.readouterr().err)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert cli.main(["check", str(bad)]) == 1
    assert_one_line_error(capsys.readouterr().err)


def test_models_lists_shipped_configs(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["models", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    names = {row["name"] for row in rows}
    assert names == {entry.name for entry in rb.models()}


def test_precision_report(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["precision", "5e5", "--dim", "128", "--contexts", "2^10..2^12", "--json"]
    assert cli.main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    expected = rb.precision_report(5e5, 128, contexts=[1024, 2048, 4096]).to_dict()
    assert doc == json.loads(json.dumps(expected))
    assert [row["context"] for row in doc["rows"]] == [1024, 2048, 4096]
    assert cli.main(["precision", "5e5", "--dim", "128", "--contexts", "64k"]) == 0
    out = capsys.readouterr().out
    assert "first certified sign disagreement: " in out
    assert f"max context, exact:      {rb.max_context(5e5, 128)}" in out


# --- subprocess: the real entry point ----------------------------------------------


def test_module_entry_point_json() -> None:
    proc = run_cli("bound", "1024", "--dim", "128", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["min_base"] == rb.min_base(1024, 128).base
    assert proc.stderr == ""


def test_module_entry_point_errors() -> None:
    proc = run_cli("bound", "1024", "--dim", "7")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert_one_line_error(proc.stderr)
    proc = run_cli("bound", "--dim", "128")
    assert proc.returncode == 2
    assert_one_line_error(proc.stderr)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child needs POSIX")
def test_ctrl_c_exits_130() -> None:
    # ~100 s of work at d = 65536 (~6 s per million distances on 2 cores).
    proc = subprocess.Popen(
        [sys.executable, "-m", "ropebound", "curve", "--base", "1e4", "--dim", "65536",
         "--length", "16M"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )  # fmt: skip
    try:
        # Long enough for the interpreter and numpy to import: a SIGINT during
        # start-up would interrupt the import, not the computation under test.
        time.sleep(2.0)
        assert proc.poll() is None, proc.communicate()
        started = time.monotonic()
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert time.monotonic() - started < 5  # the core checks for signals every ~50 ms
    assert err.strip() == "ropebound: interrupted"
    assert out == ""


def test_every_subcommand_module_registers_its_parser() -> None:
    """Invariant: ``ropebound --help`` lists exactly the subcommand modules, in order."""
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    names = [m.__name__.rsplit(".", 1)[1] for m in cli.SUBCOMMANDS]
    assert list(sub.choices) == names
    for name in names:
        assert sub.choices[name].get_default("func").__module__ == f"ropebound.cli.{name}"


# --- issue 12: hostile input ---------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["bound", "10^100000000", "--dim", "128"],
        ["context", "10^10000000", "--dim", "128"],
        ["bound", "2**99999999999", "--dim", "128"],
        ["sweep", "--contexts", "1..10^100000000", "--dims", "8"],
        ["bound", "9" * 100_000, "--dim", "128"],
    ],
)
def test_huge_numbers_are_refused_before_computing(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    t0 = time.monotonic()
    assert cli.main(argv) == 2
    assert time.monotonic() - t0 < 2.0
    err = capsys.readouterr().err
    assert_one_line_error(err)
    assert "out of range" in err


def test_ctrl_c_while_parsing_is_exit_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(text: str) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_numbers, "_parse_int", interrupted)
    assert cli.main(["bound", "128", "--dim", "128"]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "ropebound: interrupted"


def test_compare_parses_numbers_like_bound(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["compare", "1k", "--dim", "2^4", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["context"], doc["dim"]) == (1024, 16)


def test_check_limit_below_the_context_is_never_supported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "config.json"
    cfg.write_text(
        json.dumps({"head_dim": 128, "rope_theta": 1e4, "max_position_embeddings": 4096})
    )
    assert cli.main(["check", str(cfg), "--limit", "1000", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["verdict"] == "unchecked"
    assert cli.main(["check", str(cfg), "--limit", "1000", "--strict"]) == 1
    assert "supported" not in capsys.readouterr().out.replace("unchecked", "")
    assert cli.main(["models", "--check", "--limit", "1", "--no-min-base", "--json"]) == 0
    reports = json.loads(capsys.readouterr().out)
    assert "unchecked" in {rep["verdict"] for rep in reports}
    for rep in reports:
        if rep["verdict"] == "supported":
            # Only a proof needs no scan: unrotated pairs >= rotated ones (Phi-2, GLM-4...).
            assert (rep["head_dim"] - rep["rotary_dim"]) // 2 >= rep["rotary_dim"] // 2


def test_check_batch_goes_on_after_a_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"head_dim": 8, "rope_theta": 1e4, "max_position_embeddings": 64}))
    deep = tmp_path / "deep.json"
    deep.write_text('{"a":' * 100_000 + "{}" + "}" * 100_000)
    missing = tmp_path / "missing.json"
    status = cli.main(["check", str(missing), str(good), str(deep), "--no-min-base"])
    assert status == 1
    out = capsys.readouterr()
    assert f"{good}: " in out.out  # the good file's report is not lost
    errors = out.err.strip().splitlines()
    assert len(errors) == 2 and all(e.startswith("ropebound: error:") for e in errors)
    assert "missing.json" in errors[0] and "deep.json" in errors[1]
    assert "nested too deeply" in errors[1] and "Traceback" not in out.err


def test_closed_stdout_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    assert cli.main(["bound", "100", "--dim", "8"]) == 1
    assert_one_line_error(capsys.readouterr().err)


def test_curve_length_zero_and_float32_without_plot_are_usage_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["curve", "--base", "1e4", "--dim", "8", "--length", "0"]) == 2
    assert "--length" in capsys.readouterr().err
    assert cli.main(["curve", "--base", "1e4", "--dim", "8", "--length", "8", "--float32"]) == 2
    err = capsys.readouterr().err
    assert_one_line_error(err)
    assert "--plot" in err
