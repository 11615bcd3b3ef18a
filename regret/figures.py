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
           ylim=None, colors: Sequence[str] | None = None, styles: Sequence[str] | None = None):
    """One line per result against t (log x axis): ``quantity`` averaged over the batch.

    quantity: average_regret | regret | regret_sqrt | x | expected_gap.  With B > 1 (seeds) the
    line is the batch mean and a shaded band spans min–max.  ``hlines``: (value, label)
    reference lines, e.g. a predicted asymptote.  ``logy`` None: log y for every quantity but x;
    log when no plotted mean is negative (zeros are left off; bands are cut at a tenth of the smallest mean, so a
    seed that reaches the optimum exactly does not stretch the axis to 0, and the band is left
    off where its lower edge is 0), symmetric-log otherwise (regret can be negative).  Optimizers
    that coincide (e.g. AdaBound whose band has closed onto SGD's rate) stay visible through
    distinct dash styles; series equal at every point (``coinciding``) are marked and say so in
    the legend.  Reference lines (``hlines``) are grey and drawn under the curves.  ``colors``/``styles``:
    one per result, where the optimizer's name does not tell them apart (two AdaBounds).
    """
    fig, ax = _figure()
    draw_curves(ax, results, quantity, labels=labels, hlines=hlines, logy=logy, ylim=ylim, colors=colors,
                styles=styles)
    return _against_t(fig, ax, QUANTITIES[quantity][0], title)


def draw_curves(ax, results, quantity="average_regret", *, labels=None, hlines=(), logy=None, ylim=None,
                colors=None, styles=None, bands=True):
    """The lines of ``curves`` drawn on ``ax`` (for figures with several panels); ``bands=False``
    leaves out the min–max bands of batches."""
    _, get = QUANTITIES[quantity]
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
        line, = ax.plot(res.t, mean, lw=1.8, label=label,
                        color=colors[i] if colors is not None else COLORS.get(res.optimizer),
                        ls=styles[i] if styles is not None else STYLES.get(res.optimizer, "-"), zorder=2.5, **style)
        if bands and y.shape[1] > 1:
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
    return ax


def _panels(n: int, ncols: int = 2, height: float = 3.1):
    plt = _pyplot()
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.2 * ncols, height * nrows + 1.1), squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()[:n]


