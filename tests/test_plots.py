"""Plots render to PNG with the Agg backend (matplotlib is in the test extra)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import matplotlib.image as mpl_image
import numpy as np
import pytest

import ropebound as rb
from ropebound import cli, plots
from ropebound.cli.check import audit_row

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path: Path) -> None:
    assert path.read_bytes()[:8] == PNG_MAGIC
    pixels = mpl_image.imread(path)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 300
    # Not a blank canvas: something was drawn.
    assert float(np.std(pixels[..., :3])) > 0.05
    assert path.stat().st_size < 400_000


def test_published_tables_have_one_value_per_context() -> None:
    assert len(plots.PUBLISHED_CONTEXTS) == len(plots.PAPER_MIN_BASE) == len(plots.SU_MIN_BASE)
    assert plots.PUBLISHED_CONTEXTS[0] == 1024 and plots.PUBLISHED_CONTEXTS[-1] == 1 << 20


def test_fit_power_law_recovers_a_power_law() -> None:
    L = np.geomspace(1e3, 1e6, 20)
    c, p = plots.fit_power_law(L, 0.0424 * L**1.628)
    assert p == pytest.approx(1.628, rel=1e-12)
    assert c == pytest.approx(0.0424, rel=1e-10)
    with pytest.raises(ValueError, match="two points"):
        plots.fit_power_law([1.0], [2.0])


def test_plot_decay_curve(tmp_path: Path) -> None:
    out = plots.plot_decay_curve(1e4, 128, 5000, tmp_path / "curve.png")
    assert out == tmp_path / "curve.png"
    assert_png(out)


def test_plot_decay_curve_float32_overlay_and_long_curves(tmp_path: Path) -> None:
    n = 200_000  # more points than the envelope keeps
    exact = np.asarray(rb.decay_curve(n, 5e5, 128))
    fake32 = exact + 1e-3 * np.sin(np.arange(n))
    out = plots.plot_decay_curve(
        5e5, 128, n, tmp_path / "curve32.png", float32=fake32, values=exact
    )
    assert_png(out)
    with pytest.raises(ValueError, match="float32 must have shape"):
        plots.plot_decay_curve(5e5, 128, n, tmp_path / "x.png", float32=fake32[:10], values=exact)


def test_envelope_keeps_extremes() -> None:
    y = np.sin(np.arange(100_000) * 0.01)
    y[77_777] = -5.0
    for log in (False, True):
        xs, ys = plots._envelope(np.arange(y.size, dtype=np.float64), y, log=log)
        assert ys.size < y.size // 10
        assert ys.min() == -5.0 and xs[ys.argmin()] == 77_777
        assert ys.max() == y.max()
        assert np.all(np.diff(xs) > 0)


def test_plot_staircase_with_published_points(tmp_path: Path) -> None:
    stairs = rb.staircase(8192, 128)
    assert_png(plots.plot_staircase(stairs, tmp_path / "stairs.png"))
    assert_png(plots.plot_staircase(stairs, tmp_path / "bare.png", published=False))


def test_plot_audit(tmp_path: Path) -> None:
    reports = [
        {"name": "A", "advertised": 4096, "supported": 1707},
        {"name": "B", "advertised": 8192, "supported": 16384, "lower_bound": True},
        {"name": "C", "advertised": 131072, "supported": None},
    ]
    assert_png(plots.plot_audit(reports, tmp_path / "audit.png"))
    with pytest.raises(ValueError, match="lacks"):
        plots.plot_audit([{"name": "A", "advertised": 1}], tmp_path / "x.png")
    with pytest.raises(ValueError, match="at least one"):
        plots.plot_audit([], tmp_path / "x.png")


def test_cli_plots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    curve, stairs = tmp_path / "c.png", tmp_path / "s.png"
    argv = ["curve", "--base", "1e4", "--dim", "64", "--length", "4096", "--plot", str(curve)]
    assert cli.main(argv) == 0
    assert_png(curve)
    assert cli.main([*argv, "--float32"]) == 0
    assert_png(curve)
    capsys.readouterr()
    assert cli.main(["staircase", "4096", "--dim", "128", "--plot", str(stairs), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["plot"] == str(stairs)
    assert_png(stairs)


def test_cli_audit_plot_of_shipped_models(tmp_path: Path) -> None:
    out = tmp_path / "audit.png"
    assert cli.main(["models", "--no-min-base", "--plot", str(out), "--json"]) == 0
    assert_png(out)


def test_audit_row_from_a_report() -> None:
    """Invariant: the plotted row is the report's own supported_context and verdict."""
    report = rb.check_config(
        {"hidden_size": 4096, "num_attention_heads": 32, "max_position_embeddings": 4096},
        min_base=False,
    )
    row = audit_row("llama2", report)
    assert row == {
        "name": "llama2",
        "advertised": 4096,
        "supported": 1707,
        "lower_bound": False,
        "verdict": "superficial",
    }
    # A chunked layer type that never sees distances >= its span does not limit the model.
    chunked = dataclasses.replace(
        report.layer_types[0], context=1024, max_context=None, max_context_limit=2048
    )
    report = dataclasses.replace(report, layer_types=(chunked,))
    assert report.supported_context == (4096, True)
    assert audit_row("x", report)["supported"] == 4096
    # No negative B_m below the scan limit, and the span is the whole context: at least that.
    unscanned = dataclasses.replace(chunked, context=4096)
    assert dataclasses.replace(report, layer_types=(unscanned,)).supported_context == (2048, True)
