"""The ``regret`` command line.

    regret run --problem NAME[:k=v,...] --optimizer NAME[:k=v,...] [--optimizer ...] --T N
               [--x0 X] [--seed S] [--checkpoints K] [--chunk N] [--json] [--plot FILE] [--iterates FILE]
               [--save FILE]
    regret run --resume FILE [--save FILE] [--json] [--plot FILE]
    regret run ... [--grid NAME=VALUES ...] [--shard N] [--store DIR] [--dask ADDRESS | --workers N]
                   (labelled grids and sharded sweeps: regret.cli_sweeps)
    regret show FILE [--plot FILE] [--json]
    regret list [optimizers|problems] [NAME]
    regret schedule --lower EXPR --upper EXPR [--param k=v ...] [--sweep k=v1,v2,...] ...   (cli_schedule)
    regret --plugin MODULE ...      (any command; repeatable) first import MODULE (a module name or a
                                    .py path) that registers optimizers/problems (docs/EXTENDING.md)

Exit status (``EXIT_*``): 0 success; 2 a mistake in the input (one line on stderr, no
traceback); 3 the run finished but some configuration hit NaN/Inf and was frozen, or its R_T
overflowed (the results, with the faults listed, are still printed and saved); 130 interrupted by Ctrl-C (what was done
is printed and, with --save, saved in a resumable file).
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys

import numpy as np

from . import validate, cli_sweeps, storage
from .engine import DEFAULT_CHUNK, ENGINES
from .shards import SweepInterrupted, run
from .jsonable import jsonable
from .kernels import OPTIMIZERS, optimizer
from .problems import PROBLEMS, problem
from .spec import parse_spec, parse_value


# Each further subcommand lives in its own module with ``register(subparsers)``, which adds a
# parser whose ``func(args) -> int`` is the exit status.  ValueError/TypeError/UsageError raised
# there become one line on stderr and status 2.
SUBCOMMANDS: tuple[str, ...] = ("regret.cli_reproduce", "regret.cli_show", "regret.cli_check", "regret.cli_list",
                               "regret.cli_search", "regret.cli_schedule")

EXIT_OK, EXIT_USAGE, EXIT_FAULTS, EXIT_INTERRUPTED = 0, 2, 3, 130

EPILOG = ("exit status: 0 success; 2 bad input (one line on stderr); 3 finished, but some "
          "configuration hit NaN/Inf and was frozen (see 'faults') or its R_T is not finite; 130 interrupted by Ctrl-C "
          "(partial results printed; with --save a resumable file, continue with --resume FILE)")


class UsageError(Exception):
    """A command-line mistake: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not usage + message
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="regret", description="Convergence-theory and counterexample explorer for optimizers.",
                     epilog=EPILOG)
    # read (and stripped) by main() before parsing, wherever it stands; declared here for --help
    parser.add_argument("--plugin", action="append", metavar="MODULE",
                        help="repeatable: import MODULE (an importable module name or a .py path) first; it "
                             "registers its optimizers/problems with regret.register_optimizer/register_problem")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("run", help="run optimizers on a problem and report regret", epilog=EPILOG)
    # --problem/--optimizer/--T are required unless --resume supplies them (checked in cmd_run).
    p.add_argument("--problem", metavar="NAME[:k=v,...]",
                   help=f"required; one of: {', '.join(PROBLEMS)} (options: 'regret list problems')")
    p.add_argument("--optimizer", action="append", metavar="NAME[:k=v,...]",
                   help=f"required, repeatable; one of: {', '.join(OPTIMIZERS)}; its options "
                        "(e.g. lr, beta1, beta2, eps, convention=theory|practical) are listed with "
                        "their defaults by 'regret list optimizers'; [a,b] sweeps a value")
    p.add_argument("--T", metavar="N", help="required; number of steps")
    p.add_argument("--x0", metavar="X", help="start point: a number or comma-separated coordinates")
    p.add_argument("--seed", metavar="S", help="seed of a stochastic problem")
    p.add_argument("--checkpoints", metavar="K", help="number of log-spaced checkpoints (default 60)")
    p.add_argument("--chunk", metavar="N", help="steps per chunk; Ctrl-C stops at a chunk's end "
                   f"(default {DEFAULT_CHUNK}; does not change the numbers)")
    p.add_argument("--engine", choices=ENGINES, help="default auto")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("--plot", metavar="FILE", help="write an average-regret plot (log-log) to FILE (PNG; the "
                   "curves beside it as FILE's name .json)")
    p.add_argument("--iterates", metavar="FILE", help="write the iterates x_t[0] against t to FILE (as 'show')")
    p.add_argument("--save", metavar="FILE", help="write the results with full provenance to FILE "
                   "(JSON, atomically; reload with 'regret show FILE'); on Ctrl-C, a resumable state")
    p.add_argument("--resume", metavar="FILE", help="continue an interrupted run saved with --save; "
                   "the settings come from FILE, the results go to --save (default: FILE itself)")
    cli_sweeps.add_options(p)
    p.set_defaults(func=cmd_run)
    for module in SUBCOMMANDS:
        importlib.import_module(module).register(sub)
    return parser


