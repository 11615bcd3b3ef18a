"""The ``regret`` command line.

    regret run --problem NAME[:k=v,...] --optimizer NAME[:k=v,...] [--optimizer ...] --T N
               [--x0 X] [--seed S] [--checkpoints K] [--json] [--plot FILE]

A mistake in the input prints one line on stderr and exits with status 2.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys

import numpy as np

from . import checks
from .engine import ENGINES, run
from .kernels import OPTIMIZERS, optimizer
from .problems import PROBLEMS, problem
from .spec import parse_spec, parse_value


# Each further subcommand lives in its own module with ``register(subparsers)``, which adds a
# parser whose ``func(args) -> int`` is the exit status.  ValueError/TypeError/UsageError raised
# there become one line on stderr and status 2.
SUBCOMMANDS: tuple[str, ...] = ()


class UsageError(Exception):
    """A command-line mistake: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not usage + message
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="regret", description="Convergence-theory and counterexample explorer for optimizers.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("run", help="run optimizers on a problem and report regret")
    p.add_argument("--problem", required=True, metavar="NAME[:k=v,...]",
                   help=f"one of: {', '.join(PROBLEMS)}")
    p.add_argument("--optimizer", action="append", required=True, metavar="NAME[:k=v,...]",
                   help=f"repeatable; one of: {', '.join(OPTIMIZERS)}; options lr, beta1, beta2, eps, "
                        "bias_correction, schedule, final_lr, gamma, convention; [a,b] sweeps")
    p.add_argument("--T", required=True, metavar="N", help="number of steps")
    p.add_argument("--x0", metavar="X", help="start point: a number or comma-separated coordinates")
    p.add_argument("--seed", metavar="S", help="seed of a stochastic problem")
    p.add_argument("--checkpoints", default="60", metavar="K", help="number of log-spaced checkpoints")
    p.add_argument("--engine", default="auto", choices=ENGINES)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("--plot", metavar="FILE", help="write an average-regret plot (log-log) to FILE")
    p.set_defaults(func=cmd_run)
    for module in SUBCOMMANDS:
        importlib.import_module(module).register(sub)
    return parser


def _problem_from(text: str, seed):
    name, opts = parse_spec(text, "problem")
    checks.choice("problem", name, PROBLEMS)
    if seed is not None:
        if "seed" not in inspect.signature(PROBLEMS[name]).parameters:
            raise ValueError(f"--seed={seed}: problem {name!r} is deterministic and takes no seed")
        opts.setdefault("seed", checks.positive_int("--seed", seed, minimum=0))
    return problem(name, **opts)


def _kernel_from(text: str):
    name, opts = parse_spec(text, "optimizer")
    return optimizer(name, **opts)


def cmd_run(args) -> int:
    prob = _problem_from(args.problem, args.seed)
    kernels = [_kernel_from(text) for text in args.optimizer]
    T = checks.positive_int("--T", args.T)
    x0 = None
    if args.x0 is not None:
        vals = [parse_value(v.strip(), "--x0") for v in args.x0.split(",")]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            raise ValueError(f"--x0={args.x0!r} must be a number or comma-separated numbers")
        x0 = np.array(vals, dtype=float)
    ckpts = checks.positive_int("--checkpoints", args.checkpoints, minimum=2)
    results = run(prob, kernels, T, x0=x0, checkpoints=ckpts, engine=args.engine)
    if args.plot:
        from . import plotting

        ax = plotting.average_regret(results)
        plotting.save(ax, args.plot)
    if args.json:
        out = {"problem": prob.describe(), "T": T, "runs": [r for res in results for r in res.runs()]}
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
    else:
        _print_table(results, T)
    return 0


def _print_table(results, T) -> None:
    rows = [("optimizer", "x_final", "R_T", "R_T/T")]
    for res in results:
        for b in range(res.batch):
            xf = res.x_final[b]
            rows.append((res.label(b), ", ".join(f"{v:+.6g}" for v in xf[:4]) + (" …" if len(xf) > 4 else ""),
                         f"{res.regret_final[b]:.6g}", f"{res.regret_final[b] / T:.6g}"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return args.func(args)
    except (UsageError, ValueError, TypeError) as exc:
        print(f"regret: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `regret run ... --json | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("regret: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
