"""``regret search``: look for a periodic counterexample to one optimizer configuration.

    regret search --optimizer NAME[:k=v,...] [--P-max 6] [--P-min 2] [--G 1] [--dim 1]
                  [--lo -1] [--hi 1] [--family free|spike] [--objective measured|drift] [--T 600] [--budget N] [--popsize N]
                  [--seed S] [--confirm-T N] [--no-shrink] [--json] [--save FILE] [--plot-dir DIR]
    regret search --stochastic --optimizer ... [--replicates 8] [--T 2000] [--budget 8000] ...

Prints the verdict (``certified counterexample`` | ``counterexample (numerical, not
certified)`` | ``none found within budget``), the find as a ``periodic:pattern=[...]`` spec that
``regret run --problem`` accepts, and the certificate or the reason there is none.  AdaBound's
``lower``/``upper`` given as numbers are a constant band (``regret.search.constant_bound``).
Exit status: 0 the search ran (whatever the verdict); 2 bad input (one line); 130 Ctrl-C (the
best find so far is printed).
"""
from __future__ import annotations

import json
import sys

from . import validate


def register(sub) -> None:
    p = sub.add_parser("search", help="search for a periodic counterexample (find, shrink, confirm, certify)")
    p.add_argument("--optimizer", required=True, metavar="NAME[:k=v,...]",
                   help="one configuration, e.g. adam:beta1=0,beta2=0.1,lr=0.1,convention=theory")
    p.add_argument("--P-max", dest="P_max", default="6", metavar="P", help="largest period (>= 2, default 6)")
    p.add_argument("--P-min", dest="P_min", default="2", metavar="P", help="smallest period (default 2)")
    p.add_argument("--G", default="1", metavar="G", help="bound on every gradient entry, > 0 (default 1)")
    p.add_argument("--dim", default="1", metavar="D", help="box dimension (default 1)")
    p.add_argument("--lo", default="-1", metavar="X", help="lower end of the box (default -1)")
    p.add_argument("--hi", default="1", metavar="X", help="upper end of the box (default 1)")
    p.add_argument("--family", default="free", help="free (every value) or spike ([a, b, ..., b]); default free")
    p.add_argument("--objective", default="measured",
                   help="measured (late-window regret of engine runs, default) or drift (the steady-state "
                        "drift, for methods with a certificate: maximises the limit among failing patterns)")
    p.add_argument("--T", default="600", metavar="N", help="search horizon per candidate (default 600)")
    p.add_argument("--budget", default="60000", metavar="N", help="candidate evaluations in all (default 60000)")
    p.add_argument("--popsize", default=None, metavar="N", help="candidates per generation (one engine run)")
    p.add_argument("--seed", default="0", metavar="S", help="seed of the search (default 0)")
    p.add_argument("--confirm-T", dest="confirm_T", default="100000", metavar="N",
                   help="horizon of the confirming run (default 100000)")
    p.add_argument("--stochastic", action="store_true",
                   help="search i.i.d. losses g = C w.p. p else -b (Theorem 3's kind) instead of periodic patterns")
    p.add_argument("--replicates", default="8", metavar="R", help="sample paths per candidate (--stochastic; default 8)")
    p.add_argument("--no-shrink", action="store_true", help="report the raw find, not its simplest form")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--save", metavar="FILE", help="write the JSON result to FILE")
    p.add_argument("--plot-dir", metavar="DIR", help="write the two figures into DIR")
    p.set_defaults(func=cmd_search)


def _number(option: str, text: str) -> float:
    from .spec import parse_value

    v = parse_value(str(text), option)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"{option}={text!r} must be a number")
    return float(v)


def kernel_from(text: str):
    """The optimizer of a spec; AdaBound-family numeric lower/upper become a constant band."""
    from .kernels import optimizer
    from .search import constant_bound
    from .spec import parse_spec

    name, opts = parse_spec(text, "optimizer")
    for key in ("lower", "upper"):
        if isinstance(opts.get(key), (int, float)) and not isinstance(opts.get(key), bool):
            opts[key] = constant_bound(opts[key])
    return optimizer(name, **opts)


