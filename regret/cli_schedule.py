"""``regret schedule``: test a new AdaBound bound schedule in one command (the schedule lab).

    regret schedule --lower EXPR --upper EXPR [--param k=v ...] [--alpha-t EXPR] [--beta1-t EXPR]
                    [--sweep k=v1,v2,...] [--problems a,b,...] [--T N] [--quick] [--out DIR]
                    [--engine E] [--no-plots] [--timeout S]

EXPR is an expression of t and the --param names, read by the safe parser of ``regret check
bounds`` (``proofs.schedule_check.parse``); quote it once for the shell, e.g.
``--lower 'alpha*(1 - 1/(gamma*t + 1))'`` (commas inside ``Max(a, b)`` or ``Piecewise(...)`` need
nothing more).  ``--alpha-t`` is the step-size multiplier s(t) (α_t = α·s(t), default 1/√t),
``--beta1-t`` the β1t multiplier (β1t = β1·s1(t), default 1).  ``--sweep gamma=0.5,1,2,4,8``
runs the schedule with one parameter over a grid (one batched run per problem) and draws
R_T/√T against it with each clause's verdict per value (the main runs use that parameter's
--param value if given, else the grid's middle value).

The study (``regret.studies.schedule_lab``) decides every clause, checks the band on the run,
runs the schedule beside the paper's and Savarese's bands and Adam, AMSGrad, SGD on every
counterexample and two quadratics, and writes DIR/report.md, DIR/report.html (figures
embedded), DIR/results.json and the PNGs (DIR defaults to ./regret-schedule).  One line per
claim is printed.  Exit status: 0 when every claim held, 1 when some claim failed or is
undecided (the report says which, with the witness), 2 for a mistake in the input (a schedule
that does not parse, an unknown name, unsafe syntax, a missing value; one line on stderr).
"""
from __future__ import annotations

import shlex
import sys
import time

from . import validate
from .engine import ENGINES


def register(sub) -> None:
    p = sub.add_parser("schedule", help="test a new AdaBound bound schedule: verdicts, runs, bounds and a report",
                       description="Decide a bound schedule clause by clause, run it on every counterexample beside "
                                   "the paper's, and write report.md, report.html, results.json and the figures.")
    p.add_argument("--lower", required=True, metavar="EXPR", help="eta_l(t), e.g. 'alpha*(1 - 1/(gamma*t + 1))'")
    p.add_argument("--upper", required=True, metavar="EXPR", help="eta_u(t), e.g. 'alpha*(1 + 1/(gamma*t))'")
    p.add_argument("--param", action="append", default=[], metavar="k=v",
                   help="repeatable: a parameter's value (an exact decimal or a fraction)")
    p.add_argument("--alpha-t", metavar="EXPR", help="step-size multiplier s(t), α_t = α·s(t) (default 1/sqrt(t))")
    p.add_argument("--beta1-t", metavar="EXPR", help="β1t multiplier s1(t), β1t = β1·s1(t) (default 1)")
    p.add_argument("--sweep", metavar="k=v1,v2,...", help="one parameter over a grid, in one batched run")
    p.add_argument("--problems", metavar="a,b,...", help="run only these problems (default: all; see the report)")
    p.add_argument("--out", default="regret-schedule", metavar="DIR", help="output folder (default regret-schedule)")
    p.add_argument("--T", metavar="N", help="horizon (default 50000; --quick 4000)")
    p.add_argument("--quick", action="store_true", help="a short horizon and fewer seeds: under a minute")
    p.add_argument("--engine", default="auto", choices=ENGINES)
    p.add_argument("--no-plots", action="store_true", help="skip the figures (report and JSON only)")
    p.add_argument("--timeout", metavar="S", default="600", help="give up after S seconds (default 600)")
    p.set_defaults(func=cmd_schedule)


def _sweep(text: str | None) -> dict | None:
    from .spec import split_top_level

    if text is None:
        return None
    key, eq, vals = text.partition("=")
    key = key.strip()
    if not eq or not key.isidentifier():
        raise ValueError(f"--sweep {text!r} must be k=v1,v2,... (e.g. gamma=0.5,1,2,4,8)")
    vals = vals.strip()
    if vals.startswith("[") and vals.endswith("]"):
        vals = vals[1:-1]
    grid = [v.strip() for v in split_top_level(vals, f"--sweep {text!r}")]
    if len(grid) < 2:
        raise ValueError(f"--sweep {text!r}: give at least two values")
    return {key: grid}


def cmd_schedule(args) -> int:
    from . import report
    from .cli_check import _params, _time_limit
    from .cli_reproduce import _prepare_out
    from .studies import schedule_lab

    params = _params(args.param)
    missing = [k for k, v in params.items() if v is None]
    if missing:
        raise ValueError(f"--param {missing[0]} needs a value (k=v) to run the schedule")
    sweep = _sweep(args.sweep)
    T = None if args.T is None else validate.positive_int("--T", args.T, minimum=20)
    only = [p.strip() for p in args.problems.split(",") if p.strip()] if args.problems else None
    limit = validate.positive_int("--timeout", args.timeout)
    _prepare_out(args.out)
    started = time.perf_counter()
    with _time_limit(limit, f"the schedule lab did not finish within --timeout={limit} s (sympy can take very long "
                            "on exotic expressions); simplify the expressions, use --quick or raise --timeout"):
        study = schedule_lab.run(args.lower, args.upper, params, schedule=args.alpha_t, beta1_schedule=args.beta1_t,
                                 T=T, quick=args.quick, engine=args.engine, progress=sys.stderr.isatty(),
                                 sweep=sweep, only=only)
    command = " ".join(["regret schedule", "--lower", shlex.quote(args.lower), "--upper", shlex.quote(args.upper)]
                       + [f"--param {shlex.quote(p)}" for p in args.param]
                       + ([f"--alpha-t {shlex.quote(args.alpha_t)}"] if args.alpha_t else [])
                       + ([f"--beta1-t {shlex.quote(args.beta1_t)}"] if args.beta1_t else [])
                       + ([f"--sweep {shlex.quote(args.sweep)}"] if args.sweep else [])
                       + ([f"--problems {shlex.quote(args.problems)}"] if args.problems else [])
                       + (["--T", str(T)] if T else []) + (["--quick"] if args.quick else [])
                       + ["--out", shlex.quote(args.out)])
    paths = report.write([study], args.out, command=command, plot=not args.no_plots,
                         plotters={schedule_lab.KEY: schedule_lab.plot}, title="regret schedule",
                         intro=schedule_lab.INTRO)
    for c in study.claims:
        print(f"{'pass' if c.passed else 'FAIL'}  {c.claim}: {' '.join(str(c.measured).split())}")
    n_ok = sum(c.passed for c in study.claims)
    print(f"{n_ok}/{len(study.claims)} claims held; report: {paths['html']} (also {paths['markdown']}, "
          f"{paths['json']}); {time.perf_counter() - started:.1f} s")
    return 0 if study.passed else 1