def _problem_from(text: str, seed, extra: dict | None = None):
    name, opts = parse_spec(text, "problem")
    opts.update(_axes_not_given(opts, extra, text))
    validate.choice("problem", name, PROBLEMS)
    if seed is not None:
        if "seed" not in inspect.signature(PROBLEMS[name]).parameters:
            raise ValueError(f"--seed={seed}: problem {name!r} is deterministic and takes no seed")
        opts.setdefault("seed", validate.positive_int("--seed", seed, minimum=0))
    return problem(name, **opts)


def _kernel_from(text: str, extra: dict | None = None):
    name, opts = parse_spec(text, "optimizer")
    opts.update(_axes_not_given(opts, extra, text))
    return optimizer(name, **opts)


def _axes_not_given(opts: dict, extra: dict | None, text: str) -> dict:
    """The --grid columns for one spec, refusing an option given both ways."""
    for k in extra or {}:
        if k in opts:
            raise ValueError(f"{k!r} is both a --grid axis and an option in {text!r}; give it once")
    return extra or {}


# The options that define a run; --save stores them as the file's "command" so that
# --resume rebuilds the very same problem and kernels.
_SPEC = ("problem", "optimizer", "T", "x0", "seed", "checkpoints", "chunk", "engine")


def cmd_run(args) -> int:
    previous = None
    if args.resume is not None:
        given = [f"--{k}" for k in _SPEC if getattr(args, k) is not None]
        if given:
            raise UsageError(f"--resume takes the run's settings from {args.resume!r}; do not also give "
                             f"{', '.join(given)}")
        saved = storage.load(args.resume)
        if saved.altered:
            raise ValueError(f"--resume {args.resume!r}: result(s) {', '.join(map(str, saved.altered))} were "
                             "altered after the file was saved (or it has no digests); refusing to continue")
        if not isinstance(saved.command, dict) or saved.command.get("problem") is None:
            raise ValueError(f"--resume {args.resume!r}: the file holds no 'regret run' settings "
                             "(resume it from Python: regret.run(..., resume=results))")
        spec = {k: saved.command.get(k) for k in _SPEC}
        previous = saved.results
        save_to = args.save if args.save is not None else args.resume
    else:
        missing = [f"--{k}" for k in ("problem", "optimizer", "T") if getattr(args, k) is None]
        if missing:
            raise UsageError(f"the following arguments are required: {', '.join(missing)}")
        spec = {k: getattr(args, k) for k in _SPEC}
        save_to = args.save
    for option, path in (("--save", save_to), ("--plot", args.plot), ("--iterates", args.iterates)):
        if path is None:
            continue
        if option == "--save" and storage.format_of(path) is not None:
            cli_sweeps.check_store_path(option, path)
        else:
            storage.check_writable(option, path)
    sweep = cli_sweeps.SweepOptions(args, save_to)
    if previous is not None and (sweep.grid is not None or sweep.sharded):
        raise UsageError("--resume continues a single-process run; a sharded sweep resumes by running "
                         "the same command again (with the same --store)")
    pcols, kcols = sweep.split(parse_spec(spec["problem"], "problem")[0])
    prob = _problem_from(spec["problem"], spec["seed"], pcols)
    kernels = [_kernel_from(text, kcols) for text in spec["optimizer"]]
    T = validate.positive_int("--T", spec["T"])
    x0 = None
    if spec["x0"] is not None:
        vals = [parse_value(v.strip(), "--x0") for v in spec["x0"].split(",")]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            raise ValueError(f"--x0={spec['x0']!r} must be a number or comma-separated numbers")
        x0 = np.array(vals, dtype=float)
    ckpts = validate.positive_int("--checkpoints", spec["checkpoints"] or 60, minimum=2)
    chunk = validate.positive_int("--chunk", spec["chunk"]) if spec["chunk"] is not None else None
    engine = spec["engine"] or "auto"
    if previous is not None and len(previous) != len(kernels):
        raise ValueError(f"--resume {args.resume!r} holds {len(previous)} results for {len(kernels)} optimizers")
    extra = {"chunk": chunk} if chunk is not None else {}
    if previous is not None:
        extra["resume"] = previous
    forecast = Forecast(T, len(kernels), save_to)
    if not sweep.sharded:  # a sharded sweep has its own progress bar and no per-chunk hook
        extra["on_chunk"] = forecast
    try:
        results = run(prob, kernels, T, x0=x0, checkpoints=ckpts, engine=engine, **extra, **sweep.run_kwargs())
    except SweepInterrupted as exc:
        print(f"regret: {exc}; run the same command again to continue" if exc.store else f"regret: {exc}",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    saved = False
    try:
        if save_to is not None:
            storage.save(save_to, results, command={**spec, "grid": args.grid} if args.grid else spec)
            saved = True
        sweep.finish()
        report(results, json_out=args.json, plot=args.plot, iterates=args.iterates)
    except KeyboardInterrupt:
        # Ctrl-C after the run: say what exists (the save itself cannot be cut: SIGINT is held
        # while the file is written)
        where = f"the results are saved in {save_to!r}" if saved else "the results were not saved"
        print(f"regret: interrupted after the run finished; {where}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return exit_status(results, save_to)


class Forecast:
    """An ``on_chunk`` hook that says, once, how long a run will take when that is more than a
    few minutes (measured after a couple of seconds of it), so a mistyped T is noticed early."""

    AFTER_S, LONG_S = 2.0, 180.0

    def __init__(self, T: int, kernels: int, save_to: str | None):
        import time

        self.T, self.total, self.save_to, self.clock = T, T * kernels, save_to, time.perf_counter
        self.first, self.said = None, False

    def __call__(self, i: int, t: int):
        if self.said:
            return None
        done = i * self.T + t  # kernel i runs after the i before it, each T steps
        now = self.clock()
        if self.first is None:  # timed from the first chunk on: start-up and compiling excluded
            self.first = (now, done)
            return None
        elapsed, steps = now - self.first[0], done - self.first[1]
        if elapsed < self.AFTER_S or steps <= 0:
            return None
        self.said = True
        left = (self.total - done) * elapsed / steps
        if left > self.LONG_S:
            how = (f"Ctrl-C stops it and saves a resumable state to {self.save_to!r}" if self.save_to
                   else "Ctrl-C stops it (add --save FILE to be able to resume)")
            print(f"regret: this run will take about {_duration(left)} more at the measured "
                  f"{steps / elapsed:.3g} steps/s; {how}", file=sys.stderr)
        return None


def _duration(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} h"
    if seconds < 86400 * 365 * 2:
        return f"{seconds / 86400:.0f} days"
    return f"{seconds / (86400 * 365):.3g} years"


def report(results, json_out: bool = False, plot: str | None = None, iterates: str | None = None) -> None:
    """Print results as a table or one JSON object, then plot them if asked (run and show), and
    say on stderr where each figure and its data file went.

    The numbers are printed before the figure is drawn, so nothing can keep them from the user.
    JSON is standard: non-finite numbers are the strings "nan"/"inf"/"-inf" (``regret.jsonable``).
    """
    if json_out:
        out = {"problem": results[0].problem if results else None, "T": results[0].T if results else None,
               "runs": [r for res in results for r in res.runs()]}
        if any(r.interrupted for r in results):
            out["interrupted"] = True
        # dumps, not dump: only the one-shot encoder is the C one (10× faster on big sweeps)
        sys.stdout.write(json.dumps(jsonable(out), allow_nan=False) + "\n")
    else:
        _print_table(results)
    from . import plotting

    started = [r for r in results if len(r.t)]
    for path, draw, what in ((plot, plotting.average_regret, "average regret"), (iterates, plotting.iterates,
                                                                                  "iterates")):
        if path:
            data = plotting.save(draw(started), path)
            print(f"regret: wrote the {what} plot to {path} (its curves: {data})", file=sys.stderr)


def exit_status(results, saved_to: str | None = None) -> int:
    """130 if interrupted, 3 if some configuration was frozen by a numerical fault or its regret
    is not finite, else 0.

    Says why on stderr, in one line each.
    """
    faults = [(res, f) for res in results for f in res.faults]
    if faults:
        shown = "; ".join(f"{res.label(f['config'])} at t={f['t']} ({f['quantity']} not finite)"
                          for res, f in faults[:5])
        more = f"; and {len(faults) - 5} more" if len(faults) > 5 else ""
        print(f"regret: numerical fault in {len(faults)} configuration(s), frozen: {shown}{more}",
              file=sys.stderr)
    frozen = {(id(res), f["config"]) for res, f in faults}
    overflow = [res.label(b) for res in results if len(res.t) for b in range(res.batch)
                if (id(res), b) not in frozen and not np.isfinite(res.regret_final[b])]
    if overflow:
        # the kernel's numbers stayed finite but a running sum of losses did not (huge C·T)
        shown = "; ".join(overflow[:5]) + (f"; and {len(overflow) - 5} more" if len(overflow) > 5 else "")
        print(f"regret: R_T is not finite (the summed losses overflow float64) for {shown}", file=sys.stderr)
    if any(r.interrupted for r in results):
        stopped = [r for r in results if r.interrupted and r.resume_state is not None]
        waiting = sum(1 for r in results if r.interrupted and r.resume_state is None)
        done = stopped[0].steps_done if stopped else 0
        where = (f"saved to {saved_to!r}; continue with: regret run --resume {saved_to}" if saved_to
                 else "not saved (run with --save FILE to be able to resume)")
        what = f" in {stopped[0].optimizer}" if stopped else ""
        rest = f", {waiting} optimizer(s) not started" if waiting else ""
        print(f"regret: interrupted{what} after t={done} of T={results[0].T}{rest}; {where}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_FAULTS if faults or overflow else EXIT_OK


def _print_table(results) -> None:
    rows = [("optimizer", "x_final", "R_T", "R_T/T")]
    for res in results:
        for b in range(res.batch):
            if not len(res.t):
                rows.append((res.label(b), "(not started)", "", ""))
                continue
            xf = res.x_final[b]
            rows.append((res.label(b), ", ".join(f"{v:+.6g}" for v in xf[:4]) + (" …" if len(xf) > 4 else ""),
                         f"{res.regret_final[b]:.6g}", f"{res.regret_final[b] / res.steps_done:.6g}"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def main(argv=None) -> int:
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_DFL:  # set while importing (regret/__init__)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        from . import plugins

        specs, argv = plugins.split_argv(list(sys.argv[1:] if argv is None else argv))
        for spec in specs:
            plugins.load(spec)
        parser = build_parser()
        args = parser.parse_args(argv)
        return args.func(args)
    except (UsageError, ValueError, TypeError) as exc:
        # One line, whatever the message: a multi-line numpy repr must not break the contract.
        print(f"regret: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `regret run ... --json | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:  # before a run began, or a second Ctrl-C inside one
        print("regret: interrupted; nothing was saved", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
