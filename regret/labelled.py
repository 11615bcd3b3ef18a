"""Results as labelled arrays (xarray, pandas) and large results on disk as zarr.

``to_xarray(result)`` is an ``xarray.Dataset`` with dimensions

    t        the checkpoints (coordinate: the step indices)
    AXES     the grid's axes when the run had one (``regret.grid``; coordinates: the axis
             values), else ``config`` (0..B−1)
    coord    the coordinates i of x ∈ R^d

and data variables ``regret`` R_t, ``average_regret`` R_t/t, ``iterate`` x_{t+1}, ``eta`` η_t,
``loss`` Σf_s(x_s), ``comparator`` min_F Σf_s, ``expected_gap`` and ``expected_regret``
(stochastic problems), ``fault_t`` (the step at which a configuration was frozen, 0 if never)
and ``fault_quantity`` (the index of the first non-finite quantity in
``attrs["fault_quantities"]``, −1 if none).  Every configuration parameter that varies over the
batch and is not a grid axis is a coordinate over the configuration dims; the rest of the
provenance (problem, constant parameters, versions, engine, T, faults' names, the resume state of
an interrupted run) is in ``attrs``, as JSON text where it is not a plain number or string, so
that netCDF and zarr can store it.  ``from_xarray`` inverts it exactly: every number bit for
bit, every provenance entry equal.

Storage: ``save_zarr`` / ``load_zarr`` (``regret.storage.save``/``load`` dispatch here for a
path ending in ``.zarr``).  Zarr rather than netCDF because a sweep that outgrows one process
needs what zarr's layout gives by construction: every array is stored in chunks, each its own
object, so (1) shards are appended or written into their own region of the configuration axis
by separate processes without a lock or a rewrite (netCDF4/HDF5 is one file with one writer
unless built against MPI, and appending needs an unlimited dimension declared up front), and
(2) a partial read (one checkpoint, a slice of the grid) fetches only the chunks it touches,
from a local directory or an object store.  JSON stays the format for small results and
scripts.  ``average_regret`` is derived (R_t/t) and not stored (``Result.average_regret``
computes it).
Several results (one per optimizer) are groups ``result0``, ``result1``, … of one store, the
root attributes holding the format tag and the CLI command.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile

import numpy as np

from .result import Configs, Result, Same

FORMAT = "regret-results"
VERSION = 1
#: configurations per zarr chunk along the configuration axis: ~0.5 MB per checkpoint row
CONFIG_CHUNK = 1 << 16


def _xr():
    try:
        import xarray
    except ImportError:  # pragma: no cover - the sweeps extra is part of the test extra
        raise ValueError("xarray is not installed; install regret with the 'sweeps' extra: "
                         "pip install 'regret[sweeps]'") from None
    return xarray


def _dims(result: Result):
    """(dims of the configuration axis, their shape, coordinates of those dims)."""
    if result.grid:
        names = list(result.grid)
        shape = tuple(len(v) for v in result.grid.values())
        if int(np.prod(shape)) != result.batch:
            raise ValueError(f"result.grid has {int(np.prod(shape))} points for {result.batch} configurations")
        return names, shape, {k: np.asarray(v) for k, v in result.grid.items()}
    return ["config"], (result.batch,), {"config": np.arange(result.batch)}


def _columns(configs) -> tuple[dict, dict]:
    """(varying numeric columns as arrays, everything else as a JSON-able dict)."""
    cfg = configs if isinstance(configs, Configs) else Configs.from_dicts(list(configs))
    varying, same = {}, {}
    for k in cfg.keys():
        col = cfg.column(k)
        if isinstance(col, Same):
            same[k] = col.value
            continue
        arr = np.asarray(col)
        if arr.dtype.kind in "biuf" and arr.ndim == 1:
            varying[k] = arr
        else:
            same[k] = {"__list__": [v for v in col]}
    return varying, same


def to_xarray(result: Result):
    """The Dataset of ``result``; see the module docstring for its layout."""
    xr = _xr()
    names, shape, coords = _dims(result)
    K, B = result.regret.shape
    d = result.x.shape[2] if result.x.ndim == 3 else 0
    cdims = ["t", *names]
    coords = dict(coords)
    coords["t"] = np.asarray(result.t, dtype=np.int64)
    coords["coord"] = np.arange(d)

    def per_config(a):
        return a.reshape(K, *shape)

    data = {
        "regret": (cdims, per_config(result.regret)),
        "average_regret": (cdims, per_config(result.average_regret)),
        "loss": (cdims, per_config(result.loss)),
        "comparator": (cdims, per_config(result.comparator)),
        "iterate": (cdims + ["coord"], result.x.reshape(K, *shape, d)),
        "eta": (cdims + ["coord"], result.eta.reshape(K, *shape, d)),
    }
    if result.expected_gap is not None:
        data["expected_gap"] = (cdims, per_config(result.expected_gap))
    if result.expected_regret is not None:  # None for x-dependent problems
        data["expected_regret"] = (cdims, per_config(result.expected_regret))
    quantities = list(dict.fromkeys(f["quantity"] for f in result.faults))
    fault_t = np.zeros(B, dtype=np.int64)
    fault_q = np.full(B, -1, dtype=np.int64)
    for f in result.faults:
        fault_t[f["config"]] = f["t"]
        fault_q[f["config"]] = quantities.index(f["quantity"])
    data["fault_t"] = (names, fault_t.reshape(shape))
    data["fault_quantity"] = (names, fault_q.reshape(shape))
    kvar, ksame = _columns(result.configs)
    pvar, psame = _columns(result.problem_configs)
    kcoords, pcoords = {}, {}
    for k, arr in kvar.items():
        if result.grid and k in result.grid:
            continue
        kcoords[k] = k
        coords[k] = (names, arr.reshape(shape))
    for k, arr in pvar.items():
        if result.grid and k in result.grid:
            continue
        name = k if k not in coords else f"problem_{k}"
        pcoords[k] = name
        coords[name] = (names, arr.reshape(shape))
    problem = _problem_without_columns(result.problem, pvar)
    from .storage import _encode

    attrs = {
        "format": FORMAT, "version": VERSION, "optimizer": result.optimizer, "convention": result.convention,
        "T": int(result.T), "engine": result.engine, "seconds": float(result.seconds),
        "interrupted": int(bool(result.interrupted)),
        "problem": json.dumps(_encode(problem), allow_nan=False),
        "provenance": json.dumps(_encode(result.provenance), allow_nan=False),
        "configs_same": json.dumps(_encode(ksame), allow_nan=False),
        "problem_configs_same": json.dumps(_encode(psame), allow_nan=False),
        "configs_order": json.dumps(list(result.configs[0]) if B else []),
        "problem_configs_order": json.dumps(list(result.problem_configs[0]) if B else []),
        "config_coords": json.dumps(kcoords), "problem_config_coords": json.dumps(pcoords),
        "grid_axes": json.dumps(names if result.grid else []),
        "grid_in_configs": json.dumps([k for k in names if result.grid and k in kvar]),
        "grid_in_problem_configs": json.dumps([k for k in names if result.grid and k in pvar]),
        "fault_quantities": json.dumps(quantities),
        # each varying column's kind as the run recorded it ("f" floats, "i" integers): a grid axis
        # written as integers (C=2,3) labels a column the problem holds as floats
        "column_kinds": json.dumps({**{f"k:{k}": v.dtype.kind for k, v in kvar.items()},
                                    **{f"p:{k}": v.dtype.kind for k, v in pvar.items()}}),
        "resume_state": json.dumps(_encode(result.resume_state), allow_nan=False),
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _problem_without_columns(problem: dict, pvar: dict) -> dict:
    """The problem's provenance with its per-instance lists that are configuration columns
    replaced by a reference (a 10^6-instance list is stored once, as a coordinate)."""
    params = dict(problem.get("params", {}))
    for k, v in params.items():
        if isinstance(v, list) and k in pvar and len(v) == len(pvar[k]) and v == pvar[k].tolist():
            params[k] = {"__column__": k}
    return {**problem, "params": params}


def from_xarray(ds) -> Result:
    """The Result a Dataset made by ``to_xarray`` holds (bit for bit; ValueError if not ours)."""
    from .storage import _decode

    a = ds.attrs
    if a.get("format") != FORMAT:
        raise ValueError(f"dataset is not a regret result (attrs format={a.get('format')!r}, want {FORMAT!r})")
    if int(a.get("version", -1)) != VERSION:
        raise ValueError(f"dataset has format version {a.get('version')!r}; this regret reads version {VERSION}")
    grid_axes = json.loads(a["grid_axes"])
    names = grid_axes or ["config"]
    K = ds.sizes["t"]
    d = ds.sizes["coord"]
    B = int(np.prod([ds.sizes[n] for n in names]))

    def flat(name):
        return np.asarray(ds[name].transpose("t", *names).values).reshape(K, B)

    def flat_d(name):
        return np.asarray(ds[name].transpose("t", *names, "coord").values).reshape(K, B, d)

    def column(name):
        return np.asarray(ds[name].transpose(*names).values).reshape(B)

    grid = {k: ds[k].values.tolist() for k in grid_axes} or None
    from .grid import Grid

    gridded = Grid({k: np.asarray(v) for k, v in grid.items()}) if grid else None

    kinds = json.loads(a.get("column_kinds", "{}"))

    def configs(same_key, coords_key, in_grid_key, order_key, tag):
        same = _decode(json.loads(a[same_key]))
        cols = {}
        for k, v in same.items():
            cols[k] = v["__list__"] if isinstance(v, dict) and "__list__" in v else Same(v)
        for k, name in json.loads(a[coords_key]).items():
            cols[k] = _column_values(column(name), kinds.get(f"{tag}:{k}"))
        for k in json.loads(a[in_grid_key]):
            cols[k] = _column_values(gridded[k], kinds.get(f"{tag}:{k}"))
        order = json.loads(a[order_key])
        return Configs(B, {k: cols[k] for k in order} if order else cols)

    kcfg = configs("configs_same", "config_coords", "grid_in_configs", "configs_order", "k")
    pcfg = configs("problem_configs_same", "problem_config_coords", "grid_in_problem_configs",
                   "problem_configs_order", "p")
    problem = _decode(json.loads(a["problem"]))
    params = problem.get("params", {})
    for k, v in list(params.items()):
        if isinstance(v, dict) and set(v) == {"__column__"}:
            col = pcfg.column(k)
            params[k] = [col.value] * B if isinstance(col, Same) else (
                col.tolist() if isinstance(col, np.ndarray) else list(col))
    quantities = json.loads(a["fault_quantities"])
    fault_t, fault_q = column("fault_t"), column("fault_quantity")
    faults = [{"config": int(b), "t": int(fault_t[b]), "quantity": quantities[int(fault_q[b])]}
              for b in np.flatnonzero(fault_q >= 0)]
    stochastic = "expected_gap" in ds
    return Result(
        problem=problem, optimizer=a["optimizer"], convention=a["convention"], configs=kcfg,
        problem_configs=pcfg, T=int(a["T"]), engine=a["engine"], t=np.asarray(ds["t"].values, dtype=np.int64),
        regret=flat("regret"), loss=flat("loss"), comparator=flat("comparator"), x=flat_d("iterate"),
        eta=flat_d("eta"), expected_gap=flat("expected_gap") if stochastic else None,
        expected_regret=flat("expected_regret") if "expected_regret" in ds else None, faults=faults,
        seconds=float(a["seconds"]), provenance=_decode(json.loads(a["provenance"])),
        interrupted=bool(int(a["interrupted"])), resume_state=_decode(json.loads(a["resume_state"])),
        grid=grid)


def _column_values(arr: np.ndarray, kind: str | None = None):
    """A stored coordinate back in the form the engine records: integers as a list of ints
    (seeds, periods), floats as a float array; ``kind`` is the recorded column's dtype kind."""
    arr = np.asarray(arr)
    kind = kind or arr.dtype.kind
    return arr.astype(np.int64).tolist() if kind in "biu" else arr.astype(np.float64)


