"""The report of ``regret reproduce``: report.md, a self-contained report.html and results.json.

For every study: a paragraph on the theorem and how it is tested, the settings, a table of
prediction (from ``proofs``) beside measurement with the criterion that decided each check, the
verdict, and the figures.  ``report.html`` embeds the PNGs as base64 data URIs, so the single
file can be mailed or archived; ``results.json`` holds the same content for scripts, and for
every figure the curves behind it (each line's t and values, the seed bands, the maps), also
written beside each PNG as ``NAME.json``.
"""
from __future__ import annotations

import base64
import html
import json
import os
import platform
import tempfile
from datetime import datetime, timezone
from typing import Sequence

import numpy as np

from . import __version__
from .jsonable import jsonable
from .studies.outcome import StudyResult, show

INTRO = ("Adaptive methods such as Adam can fail to converge even on one-dimensional convex problems "
         "(Reddi, Kale & Kumar, ICLR 2018); AdaBound (Luo, Xiong, Liu & Sun, ICLR 2019) clips Adam's "
         "per-coordinate learning rate into a band that shrinks to SGD's and claims O(√T) regret, a claim "
         "whose proof Savarese (2019) showed to be incomplete. Each section below runs one of these results: "
         "the prediction comes from the symbolic `proofs` package, the measurement from the run, and the "
         "verdict from comparing the two by the stated criterion.")


