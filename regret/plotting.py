"""Figures from results: average regret R_t/t against t (log-log), iterates against t; ``save``
writes a PNG and, beside it, the numbers it shows (``NAME.json``)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .result import Result


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def average_regret(results: Sequence[Result], ax=None, title: str | None = None, asymptote=None):
    """Plot R_t/t against t for every configuration of every result, log-log.

    Where some average regret is ≤ 0 (an online learner can beat the fixed comparator), the
    y axis is symmetric-log instead so no point is dropped.  ``asymptote``: a horizontal
    reference line (value, label).
    """
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    finite = []
    for res in results:
        avg = res.average_regret
        for b in range(res.batch):
            # a frozen configuration's regret is NaN, an overflowed one ±inf: such points are left
            # off (a gap in the line) and never decide the axes
            y = np.where(np.isfinite(avg[:, b]), avg[:, b], np.nan)
            label = res.label(b)
            if not np.any(np.isfinite(y)):
                label += " (no finite value)"
            ax.plot(res.t, y, label=label, lw=1.6)
            finite.append(y[np.isfinite(y)])
    values = np.concatenate(finite) if finite else np.empty(0)
    ax.set_xscale("log")
    if values.size and np.all(values > 0):
        ax.set_yscale("log")
    elif np.any(values != 0):
        # some average regret is ≤ 0 (an online learner can beat the fixed comparator)
        ax.set_yscale("symlog", linthresh=max(float(np.min(np.abs(values[values != 0]))), 1e-6))
    if asymptote is not None:
        value, label = asymptote
        ax.axhline(value, color="k", ls="--", lw=1, label=label)
    ax.set_xlabel("t (steps)")
    ax.set_ylabel("average regret $R_t / t$")
    if title is None and results:
        title = f"average regret on {results[0].problem['name']}"
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return ax


def iterates(results: Sequence[Result], ax=None, coordinate: int = 0, title: str | None = None):
    """Plot the iterate x_{t+1}[coordinate] at the checkpoints against t (log x axis)."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    for res in results:
        for b in range(res.batch):
            ax.plot(res.t, res.x[:, b, coordinate], label=res.label(b), lw=1.6)
    ax.set_xscale("log")
    ax.set_xlabel("t (steps)")
    ax.set_ylabel(f"iterate $x_t$[{coordinate}]" if results and results[0].x.shape[2] > 1 else "iterate $x_t$")
    ax.set_title(title or (f"iterates on {results[0].problem['name']}" if results else ""))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return ax


def figure_data(fig) -> dict:
    """The numbers behind a figure, read off its artists: per axes the title, labels and scales,
    every labelled line as {label, x, y} (with the min–max band of ``figures.curves`` as
    ``band_lo``/``band_hi`` where there is one), and every colour map as its grid of values."""
    import matplotlib.collections as mcoll

    axes = []
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        lines = []
        for ln in ax.get_lines():
            label = ln.get_label()
            if label.startswith("_") or len(ln.get_xdata()) == 0:
                continue  # unlabelled helpers (outlines under a dashed curve), legend-only proxies
            entry = {"label": label, "x": np.asarray(ln.get_xdata(), dtype=float),
                     "y": np.asarray(ln.get_ydata(), dtype=float)}
            band = getattr(ln, "regret_band", None)
            if band is not None:
                entry["band_lo"], entry["band_hi"] = band
            lines.append(entry)
        maps = [{"values": np.ma.filled(np.ma.asarray(c.get_array(), dtype=float), np.nan)}
                for c in ax.collections if isinstance(c, mcoll.QuadMesh)]
        axes.append({"title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
                     "xscale": ax.get_xscale(), "yscale": ax.get_yscale(), "lines": lines,
                     **({"maps": maps} if maps else {})})
    return {"axes": axes}


def data_path(path: str) -> str:
    """Where ``save`` writes a figure's numbers: beside the PNG, ``NAME.png`` → ``NAME.json``."""
    import os

    return os.path.splitext(str(path))[0] + ".json"


def save(fig_or_ax, path: str, data: bool = True) -> str | None:
    """Write the figure to ``path`` (PNG, 130 dpi) and, with ``data``, the numbers it shows to
    ``data_path(path)`` (standard JSON, ``figure_data``), so every curve can be re-plotted or
    checked without the image.  Returns the data file's path (None without ``data``)."""
    import json

    from .jsonable import jsonable

    fig = getattr(fig_or_ax, "figure", fig_or_ax)
    if not getattr(fig, "regret_laid_out", False):   # figures that reserve room (a shared legend) lay out themselves
        fig.tight_layout()
    fig.savefig(path, dpi=130, bbox_inches="tight")
    out = None
    if data:
        out = data_path(path)
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(jsonable(figure_data(fig)), fh, allow_nan=False, ensure_ascii=False)
            fh.write("\n")
    _pyplot().close(fig)
    return out