def to_dataframe(result: Result):
    """A ``pandas.DataFrame`` indexed by (t, the grid's axes or config): columns regret,
    average_regret, loss, comparator, expected_gap/expected_regret (stochastic problems),
    fault_t, and x_0, …, x_{d−1} and eta_0, … for the coordinates."""
    ds = to_xarray(result)
    d = ds.sizes["coord"]
    scalar = ds.drop_vars(["iterate", "eta", "fault_t", "fault_quantity"])
    for i in range(d):
        scalar[f"x_{i}"] = ds["iterate"].isel(coord=i, drop=True)
        scalar[f"eta_{i}"] = ds["eta"].isel(coord=i, drop=True)
    scalar["fault_t"] = ds["fault_t"].broadcast_like(ds["regret"])
    scalar = scalar.drop_vars("coord")
    names = [n for n in ds["regret"].dims]
    return scalar.to_dataframe(dim_order=names)


def save_zarr(path, results, command: dict | None = None) -> str:
    """Write ``results`` (a Result or a list) to the zarr store ``path`` (a directory),
    atomically: built next to it under a temporary name, then moved into place."""
    xr = _xr()
    items = [results] if isinstance(results, Result) else list(results)
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"save path {path!r}: directory {folder!r} does not exist")
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    from .storage import _encode

    try:
        store = os.path.join(tmp, "store.zarr")
        root = xr.Dataset(attrs={"format": FORMAT, "version": VERSION, "results": len(items),
                                 "command": json.dumps(_encode(command), allow_nan=False),
                                 "saved": _now()})
        root.to_zarr(store, mode="w", consolidated=False)
        for i, r in enumerate(items):
            ds = to_xarray(r).drop_vars("average_regret")
            enc = {name: {"chunks": _chunks(var.dims, var.shape)} for name, var in ds.data_vars.items()}
            ds.to_zarr(store, group=f"result{i}", mode="a", encoding=enc, consolidated=False)
        _replace_dir(store, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def _chunks(dims, shape) -> tuple:
    """Zarr chunks: every checkpoint and coordinate in one chunk, about ``CONFIG_CHUNK``
    configurations per chunk, filled from the fastest (last) configuration axis backwards, so a
    chunk is a contiguous run of configurations."""
    out, room = [], CONFIG_CHUNK
    for dim, n in reversed(list(zip(dims, shape))):
        if dim in ("t", "coord"):
            out.append(max(1, n))
            continue
        c = max(1, min(n, room))
        out.append(c)
        room = max(1, room // max(1, c))
    return tuple(reversed(out))


def _now() -> str:
    import datetime

    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _replace_dir(src: str, dst: str) -> None:
    """Move the directory ``src`` to ``dst``; an existing ``dst`` is replaced only once the
    new one is in place next to it (so a crash leaves the old store or the new one)."""
    if os.path.exists(dst):
        if not is_zarr(dst):
            raise ValueError(f"save path {dst!r} exists and is not a regret zarr store; not replacing it")
        old = dst + f".old-{os.getpid()}"
        os.replace(dst, old)
        os.replace(src, dst)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(src, dst)


def is_zarr(path) -> bool:
    """Whether ``path`` is a zarr store directory (v2 or v3 metadata at its root)."""
    path = os.fspath(path)
    return os.path.isdir(path) and any(os.path.exists(os.path.join(path, m))
                                       for m in ("zarr.json", ".zgroup", ".zattrs"))


def _register() -> None:
    from . import result, storage

    result.register_export("xarray", to_xarray)
    result.register_export("dataframe", to_dataframe)
    storage.register_format(".zarr", save_zarr, load_zarr, is_zarr)


def load_zarr(path):
    """Read a store written by ``save_zarr``: (results, command, meta); ValueError if not ours."""
    xr = _xr()
    from .storage import _decode

    path = os.fspath(path)
    if not is_zarr(path):
        raise ValueError(f"results file {path!r} is not a zarr store")
    try:
        with xr.open_dataset(path, engine="zarr", consolidated=False, chunks=None) as root:
            attrs = dict(root.attrs)
    except Exception as exc:  # noqa: BLE001 - a damaged store: one line, naming it
        raise ValueError(f"results file {path!r} cannot be read as zarr ({type(exc).__name__}: {exc})") from None
    if attrs.get("format") != FORMAT:
        raise ValueError(f"results file {path!r} is not a regret results store (no format {FORMAT!r})")
    if int(attrs.get("version", -1)) != VERSION:
        raise ValueError(f"results file {path!r} has format version {attrs.get('version')!r}; "
                         f"this regret reads version {VERSION}")
    results = []
    for i in range(int(attrs["results"])):
        # chunks=None: numpy arrays read straight from the store, no dask graph per chunk
        with xr.open_dataset(path, engine="zarr", group=f"result{i}", consolidated=False, chunks=None) as ds:
            results.append(from_xarray(ds.load()))
    meta = {"format": FORMAT, "version": VERSION, "saved": attrs.get("saved"),
            "regret_version": results[0].provenance.get("regret_version") if results else None}
    return results, _decode(json.loads(attrs["command"])), meta


_register()
