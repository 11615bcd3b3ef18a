"""``regret check``: what the theory says, decided exactly by ``proofs``.

    regret check condition --beta1 B1 --beta2 B2 [--json]
        β1 < √β2 (γ = β1/√β2 < 1), exact: decimals are rationals, so 0.9 / 0.81 is the boundary.
    regret check bounds --lower EXPR --upper EXPR [--param k=v | --param k ...] [--json] [--timeout S]
        AdaBound's bound schedule: each Theorem 4 assumption, the hidden requirement
        η_l(t−1)/η_u(t) ≥ √(1−1/t), Savarese's t/η_l(t) − (t−1)/η_u(t−1) ≤ M with the best M, and
        the bound's order.  ``--param k`` without a value keeps k a positive symbol.

One line per clause: ``clause: STATUS (reason)``, STATUS one of ``proved`` / ``fails`` (the
reason gives the witness) / ``numerical evidence`` (a floating-point scan, not a proof) /
``undecided``.

Exit status, the same for every ``check`` command (``proofs.verdicts.EXIT_STATUS``), from the
weakest clause: 0 every clause proved; 1 some clause fails; 3 none fails, but some is only
numerical evidence or undecided; 2 malformed input or a question sympy did not answer within
--timeout (one line on stderr).  So ``regret check ... && echo ok`` means "proved".
"""
from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading

from proofs.verdicts import exit_status

from . import validate
from .jsonable import jsonable


MAX_TIMEOUT = 7 * 86400

EPILOG = ("exit status: 0 every clause proved; 1 some clause fails (with a witness); 3 none fails but "
          "some is numerical evidence or undecided; 2 bad input or --timeout reached")


def register(sub) -> None:
    p = sub.add_parser("check", help="decide a theorem's conditions or a bound schedule exactly (sympy)",
                       epilog=EPILOG)
    what = p.add_subparsers(dest="what", parser_class=type(p))
    what.required = True
    c = what.add_parser("condition", help="beta1 < sqrt(beta2), exactly", epilog=EPILOG)
    c.add_argument("--beta1", required=True, metavar="B1")
    c.add_argument("--beta2", required=True, metavar="B2")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_condition)
    b = what.add_parser("bounds", help="check AdaBound bound functions eta_l(t), eta_u(t)", epilog=EPILOG)
    b.add_argument("--lower", required=True, metavar="EXPR", help="eta_l(t), e.g. 'alpha*(1 - 1/(gamma*t + 1))'")
    b.add_argument("--upper", required=True, metavar="EXPR", help="eta_u(t), e.g. 'alpha*(1 + 1/(gamma*t))'")
    b.add_argument("--param", action="append", default=[], metavar="k=v",
                   help="repeatable: a parameter value (exact decimal), or k alone for a positive symbol")
    b.add_argument("--json", action="store_true")
    b.add_argument("--timeout", metavar="S", default="120",
                   help="give up after S seconds (sympy can take very long on exotic expressions; default 120)")
    b.set_defaults(func=cmd_bounds)


def cmd_condition(args) -> int:
    from proofs import conditions

    v = conditions.beta_condition(args.beta1, args.beta2)
    g = conditions.gamma(args.beta1, args.beta2)
    if args.json:
        json.dump(jsonable({"beta1": args.beta1, "beta2": args.beta2, "gamma": str(g), "clauses": [v.as_dict()],
                            "overall": v.status}), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(v.line())
    return exit_status([v])


def _params(items) -> dict:
    out = {}
    for item in items:
        key, eq, val = item.partition("=")
        key = key.strip()
        if not key:
            raise ValueError(f"--param {item!r} must be k=v or k")
        if key in out:
            raise ValueError(f"--param {key} is given twice")
        out[key] = val.strip() if eq else None
        if eq and not out[key]:
            raise ValueError(f"--param {item!r} has an empty value")
    return out


def cmd_bounds(args) -> int:
    from proofs import schedule_check

    limit = validate.positive_int("--timeout", args.timeout)
    if limit > MAX_TIMEOUT:  # signal.alarm takes a C unsigned int; a week is more than enough
        raise ValueError(f"--timeout={limit} must be at most {MAX_TIMEOUT} s (a week)")
    with _time_limit(limit, f"sympy did not finish within --timeout={limit} s on --lower={args.lower!r}, "
                            f"--upper={args.upper!r}; give parameters values, simplify the expressions or raise "
                            "--timeout"):
        rep = schedule_check.decide(args.lower, args.upper, _params(args.param))
    if args.json:
        json.dump(jsonable(rep.as_dict()), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(rep.text())
    return exit_status(rep.clauses)


@contextlib.contextmanager
def _time_limit(seconds: int, message: str):
    """Raise ValueError(message) after ``seconds`` (SIGALRM; a no-op where there is none, or off
    the main thread): a question sympy cannot answer quickly gets one line, not a hang."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum, frame):
        raise TimeoutError(message)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    except TimeoutError as exc:
        raise ValueError(str(exc)) from None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