def cmd_search(args) -> int:
    from .cli import EXIT_INTERRUPTED, EXIT_OK
    from .jsonable import jsonable
    from .search import plot, search, search_stochastic

    from .storage import check_writable

    if args.save:
        check_writable("--save", args.save)  # before the search, not after it
    kernel = kernel_from(args.optimizer)
    kw = {"P_max": validate.positive_int("--P-max", args.P_max, minimum=2),
          "P_min": validate.positive_int("--P-min", args.P_min, minimum=1),
          "G": _number("--G", args.G), "dim": validate.positive_int("--dim", args.dim),
          "lo": _number("--lo", args.lo), "hi": _number("--hi", args.hi), "family": args.family,
          "T": validate.positive_int("--T", args.T, minimum=4), "budget": validate.positive_int("--budget", args.budget),
          "popsize": None if args.popsize is None else validate.positive_int("--popsize", args.popsize, minimum=5),
          "seed": validate.positive_int("--seed", args.seed, minimum=0),
          "confirm_T": validate.positive_int("--confirm-T", args.confirm_T, minimum=10),
          "shrink": not args.no_shrink, "objective": args.objective}
    if kw["G"] <= 0:
        raise ValueError(f"--G={args.G} must be > 0")
    progress = None if args.json else (lambda msg: print(f"  {msg}", file=sys.stderr))
    if args.stochastic:
        for key in ("P_max", "P_min", "dim", "family", "objective"):
            kw.pop(key)
        if args.T == "600":
            kw["T"] = 2000
        if args.budget == "60000":
            kw["budget"] = 8000
        kw["replicates"] = validate.positive_int("--replicates", args.replicates)
        res = search_stochastic(kernel, progress=progress, **kw)
    else:
        res = search(kernel, progress=progress, **kw)
    out = res.to_json()
    if args.save:
        with open(args.save, "w") as fh:
            json.dump(out, fh, allow_nan=False)
    if args.json:
        json.dump(jsonable(out), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(res.line())
        if res.certificate is not None:
            for i, c in enumerate(res.certificate["coordinates"]):
                print(f"  coordinate {i + 1}: Σg = {c['sum']}, drift S ∈ [{c['drift'][0]:.6g}, {c['drift'][1]:.6g}]"
                      f" ({c['outcome']})")
        if res.reason:
            print(f"  {'no certificate: ' if res.certificate is None else 'note: '}{res.reason}")
        if res.confirm is not None and res.support is not None:
            c = res.confirm
            print(f"  confirming run: T={c['T']}, {c['replicates']} sample paths, mean expected gap "
                  f"{c['expected_gap']:.6g}, tail slope {c['tail_slope']:+.3f}")
            t3 = res.settings.get("theorem3_sufficient")
            if t3:
                print(f"  Theorem 3's sufficient condition at the find: {t3['status']} ({t3['reason']})")
        elif res.confirm is not None:
            c = res.confirm
            print(f"  confirming run: T={c['T']}, R_T/T={c['average_regret']:.6g}, tail slope {c['tail_slope']:+.3f}"
                  + (f", R_T/√T={c['regret_over_sqrt_T']:.4g} vs bound {c['bound']['over_sqrt_T']:.4g} "
                     f"({c['bound']['name']})" if "bound" in c else ""))
        print(f"  {res.evaluations} candidates in {res.engine_runs} engine runs, {res.seconds:.2f} s "
              f"(engine {res.engine_rate:.3g} config-steps/s)")
    if args.plot_dir:
        try:
            paths = plot(res, args.plot_dir)
        except OSError as exc:  # the result is printed already; the figures could not be written
            raise ValueError(f"--plot-dir={args.plot_dir!r}: {exc}") from None
        for path in paths:
            print(f"  wrote {path}", file=sys.stderr)
    if res.interrupted:
        print("regret: search interrupted; the best find so far is shown", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK
