"""The figures of ``regret reproduce``: paper-style panels built from ``Result`` s and arrays.

``plotting.py`` draws one line per configuration; these functions draw what the studies need:
one line per optimizer (the mean over a batch of seeds, with its min–max band), bounds beside
measured regret, maps over two parameters with a theory curve on top, and AdaBound's
learning-rate band.  Every function returns the matplotlib ``Figure``; ``plotting.save``
writes it.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .plotting import _pyplot
from .result import Result

# One colour per optimizer throughout the report, so figures can be read side by side.
COLORS = {"adam": "tab:red", "amsgrad": "tab:blue", "sgd": "tab:gray", "adabound": "tab:green",
          "amsbound": "tab:purple"}
STYLES = {"adam": "-", "amsgrad": "-", "sgd": "--", "adabound": "-.", "amsbound": ":"}
QUANTITIES = {
    "average_regret": ("average regret $R_t/t$", lambda r: r.average_regret),
    "regret": ("regret $R_t$", lambda r: r.regret),
    "regret_sqrt": (r"$R_t/\sqrt{t}$", lambda r: r.regret / np.sqrt(r.t)[:, None]),
    "x": ("iterate $x_{t+1}$", lambda r: r.x[:, :, 0]),
    "expected_gap": (r"expected gap $\mathbb{E}f(x_{t+1}) - f(x^*)$", lambda r: r.expected_gap),
}


def _figure(size=(7.0, 4.4)):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=size)
    return fig, ax


# Reference lines (predicted limits, bounds drawn as levels) sit *under* the measured curves, in
# grey, so a run that reaches its prediction stays visible on top of it.
REFERENCE_LINE = {"color": "0.45", "ls": (0, (6, 4)), "lw": 1.1, "zorder": 1.5}
# Bounds: a distinct (colour, dash) pair each, so no two bounds look alike however many there are.
BOUND_STYLES = [("k", "--"), ("tab:brown", "-."), ("k", ":"), ("tab:brown", (0, (5, 2, 1, 2, 1, 2))),
                ("tab:olive", "--"), ("tab:olive", ":"), ("tab:cyan", "-."), ("tab:cyan", (0, (1, 1)))]
# Two curves "coincide" when 90% of their points differ by at most 5%: one line to the eye on a
# log axis, so the later one is marked and its legend entry says which it lies on.
COINCIDE_RTOL, COINCIDE_SHARE = 0.05, 0.9


def coinciding(series) -> dict[int, int]:
    """{i: j}: series i lies on an earlier series j (``COINCIDE_RTOL`` relative at a share
    ``COINCIDE_SHARE`` of the common finite points), e.g. AMSBound on AdaBound once v_t stops
    growing: the later one gets markers and a legend note "(≈ AdaBound)", so two curves that
    coincide are told apart rather than one hiding the other."""
    out = {}
    for i, (ti, yi) in enumerate(series):
        for j in range(i):
            tj, yj = series[j]
            if j in out or len(ti) != len(tj) or not np.array_equal(ti, tj):
                continue
            a, b = np.asarray(yi, dtype=np.float64), np.asarray(yj, dtype=np.float64)
            both = np.isfinite(a) & np.isfinite(b)
            if not both.any():
                continue
            scale = np.maximum(np.abs(b[both]), 1e-3 * np.max(np.abs(b[both])) + 1e-300)
            rel = np.abs(a[both] - b[both]) / scale
            if np.quantile(rel, COINCIDE_SHARE) <= COINCIDE_RTOL:
                out[i] = j
                break
    return out


def legend_below(ax, ncol: int | None = None):
    """The legend under the axes, outside the plotting area, so it never covers a curve."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    ncol = ncol or (1 if max(len(lb) for lb in labels) > 45 else 2)
    return ax.legend(handles, labels, fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.14),
                     ncol=ncol, frameon=False)


def _against_t(fig, ax, ylabel: str, title: str):
    """The common finish of every figure drawn against t: labels, title, grid, legend below."""
    ax.set_xlabel("t (steps)")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=11)
    ax.grid(True, which="both", alpha=0.3)
    legend_below(ax)
    return fig


