"""``regret show FILE [--plot OUT] [--iterates OUT] [--json]``: reload saved results and re-plot them.

Reads a file written by ``regret run --save`` (see ``regret.storage``), prints the same table or
JSON as ``regret run`` did, a one-line provenance summary (package version, engine, chunk,
seed) on stderr, and redraws the average-regret plot (and the iterates) without rerunning.
The exit status is that of the saved run: 3 if it had numerical faults, 130 if it was
interrupted (resume it with ``regret run --resume FILE``), else 0.
"""
from __future__ import annotations

import sys

from . import storage


def register(sub) -> None:
    from .cli import EPILOG

    p = sub.add_parser("show", help="reload results saved with 'regret run --save' and re-plot them",
                       epilog=EPILOG)
    p.add_argument("file", metavar="FILE", help="a results file written by 'regret run --save'")
    p.add_argument("--plot", metavar="OUT", help="write the average-regret plot (log-log) to OUT")
    p.add_argument("--iterates", metavar="OUT", help="write the iterates x_t[0] against t to OUT")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.set_defaults(func=cmd_show)


def cmd_show(args) -> int:
    from .cli import exit_status, report

    for option in ("plot", "iterates"):
        if getattr(args, option) is not None:
            storage.check_writable(f"--{option}", getattr(args, option))
    saved = storage.load(args.file)
    if not saved.results:
        raise ValueError(f"results file {args.file!r} holds no results")
    report(saved.results, json_out=args.json, plot=args.plot, iterates=args.iterates)
    print(f"regret: {args.file}: {provenance_line(saved)}", file=sys.stderr)
    if saved.altered:
        print(f"regret: warning: {args.file}: result(s) {', '.join(map(str, saved.altered))} do not match "
              "their saved digest: the file was altered after it was written", file=sys.stderr)
    return exit_status(saved.results, args.file)


def provenance_line(saved: storage.Saved) -> str:
    """A one-line summary of where the saved numbers came from."""
    first = saved.results[0]
    prov = first.provenance
    parts = [f"regret {prov.get('regret_version', saved.meta.get('regret_version'))}",
             f"engine {first.engine}"]
    if "chunk" in prov:
        parts.append(f"chunk {prov['chunk']}")
    if first.seed is not None:
        parts.append(f"seed {first.seed}")
    parts.append(f"problem {first.problem.get('name')} T={first.T}")
    if saved.meta.get("saved"):
        parts.append(f"saved {saved.meta['saved']}")
    return ", ".join(parts)