def verdict_table(studies: Sequence[StudyResult]) -> str:
    """A plain-text table: study, verdict, checks passed, seconds."""
    rows = [("study", "verdict", "claims", "time")]
    for s in studies:
        n_ok = sum(c.passed for c in s.claims)
        rows.append((s.key, s.verdict, f"{n_ok}/{len(s.claims)}", f"{s.seconds:.1f}s"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def _meta(studies, command: str | None) -> dict:
    return {"regret_version": __version__, "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "command": command, "python": platform.python_version(), "numpy": np.__version__,
            "machine": platform.machine(), "studies": [s.key for s in studies],
            "all_reproduced": all(s.passed for s in studies)}


def _settings_lines(settings: dict) -> list[tuple[str, str]]:
    out = []
    for k, v in settings.items():
        if k == "problem" and isinstance(v, dict):
            params = ", ".join(f"{pk}={show(pv)}" for pk, pv in v.get("params", {}).items())
            out.append(("problem", f"{v.get('name')} ({params})"))
        elif isinstance(v, dict):
            out.append((k, ", ".join(f"{pk}={show(pv)}" for pk, pv in v.items())))
        else:
            out.append((k, show(v)))
    return out


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _tables(s: StudyResult) -> list[dict]:
    """Further tables a study hands over in ``numbers["tables"]``: {"title", "columns", "rows"}."""
    return [t for t in (s.numbers.get("tables") or []) if isinstance(t, dict) and t.get("rows")]


def markdown(studies: Sequence[StudyResult], meta: dict) -> str:
    lines = [f"# `{meta.get('title', 'regret reproduce')}`: report", "",
             f"regret {meta['regret_version']}, generated {meta['generated']}"
             + (f" by `{meta['command']}`" if meta.get("command") else "") + ".", "", meta.get("intro", INTRO), "",
             "| study | verdict | checks passed |", "|---|---|---|"]
    for s in studies:
        lines.append(f"| [{s.key}](#{s.key}) | **{s.verdict}** | {sum(c.passed for c in s.claims)}/{len(s.claims)} |")
    for s in studies:
        lines += ["", f'<a id="{s.key}"></a>', "", f"## {s.title}", "", f"*{s.reference}*", "", s.statement, "",
                  f"**Verdict: {s.verdict}** ({sum(c.passed for c in s.claims)} of {len(s.claims)} checks "
                  f"passed, {s.seconds:.1f} s).", "", "Settings:", ""]
        lines += [f"- {k}: {_md_cell(v)}" for k, v in _settings_lines(s.settings)]
        lines += ["", "| claim | predicted | measured | criterion | result |", "|---|---|---|---|---|"]
        for c in s.claims:
            lines.append(f"| {_md_cell(c.claim)} | {_md_cell(show(c.predicted))} | {_md_cell(show(c.measured))} | "
                         f"{_md_cell(c.criterion)} | {'pass' if c.passed else '**FAIL**'} |")
        for tab in _tables(s):
            lines += ["", f"{tab['title']}:", "", "| " + " | ".join(_md_cell(c) for c in tab["columns"]) + " |",
                      "|" + "---|" * len(tab["columns"])]
            lines += ["| " + " | ".join(_md_cell(show(v)) for v in row) + " |" for row in tab["rows"]]
        for f in s.figures:
            lines += ["", f"![{f.caption}]({f.path})", "", f"*{f.caption}*"]
    lines.append("")
    return "\n".join(lines)


_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:.3em .55em;
vertical-align:top}th{background:#f3f3f3}.pass{color:#176117;font-weight:600}.fail{color:#b00020;font-weight:700}
.ref{color:#555;font-style:italic}figure{margin:1em 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.88em;color:#444}code{background:#f5f5f5;padding:0 .25em}
"""


def html_report(studies: Sequence[StudyResult], meta: dict, outdir: str) -> str:
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{e(meta.get('title', 'regret reproduce'))}: report</title>", f"<style>{_CSS}</style></head><body>",
             f"<h1><code>{e(meta.get('title', 'regret reproduce'))}</code>: report</h1>",
             f"<p class='ref'>regret {e(meta['regret_version'])}, generated {e(meta['generated'])}"
             + (f" by <code>{e(meta['command'])}</code>" if meta.get("command") else "") + ".</p>",
             f"<p>{e(meta.get('intro', INTRO)).replace('`proofs`', '<code>proofs</code>')}</p>",
             "<table><tr><th>study</th><th>verdict</th><th>checks passed</th></tr>"]
    for s in studies:
        cls = "pass" if s.passed else "fail"
        parts.append(f"<tr><td><a href='#{s.key}'>{e(s.key)}</a></td><td class='{cls}'>{e(s.verdict)}</td>"
                     f"<td>{sum(c.passed for c in s.claims)}/{len(s.claims)}</td></tr>")
    parts.append("</table>")
    for s in studies:
        cls = "pass" if s.passed else "fail"
        parts += [f"<h2 id='{s.key}'>{e(s.title)}</h2>", f"<p class='ref'>{e(s.reference)}</p>",
                  f"<p>{e(s.statement)}</p>",
                  f"<p>Verdict: <span class='{cls}'>{e(s.verdict)}</span> ({sum(c.passed for c in s.claims)} of "
                  f"{len(s.claims)} checks passed, {s.seconds:.1f} s).</p>",
                  "<table><tr><th>setting</th><th>value</th></tr>"]
        parts += [f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in _settings_lines(s.settings)]
        parts += ["</table>", "<table><tr><th>claim</th><th>predicted</th><th>measured</th><th>criterion</th>"
                  "<th>result</th></tr>"]
        for c in s.claims:
            ok = "pass" if c.passed else "fail"
            parts.append(f"<tr><td>{e(c.claim)}</td><td>{e(show(c.predicted))}</td><td>{e(show(c.measured))}</td>"
                         f"<td>{e(c.criterion)}</td><td class='{ok}'>{'pass' if c.passed else 'FAIL'}</td></tr>")
        parts.append("</table>")
        for tab in _tables(s):
            parts += [f"<p>{e(tab['title'])}:</p>", "<table><tr>" + "".join(f"<th>{e(str(c))}</th>" for c in tab["columns"])
                      + "</tr>"]
            parts += ["<tr>" + "".join(f"<td>{e(show(v))}</td>" for v in row) + "</tr>" for row in tab["rows"]]
            parts.append("</table>")
        for f in s.figures:
            with open(os.path.join(outdir, f.path), "rb") as fh:
                data = base64.b64encode(fh.read()).decode("ascii")
            parts.append(f"<figure><img alt='{e(f.caption)}' src='data:image/png;base64,{data}'>"
                         f"<figcaption>{e(f.caption)}</figcaption></figure>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _write_atomic(path: str, text: str) -> None:
    folder = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)          # mkstemp makes 0600; a report is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _with_curves(study_json: dict, outdir: str) -> dict:
    """Each figure entry of a study with the numbers it shows: ``data`` (every line's x and y, the
    seed bands, the maps; ``plotting.figure_data``) and ``data_file``, the JSON beside the PNG."""
    from .plotting import data_path

    for fig in study_json.get("figures", []):
        path = data_path(os.path.join(outdir, fig["path"]))
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                fig["data"] = json.load(fh)
            fig["data_file"] = os.path.basename(path)
    return study_json


def write(studies: Sequence[StudyResult], outdir: str, *, command: str | None = None,
          plot: bool = True, plotters: dict | None = None, title: str | None = None,
          intro: str | None = None) -> dict[str, str]:
    """Plot every study into ``outdir``, then write report.md, report.html and results.json.

    Returns {"markdown", "html", "json"} → paths.  Figures are drawn by each study's module
    (``regret.studies.STUDIES[key].plot``, or ``plotters[key]`` for a study outside that table,
    such as the schedule lab) and recorded in ``study.figures``.  ``title``/``intro``: the
    report's heading (default ``regret reproduce``) and first paragraph.
    """
    from .studies import STUDIES

    os.makedirs(outdir, exist_ok=True)
    plotters = {**{k: m.plot for k, m in STUDIES.items()}, **(plotters or {})}
    if plot:
        for s in studies:
            s.figures = plotters[s.key](s, outdir)
    meta = _meta(studies, command)
    if title:
        meta["title"] = title
    if intro:
        meta["intro"] = intro
    paths = {"markdown": os.path.join(outdir, "report.md"), "html": os.path.join(outdir, "report.html"),
             "json": os.path.join(outdir, "results.json")}
    _write_atomic(paths["markdown"], markdown(studies, meta))
    _write_atomic(paths["html"], html_report(studies, meta, outdir))
    doc = {"meta": meta, "studies": [_with_curves(s.to_json(), outdir) for s in studies]}
    _write_atomic(paths["json"], json.dumps(jsonable(doc), indent=1, ensure_ascii=False, allow_nan=False) + "\n")
    return paths