def _coincide_style(i: int, n_points: int) -> dict:
    return {"marker": "o", "ms": 4.5, "mfc": "none", "markevery": max(n_points // 12, 1) + i}


def curves(results: Sequence[Result], quantity: str = "average_regret", *, labels: Sequence[str] | None = None,
           title: str = "", hlines: Sequence[tuple[float, str]] = (), logy: bool | None = None,
           ylim=None):
    """One line per result against t (log x axis): ``quantity`` averaged over the batch.

    quantity: average_regret | regret | regret_sqrt | x | expected_gap.  With B > 1 (seeds) the
    line is the batch mean and a shaded band spans min–max.  ``hlines``: (value, label)
    reference lines, e.g. a predicted asymptote.  ``logy`` None: log y for every quantity but x;
    log when no plotted mean is negative (zeros are left off; bands are cut at a tenth of the smallest mean, so a
    seed that reaches the optimum exactly does not stretch the axis to 0, and the band is left
    off where its lower edge is 0), symmetric-log otherwise (regret can be negative).  Optimizers
    that coincide (e.g. AdaBound whose band has closed onto SGD's rate) stay visible through
    distinct dash styles; series equal at every point (``coinciding``) are marked and say so in
    the legend.  Reference lines (``hlines``) are grey and drawn under the curves.
    """
    ylabel, get = QUANTITIES[quantity]
    fig, ax = _figure()
    if logy is None:
        logy = quantity != "x"
    series = []
    for i, res in enumerate(results):
        y = np.asarray(get(res), dtype=np.float64)
        series.append((res, y, np.nanmean(y, axis=1), labels[i] if labels is not None else res.optimizer))
    means = np.concatenate([m[np.isfinite(m)] for _, _, m, _ in series]) if series else np.array([1.0])
    positive = bool(np.all(means >= 0))     # a zero (e.g. R_1 = 0) is just left off a log axis
    floor = float(means[means > 0].min()) / 10 if np.any(means > 0) else 1e-6
    same = coinciding([(res.t, mean) for res, _, mean, _ in series])
    for i, (res, y, mean, label) in enumerate(series):
        if logy and positive:
            mean = np.where(mean > 0, mean, np.nan)
        style = {}
        if i in same:
            style = _coincide_style(i, len(res.t))
            label = f"{label} (≈ {series[same[i]][3]})"
        line, = ax.plot(res.t, mean, lw=1.8, label=label, color=COLORS.get(res.optimizer),
                        ls=STYLES.get(res.optimizer, "-"), zorder=2.5, **style)
        if y.shape[1] > 1:
            lo, hi = np.nanmin(y, axis=1), np.nanmax(y, axis=1)
            line.regret_band = (lo, hi)          # the band's data, for the figure's data file
            where = None
            if logy and positive:
                # a seed at exactly 0 cannot be drawn on a log axis: the band is left off there
                # rather than stretched to the axis' bottom, where it would grey out the plot
                where = lo > 0
            ax.fill_between(res.t, lo, hi, where=where, color=line.get_color(), alpha=0.08, lw=0, zorder=1)
    for value, label in hlines:
        ax.axhline(value, label=label, **REFERENCE_LINE)
    ax.set_xscale("log")
    if logy:
        if positive:
            ax.set_yscale("log")
            ax.set_ylim(bottom=floor)
        else:
            small = np.abs(means[means != 0])
            ax.set_yscale("symlog", linthresh=max(float(small.min()) if small.size else 1e-3, 1e-4))
    if ylim is not None:
        ax.set_ylim(*ylim)
    return _against_t(fig, ax, ylabel, title)


def regret_vs_bounds(t, measured: dict[str, np.ndarray], bounds: dict[str, np.ndarray], *, title: str = "",
                     colors: dict[str, str] | None = None):
    """R_t/√t of each run (solid) against bounds B(t)/√t (dashed), log-log.

    An O(√t) regret is a bounded R_t/√t; a bound that holds lies above its run at every t.
    """
    fig, ax = _figure()
    t = np.asarray(t, dtype=np.float64)
    colors = colors or {}
    names = list(measured)
    same = coinciding([(t, np.asarray(measured[n], dtype=np.float64)) for n in names])
    for i, (label, r) in enumerate(measured.items()):
        style = _coincide_style(i, len(t)) if i in same else {}
        shown = f"{label} (≈ {names[same[i]]})" if i in same else label
        ax.plot(t, np.asarray(r) / np.sqrt(t), lw=1.8, label=shown, color=colors.get(label),
                ls=STYLES.get(label.split()[0].lower(), "-"), zorder=2.5, **style)
    for i, (label, b) in enumerate(bounds.items()):
        color, ls = BOUND_STYLES[i % len(BOUND_STYLES)]
        ax.plot(t, np.asarray(b) / np.sqrt(t), ls=ls, color=color, lw=1.4 + 0.3 * (i // len(BOUND_STYLES)),
                label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    return _against_t(fig, ax, r"$R_t/\sqrt{t}$", title)


def phase_diagram(beta1: np.ndarray, beta2: np.ndarray, value: np.ndarray, *, curve=None, title: str = "",
                  colorbar: str = "average regret $R_T/T$", curve_label: str = r"$\beta_1 = \sqrt{\beta_2}$",
                  contour=None):
    """A map of ``value`` over a (β2, β1) grid (β2 across, β1 up), log colour scale, with ``curve`` =
    (β2s, β1s) dashed and ``contour`` = (Z, label): the 0.5 level of a 0/1 grid Z drawn solid
    (e.g. a predicted failure region).

    beta1, beta2: the 1-d grid axes; value, Z: shape (len(beta1), len(beta2)).
    """
    from matplotlib.colors import LogNorm

    fig, ax = _figure((6.6, 5.0))
    v = np.asarray(value, dtype=np.float64)
    pos = v[np.isfinite(v) & (v > 0)]
    norm = LogNorm(vmin=max(pos.min(), pos.max() * 1e-4), vmax=pos.max()) if pos.size else None
    mesh = ax.pcolormesh(beta2, beta1, np.where(v > 0, v, np.nan) if norm else v, shading="nearest",
                         cmap="viridis", norm=norm)
    cb = fig.colorbar(mesh, ax=ax)
    cb.set_label(colorbar)
    if contour is not None:
        Z, label = contour
        ax.contour(beta2, beta1, np.nan_to_num(np.asarray(Z, dtype=float), nan=0.5), levels=[0.5],
                   colors="w", linewidths=1.8)
        ax.plot([], [], color="w", lw=1.8, label=label)
    if curve is not None:
        ax.plot(curve[0], curve[1], color="w", lw=2.4)
        ax.plot(curve[0], curve[1], color="k", lw=1.2, ls="--", label=curve_label)
    if curve is not None or contour is not None:
        leg = ax.legend(fontsize=8.5, loc="upper left", framealpha=0.9)
        leg.get_frame().set_facecolor("0.85")
    ax.set_xlim(beta2.min(), beta2.max())
    ax.set_ylim(beta1.min(), beta1.max())
    ax.set_xlabel(r"$\beta_2$")
    ax.set_ylabel(r"$\beta_1$")
    ax.set_title(title, fontsize=11)
    return fig


def parameter_map(xs: np.ndarray, ys: np.ndarray, value: np.ndarray, *, xlabel: str, ylabel: str,
                  boundaries: Sequence[tuple[np.ndarray, np.ndarray, str]] = (), title: str = "",
                  colorbar: str = "", diverging: bool = True):
    """A map of ``value`` (shape (len(ys), len(xs))) with boundary curves (x, y, label) on top.

    ``diverging``: a red/blue scale centred on 0 (sign = which way the iterate drifts), each side
    scaled to its own extreme.
    """
    from matplotlib.colors import TwoSlopeNorm

    fig, ax = _figure((6.8, 5.0))
    v = np.asarray(value, dtype=np.float64)
    if diverging:
        # Each side of 0 gets its own full colour range: the two signs can differ in size by 10×.
        lo, hi = min(np.nanmin(v), -1e-12), max(np.nanmax(v), 1e-12)
        mesh = ax.pcolormesh(xs, ys, v, shading="nearest", cmap="RdBu_r",
                             norm=TwoSlopeNorm(vcenter=0.0, vmin=lo, vmax=hi))
    else:
        mesh = ax.pcolormesh(xs, ys, v, shading="nearest", cmap="viridis")
    cb = fig.colorbar(mesh, ax=ax)
    if diverging:
        cb.set_ticks([lo, lo / 2, 0.0, hi / 2, hi])
        cb.set_ticklabels([f"{v:.2g}" for v in (lo, lo / 2, 0.0, hi / 2, hi)])
    cb.set_label(colorbar)
    styles = ["-", "--", ":"]
    for i, (bx, by, label) in enumerate(boundaries):
        ax.plot(bx, by, color="w", lw=3.0)
        ax.plot(bx, by, color="k", lw=1.4, ls=styles[i % 3], label=label)
    if boundaries:
        ax.legend(fontsize=8.5, loc="upper left", framealpha=0.9)
    ax.set_xlim(xs.min(), xs.max())
    ax.set_ylim(ys.min() - 0.5, ys.max() + 0.5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=11)
    return fig


def learning_rate_band(t, lower, upper, used: dict[str, tuple[np.ndarray, np.ndarray]], *, title: str = "",
                       ylabel: str = r"learning rate $\hat\eta_t$"):
    """AdaBound's band η_l(t) ≤ η̂_t ≤ η_u(t) (shaded, on the steps ``t``) and, for each run, the
    clipped η̂_t it used: ``used`` maps a label (starting with the optimizer's name) to (t_k, η̂_k)
    at its checkpoints."""
    fig, ax = _figure()
    t = np.asarray(t, dtype=np.float64)
    ax.fill_between(t, lower, upper, color="tab:orange", alpha=0.18, lw=0)
    ax.plot(t, lower, color="tab:orange", lw=1.4, ls="--", label=r"lower bound $\eta_l(t)$")
    ax.plot(t, upper, color="tab:orange", lw=1.4, ls="-.", label=r"upper bound $\eta_u(t)$")
    names = list(used)
    same = coinciding([(np.asarray(tk), np.asarray(eta)) for tk, eta in used.values()])
    for i, (label, (tk, eta)) in enumerate(used.items()):
        name = label.split()[0].strip(":").lower()
        style = _coincide_style(i, len(tk)) if i in same else {"marker": ".", "ms": 3}
        shown = f"{label} (≈ {names[same[i]].split(':')[0]})" if i in same else label
        ax.plot(tk, eta, lw=1.6, label=shown, color=COLORS.get(name), ls=STYLES.get(name, "-"), **style)
    ax.set_xscale("log")
    ax.set_yscale("log")
    return _against_t(fig, ax, ylabel, title)
