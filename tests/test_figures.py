"""Figure mechanics: reference lines under curves, distinct bounds, coinciding curves marked,
log-axis seed bands, legends outside the axes, and the data file beside every PNG."""
import json

import matplotlib
import numpy as np

matplotlib.use("Agg")

import regret  # noqa: E402
from regret import figures, plotting  # noqa: E402
from regret.result import Result  # noqa: E402


def _result(name, y, t=None):
    """A Result carrying the series y (K, B) as its regret, for drawing only."""
    y = np.asarray(y, dtype=float)
    t = np.arange(1, len(y) + 1) if t is None else t
    K, B = y.shape
    z = np.zeros((K, B))
    return Result(problem={"name": "p"}, optimizer=name, convention="theory", configs=[{}] * B,
                  problem_configs=[{}] * B, T=int(t[-1]), engine="numpy", t=t, regret=y, loss=z, comparator=z,
                  x=np.zeros((K, B, 1)), eta=np.zeros((K, B, 1)), expected_gap=y)


def test_four_bounds_are_four_different_lines():
    t = np.arange(1.0, 101.0)
    bounds = {f"bound {i}": (i + 2) * np.sqrt(t) for i in range(4)}
    fig = figures.regret_vs_bounds(t, {"AdaBound": np.sqrt(t)}, bounds)
    drawn = [ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("bound")]
    assert len(drawn) == 4 and len({(ln.get_color(), ln.get_linestyle()) for ln in drawn}) == 4


def test_reference_line_sits_under_the_curve_that_reaches_it():
    y = np.full((50, 1), 2 / 3)
    fig = figures.curves([_result("adam", y)], "regret", hlines=[(2 / 3, "predicted")])
    lines = {ln.get_label(): ln for ln in fig.axes[0].get_lines()}
    assert lines["predicted"].get_zorder() < lines["adam"].get_zorder()
    assert lines["predicted"].get_color() != lines["adam"].get_color()


def test_coinciding_curves_are_marked_and_named():
    t = np.arange(1, 101)
    a = 1 / np.sqrt(t)[:, None]
    fig = figures.curves([_result("adabound", a), _result("amsbound", a * (1 + 1e-4)), _result("sgd", 2 * a)],
                         "regret", labels=["AdaBound", "AMSBound", "SGD"])
    lines = {ln.get_label(): ln for ln in fig.axes[0].get_lines()}
    assert "AMSBound (≈ AdaBound)" in lines and lines["AMSBound (≈ AdaBound)"].get_marker() == "o"
    assert "SGD" in lines and lines["SGD"].get_marker() in ("None", None, "")
    assert figures.coinciding([(t, a[:, 0]), (t, 1.2 * a[:, 0])]) == {}


def test_log_axis_band_is_left_off_where_a_seed_is_zero():
    t = np.arange(1, 41)
    y = np.stack([1 / t, 2 / t, np.where(t % 5 == 0, 0.0, 1.5 / t)], axis=1)
    fig = figures.curves([_result("sgd", y, t)], "regret")
    ax = fig.axes[0]
    polys = [p for c in ax.collections for p in c.get_paths()]
    ys = np.concatenate([p.vertices[:, 1] for p in polys])
    assert ys.min() > 0 and ax.get_ylim()[0] > 0          # no band drawn down to the axis' floor
    assert ax.get_yscale() == "log"


def test_legend_is_outside_the_axes():
    fig = figures.curves([_result("adam", np.ones((10, 1)))], "regret", hlines=[(1.0, "limit")])
    fig.canvas.draw()
    leg = fig.axes[0].get_legend().get_window_extent()
    box = fig.axes[0].get_window_extent()
    assert leg.y1 <= box.y0                                 # entirely below the plotting area


def test_save_writes_the_curves_beside_the_png(tmp_path):
    t = np.arange(1, 31)
    y = np.stack([1 / t, 3 / t], axis=1)
    fig = figures.curves([_result("sgd", y, t)], "regret", labels=["SGD"], hlines=[(0.5, "half")])
    data_file = plotting.save(fig, tmp_path / "f.png")
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG" and data_file == str(tmp_path / "f.json")
    doc = json.loads((tmp_path / "f.json").read_text())
    lines = {ln["label"]: ln for ln in doc["axes"][0]["lines"]}
    np.testing.assert_allclose(lines["SGD"]["y"], y.mean(axis=1))
    np.testing.assert_allclose(lines["SGD"]["band_lo"], y.min(axis=1))
    np.testing.assert_allclose(lines["SGD"]["band_hi"], y.max(axis=1))
    assert lines["half"]["y"] == [0.5, 0.5]


def test_run_plot_and_iterates_say_where_they_wrote(tmp_path, capsys):
    from regret.cli import main

    out, it = tmp_path / "a.png", tmp_path / "x.png"
    assert main(["run", "--problem", "reddi-online:C=3", "--optimizer", "adam", "--T", "100",
                 "--plot", str(out), "--iterates", str(it), "--json"]) == 0
    cap = capsys.readouterr()
    json.loads(cap.out)                                     # stdout stays one JSON object
    assert f"to {out}" in cap.err and f"to {it}" in cap.err and str(tmp_path / "x.json") in cap.err
    doc = json.loads((tmp_path / "x.json").read_text())
    [res] = regret.run(regret.problem("reddi-online", C=3), [regret.optimizer("adam")], T=100)
    np.testing.assert_allclose(doc["axes"][0]["lines"][0]["y"], res.x[:, 0, 0])