def _finish_panels(fig, axes, ylabel: str, title: str):
    for ax in axes:
        ax.set_xlabel("t (steps)", fontsize=8.5)
        ax.set_ylabel(ylabel, fontsize=8.5)
        ax.grid(True, which="both", alpha=0.3)
        ax.tick_params(labelsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    h = fig.get_figheight()
    rows = -(-len(labels) // 4)
    fig.legend(handles, labels, loc="upper center", ncol=min(len(labels), 4), fontsize=8.5, framealpha=0.9,
               bbox_to_anchor=(0.5, 1.0 - 0.36 / h))
    fig.suptitle(title, fontsize=11, y=1.0 - 0.05 / h)
    fig.tight_layout(rect=(0, 0, 1, 1 - (0.3 + 0.22 * rows) / h))
    fig.regret_laid_out = True
    return fig


def curve_panels(panels, quantity: str = "average_regret", *, title: str = "", ncols: int = 2, bands: bool = True):
    """``curves`` for several problems, one panel each: ``panels`` are (title, results, labels,
    colors, styles); one legend for all (the first panel's lines)."""
    fig, axes = _panels(len(panels), ncols)
    for ax, (ptitle, results, labels, colors, styles) in zip(axes, panels):
        draw_curves(ax, results, quantity, labels=labels, colors=colors, styles=styles, bands=bands)
        ax.set_title(ptitle, fontsize=9.5)
    return _finish_panels(fig, axes, QUANTITIES[quantity][0], title)


def regret_vs_bounds(t, measured: dict[str, np.ndarray], bounds: dict[str, np.ndarray], *, title: str = "",
                     colors: dict[str, str] | None = None):
    """R_t/√t of each run (solid) against bounds B(t)/√t (dashed), log-log.

    An O(√t) regret is a bounded R_t/√t; a bound that holds lies above its run at every t.
    """
    fig, ax = _figure()
    draw_bounds(ax, t, measured, bounds, colors=colors)
    return _against_t(fig, ax, r"$R_t/\sqrt{t}$", title)


def draw_bounds(ax, t, measured, bounds, *, colors=None, styles=None):
    """The lines of ``regret_vs_bounds`` on ``ax`` (non-positive values are left off the log axis);
    ``colors``/``styles`` by label (default: by the optimizer's name, the label's first word)."""
    t = np.asarray(t, dtype=np.float64)
    colors, styles_ = colors or {}, styles or {}
    names = list(measured)
    same = coinciding([(t, np.asarray(measured[n], dtype=np.float64)) for n in names])
    for i, (label, r) in enumerate(measured.items()):
        style = _coincide_style(i, len(t)) if i in same else {}
        shown = f"{label} (≈ {names[same[i]]})" if i in same else label
        y = np.asarray(r, dtype=np.float64) / np.sqrt(t)
        ax.plot(t, np.where(y > 0, y, np.nan), lw=1.8, label=shown, color=colors.get(label),
                ls=styles_.get(label, STYLES.get(label.split()[0].lower().strip(","), "-")), zorder=2.5, **style)
    for i, (label, b) in enumerate(bounds.items()):
        color, ls = BOUND_STYLES[i % len(BOUND_STYLES)]
        ax.plot(t, np.asarray(b) / np.sqrt(t), ls=ls, color=color, lw=1.4 + 0.3 * (i // len(BOUND_STYLES)),
                label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    return ax


def bound_panels(panels, *, colors=None, styles=None, title: str = "", ncols: int = 2):
    """``regret_vs_bounds`` for several problems: ``panels`` are (title, t, measured, bounds)."""
    fig, axes = _panels(len(panels), ncols)
    for ax, (ptitle, t, measured, bounds) in zip(axes, panels):
        draw_bounds(ax, t, measured, bounds, colors=colors, styles=styles)
        ax.set_title(ptitle, fontsize=9.5)
    # the legend of the panel with the most lines (some problems have no bounds)
    richest = max(axes, key=lambda a: len(a.get_legend_handles_labels()[1]))
    axes = [richest] + [a for a in axes if a is not richest]
    return _finish_panels(fig, axes, r"$R_t/\sqrt{t}$", title)


def band_closing(t, bands: dict, *, colors=None, title: str = ""):
    """Left: the width η_u(t) − η_l(t) of each band, log-log.  Right: the hidden requirement
    η_l(t−1)/η_u(t) − √(1−1/t) of the bands that give it (t ≥ 2, symmetric log; < 0 shaded red).

    ``bands`` maps a label to (lower, upper, hidden or None): lower/upper on the steps ``t``,
    hidden on t = 2, 3, … (every step)."""
    plt = _pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11.5, 4.2))
    t = np.asarray(t, dtype=np.float64)
    for i, (label, (lo, up, hidden)) in enumerate(bands.items()):
        c = colors[i] if colors else None
        w = np.asarray(up) - np.asarray(lo)
        a1.plot(t, np.where(w > 0, w, np.nan), color=c, lw=1.7, ls=["-", "-.", ":"][i % 3], label=label)
        if hidden is not None:
            th = np.arange(2, len(hidden) + 2, dtype=np.float64)
            a2.plot(th, hidden, color=c, lw=1.5, label=label)
    a1.set_xscale("log")
    a1.set_yscale("log")
    a1.set_ylabel(r"band width $\eta_u(t) - \eta_l(t)$")
    a1.set_title("width of the band", fontsize=10)
    a2.axhline(0, color="k", lw=0.9)
    a2.set_xscale("log")
    lin = 1e-6
    a2.set_yscale("symlog", linthresh=lin)
    ylo, yhi = a2.get_ylim()
    a2.axhspan(min(ylo, -lin), 0, color="tab:red", alpha=0.08, lw=0)
    a2.set_ylim(ylo, yhi)
    a2.set_ylabel(r"$\eta_l(t-1)/\eta_u(t) - \sqrt{1-1/t}$")
    a2.set_title("hidden requirement on this band (< 0: violated)", fontsize=10)
    for ax in (a1, a2):
        ax.set_xlabel("t (steps)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="best", framealpha=0.85)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


_STATUS_COLORS = {"holds": "tab:green", "fails": "tab:red", "undecided": "0.7"}


def sweep_regions(values, series: dict[str, np.ndarray], verdicts: list[dict], *, xlabel: str, ylabel: str,
                  title: str = "", boundaries: dict[str, float] | None = None):
    """A quantity against one parameter (log x; one line per problem) above a strip per clause
    coloured by its verdict at each grid value (holds / fails / undecided); a cell spans half-way
    (in log x) to the neighbouring values.  ``boundaries``: clause → the parameter value where its
    verdict changes, from the symbolic region (drawn as a black tick across that clause's row)."""
    plt = _pyplot()
    clauses = list(verdicts[0])
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(7.8, 5.0 + 0.2 * len(clauses)), sharex=True,
                                 gridspec_kw={"height_ratios": [3.2, 0.2 * len(clauses) + 0.2]})
    x = np.asarray(values, dtype=np.float64)
    for label, y in series.items():
        y = np.asarray(y, dtype=np.float64)
        a1.plot(x, np.where(y > 0, y, np.nan), marker="o", ms=3.5, lw=1.5, label=label)
    a1.set_xscale("log")
    a1.set_yscale("log")
    a1.set_ylabel(ylabel)
    a1.grid(True, which="both", alpha=0.3)
    a1.legend(fontsize=7.5, loc="best", framealpha=0.85)
    a1.set_title(title, fontsize=11)
    lx = np.log(x)
    edges = np.exp(np.concatenate([[lx[0] - (lx[1] - lx[0]) / 2], (lx[1:] + lx[:-1]) / 2,
                                   [lx[-1] + (lx[-1] - lx[-2]) / 2]]))
    n = len(clauses)
    for row, clause in enumerate(clauses):
        lo_, hi_ = (n - row - 1) / n, (n - row) / n
        for j in range(len(x)):
            a2.axvspan(edges[j], edges[j + 1], ymin=lo_, ymax=hi_, color=_STATUS_COLORS[verdicts[j][clause]],
                       alpha=0.75, lw=0)
        b = (boundaries or {}).get(clause)
        if b is not None and edges[0] < b < edges[-1]:
            a2.plot([b, b], [n - row - 1, n - row], color="k", lw=2.0)
    a2.set_ylim(0, n)
    a2.set_yticks(np.arange(n) + 0.5)
    a2.set_yticklabels(clauses[::-1], fontsize=7.5)
    a2.set_xlim(edges[0], edges[-1])
    a2.set_xlabel(xlabel)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c, alpha=0.75) for c in _STATUS_COLORS.values()]
    labels = list(_STATUS_COLORS)
    if boundaries:
        handles.append(plt.Line2D([], [], color="k", lw=2.0))
        labels.append("symbolic boundary")
    fig.legend(handles, labels, fontsize=7.5, loc="lower center", ncol=len(labels), framealpha=0.9)
    fig.tight_layout(rect=(0, 0.075, 1, 1))
    fig.regret_laid_out = True
    return fig


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
