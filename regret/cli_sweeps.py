"""The sweep options of ``regret run``: labelled grids and shards on Dask.

    regret run ... [--grid NAME=a,b,c | NAME=start:stop:n ...] [--shard N] [--store DIR]
                   [--dask ADDRESS | --workers N]

``--grid`` axes (repeatable) form a product (``regret.grid``, C order, in the order given);
an axis named like a parameter of the problem (C, seed, delta, …) goes to the problem, any other
to every optimizer.  ``--shard``/``--dask``/``--workers``/``--store`` split the configurations
into shards (``regret.shards``): ``--dask`` sends them to the scheduler at ADDRESS,
``--workers`` to a local cluster of N workers; with ``--save FILE`` finished shards are kept in
``--store`` (default ``FILE.shards``), so the same command run again after Ctrl-C or a crash
redoes only the unfinished ones (the default store is removed once FILE is written).
"""
from __future__ import annotations

import inspect
import os
import shutil

from . import validate


def add_options(p) -> None:
    """Add the sweep options to the ``run`` parser."""
    p.add_argument("--grid", action="append", metavar="NAME=VALUES",
                   help="a grid axis (repeat for a product): NAME=a,b,c or NAME=start:stop:n")
    p.add_argument("--shard", metavar="N", help="configurations per shard (default 65536 when sharding)")
    p.add_argument("--store", metavar="DIR", help="keep finished shards in DIR; rerun to resume")
    p.add_argument("--dask", metavar="ADDRESS", help="run the shards on the Dask scheduler at ADDRESS")
    p.add_argument("--workers", metavar="N", help="run the shards on a local Dask cluster of N workers")


def check_store_path(option: str, path: str) -> str:
    """A ``--save FILE.zarr`` target: in an existing folder, and either absent or a regret zarr
    store (which the save replaces), before the run rather than after it."""
    from .labelled import is_zarr

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"{option}={path!r}: directory {folder!r} does not exist")
    if os.path.exists(path) and not is_zarr(path):
        raise ValueError(f"{option}={path!r} exists and is not a zarr store; not replacing it")
    if not os.access(folder, os.W_OK):
        raise ValueError(f"{option}={path!r}: cannot write in {folder!r}")
    return path


class SweepOptions:
    """The parsed sweep options of one ``regret run``."""

    def __init__(self, args, save_to: str | None):
        from .grid import grid, parse_axis

        self.grid = None
        if args.grid:
            axes = {}
            for text in args.grid:
                name, values = parse_axis(text)
                if name in axes:
                    raise ValueError(f"--grid axis {name!r} is given twice")
                axes[name] = values
            self.grid = grid(**axes)
        if args.dask is not None and args.workers is not None:
            raise ValueError("give --dask ADDRESS or --workers N, not both")
        self.shard = validate.positive_int("--shard", args.shard) if args.shard is not None else None
        self.workers = validate.positive_int("--workers", args.workers) if args.workers is not None else None
        self.client = args.dask
        self.sharded = any(v is not None for v in (self.shard, self.workers, self.client, args.store))
        self.default_store = bool(self.sharded and args.store is None and save_to is not None)
        self.store = args.store if args.store is not None else (save_to + ".shards" if self.default_store else None)

    def split(self, problem_name: str) -> tuple[dict, dict]:
        """(problem columns, optimizer columns) of the grid's axes."""
        if self.grid is None:
            return {}, {}
        from .problems import PROBLEMS

        takes = set(inspect.signature(PROBLEMS[problem_name]).parameters) if problem_name in PROBLEMS else set()
        cols = self.grid.columns()
        return ({k: v for k, v in cols.items() if k in takes},
                {k: v for k, v in cols.items() if k not in takes})

    def run_kwargs(self) -> dict:
        if self.client is not None:
            from .shards import connect

            self.client = connect(self.client)
        given = {"grid": self.grid, "shard": self.shard, "workers": self.workers, "client": self.client,
                 "store": self.store}
        return {k: v for k, v in given.items() if v is not None}

    def finish(self) -> None:
        """After the results are saved: drop the default shard store, close the client."""
        if self.default_store and self.store and os.path.isdir(self.store):
            shutil.rmtree(self.store, ignore_errors=True)
        if self.client is not None and not isinstance(self.client, str):
            self.client.close()
