"""``regret reproduce``: run the studies, print a verdict table, write the report.

    regret reproduce [STUDY ...] [--out DIR] [--T N] [--quick] [--engine E] [--no-plots]

STUDY: theorem1 | theorem2 | theorem3 | theorem4 | minus-one-two | savarese | phase | figure1 | shi | zhang | all
(default all).  Writes DIR/report.md, DIR/report.html (figures embedded), DIR/results.json and
one PNG per figure (DIR defaults to ./regret-report).  ``--T`` sets the horizon of every study
(default: each study's own, about 10^5 steps; ``--quick``: about 10^4, the whole set in under
a minute on two cores).  Exit status: 0 when every verdict is "reproduced", 1 when some study
is not, 2 for a usage error.  A progress bar shows on a terminal, nothing otherwise.
"""
from __future__ import annotations

import os
import shlex
import sys
import time

from . import validate
from .engine import ENGINES


def register(sub) -> None:
    from .studies import STUDIES

    names = ", ".join(list(STUDIES) + ["all"])
    p = sub.add_parser("reproduce", help="reproduce Theorems 1-4 (Adam, AMSGrad, AdaBound) and write a report",
                       description="Run the studies, print a verdict per study and write report.md, "
                                   "report.html, results.json and the figures into --out.")
    p.add_argument("study", nargs="*", default=["all"], metavar="STUDY", help=f"one or more of: {names}")
    p.add_argument("--out", default="regret-report", metavar="DIR", help="output folder (default regret-report)")
    p.add_argument("--T", metavar="N", help="horizon of every study (default: each study's own)")
    p.add_argument("--quick", action="store_true", help="short horizons and small grids: under a minute")
    p.add_argument("--engine", default="auto", choices=ENGINES)
    p.add_argument("--no-plots", action="store_true", help="skip the figures (report and JSON only)")
    p.set_defaults(func=cmd_reproduce)


def selected(names: list[str]) -> list[str]:
    """The study keys to run, in the report's order; 'all' expands to every study."""
    from .studies import STUDIES

    keys: list[str] = []
    for name in names:
        validate.choice("study", name, list(STUDIES) + ["all"])
        for key in (STUDIES if name == "all" else [name]):
            if key not in keys:
                keys.append(key)
    return [k for k in STUDIES if k in keys]


def _prepare_out(path: str) -> None:
    """Create the output folder now, so a bad --out fails before the runs rather than after them."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"--out={path!r} exists and is not a directory")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"--out={path!r} cannot be created: {exc.strerror}") from None
    if not os.access(path, os.W_OK):
        raise ValueError(f"--out={path!r} is not writable")


def cmd_reproduce(args) -> int:
    from . import report
    from .studies import STUDIES

    keys = selected(args.study)
    T = None if args.T is None else validate.positive_int("--T", args.T, minimum=10)
    for key in keys:     # refuse a horizon a study cannot use before any study runs
        shortest = getattr(STUDIES[key], "min_T", None)
        if T is not None and shortest is not None and T < shortest(args.quick):
            raise ValueError(f"--T={T} is too short for study {key!r}: it needs T >= {shortest(args.quick)}")
    _prepare_out(args.out)
    progress = sys.stderr.isatty()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(keys), desc="reproduce", unit="study", file=sys.stderr, position=0)
    studies = []
    started = time.perf_counter()
    try:
        for key in keys:
            if bar is not None:
                bar.set_postfix_str(key)
            studies.append(STUDIES[key].run(T=T, quick=args.quick, engine=args.engine, progress=progress))
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    command = " ".join(["regret reproduce", *args.study, "--out", shlex.quote(args.out)]
                       + (["--T", str(T)] if T else []) + (["--quick"] if args.quick else [])
                       + (["--engine", args.engine] if args.engine != "auto" else [])
                       + (["--no-plots"] if args.no_plots else []))
    paths = report.write(studies, args.out, command=command, plot=not args.no_plots)
    print(report.verdict_table(studies))
    print(f"report: {paths['html']} (also {paths['markdown']}, {paths['json']}); "
          f"{time.perf_counter() - started:.1f} s")
    return 0 if all(s.passed for s in studies) else 1
