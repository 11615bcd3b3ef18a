"""Short text and HTML forms of results, problems and kernels (``repr`` and Jupyter's
``_repr_html_``): one line that says what it is and its headline numbers, and for notebooks a
small table, at most ``MAX_ROWS`` configurations (the arrays stay on the object)."""
from __future__ import annotations

import html

import numpy as np

MAX_ROWS = 12


def _num(v) -> str:
    return f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v)


def _span(a) -> str:
    a = np.asarray(a, dtype=np.float64)
    if a.size == 0:
        return "–"
    lo, hi = np.nanmin(a), np.nanmax(a)
    return f"{lo:.4g}" if lo == hi else f"[{lo:.4g}, {hi:.4g}]"


def _value(v) -> str:
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]" if len(v) <= 4 else f"[{len(v)} values]"
    return _num(v)


def _params(params: dict) -> str:
    return ", ".join(f"{k}={_value(v)}" for k, v in params.items())


def result_text(res) -> str:
    """``Result(adam on reddi-online, T=100000, B=3, engine=fused, R_T/T ∈ [0.008, 0.667])``."""
    prob = res.problem.get("name", "?") if isinstance(res.problem, dict) else str(res.problem)
    head = f"Result({res.optimizer} on {prob}, T={res.T}, B={res.batch}, engine={res.engine}"
    if len(res.t):
        head += f", R_T/T ∈ {_span(res.regret_final / res.steps_done)}" if res.batch > 1 else \
            f", R_T/T = {float(res.regret_final[0] / res.steps_done):.4g}"
    else:
        head += ", not started"
    if res.interrupted:
        head += f", interrupted at t={res.steps_done}"
    if res.faults:
        head += f", {len(res.faults)} fault(s)"
    return head + ")"


def result_html(res) -> str:
    rows = []
    done = len(res.t) > 0
    for b in range(min(res.batch, MAX_ROWS)):
        if done:
            xf = res.x_final[b]
            x = ", ".join(f"{v:+.4g}" for v in xf[:4]) + (" …" if len(xf) > 4 else "")
            cells = (res.label(b), x, f"{res.regret_final[b]:.6g}", f"{res.regret_final[b] / res.steps_done:.6g}")
        else:
            cells = (res.label(b), "not started", "", "")
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    more = (f"<tr><td colspan='4'>… {res.batch - MAX_ROWS} more configurations</td></tr>"
            if res.batch > MAX_ROWS else "")
    return (f"<div><b>{html.escape(result_text(res))}</b><table><thead><tr><th>configuration</th><th>x_T</th>"
            f"<th>R_T</th><th>R_T/T</th></tr></thead><tbody>{''.join(rows)}{more}</tbody></table></div>")


def problem_text(prob) -> str:
    """``ReddiOnline(reddi-online: C=3, P=3, b=1, lo=-1, hi=1; d=1)``."""
    extra = f"; d={prob.dim}" + (f", B={prob.batch}" if prob.batch > 1 else "")
    return f"{type(prob).__name__}({prob.name}: {_params(prob.params)}{extra})"


def problem_html(prob) -> str:
    rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(_value(v))}</td></tr>"
                   for k, v in prob.params.items())
    kind = "linear" if prob.linear else "general"
    kind += ", stochastic" if prob.stochastic else ""
    return (f"<div><b>{html.escape(type(prob).__name__)}</b> <code>{html.escape(prob.name)}</code> ({kind}; d = "
            f"{prob.dim}, B = {prob.batch}; F = {html.escape(str(prob.feasible.describe()))})"
            f"<table>{rows}</table></div>")


def kernel_text(k) -> str:
    """``Kernel(adam, B=3, practical: lr=0.001, beta1=0.9, beta2=[0.1, 0.9], ...)``."""
    parts = []
    for name, v in k.hparams.items():
        if isinstance(v, np.ndarray):
            parts.append(f"{name}={_num(float(v[0]))}" if v.shape[0] == 1 else f"{name}={_span(v)}")
        else:
            parts.append(f"{name}={v}")
    return f"Kernel({k.name}, B={k.batch}, {k.convention}: {', '.join(parts)})"


def kernel_html(k) -> str:
    rows = []
    for name, v in k.hparams.items():
        shown = (_num(float(v[0])) if v.shape[0] == 1 else f"{_span(v)} ({v.shape[0]} values)") \
            if isinstance(v, np.ndarray) else str(v)
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{html.escape(shown)}</td></tr>")
    first = (k.doc or "").strip().splitlines()[0] if (k.doc or "").strip() else ""
    return (f"<div><b>Kernel</b> <code>{html.escape(k.name)}</code> ({html.escape(k.convention)}, B = {k.batch})"
            f"<br><small>{html.escape(first)}</small><table>{''.join(rows)}</table></div>")
