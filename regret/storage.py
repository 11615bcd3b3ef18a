"""Saving and reloading results: one JSON document per file, written atomically.

Format (``"format": "regret-results"``, ``"version": 1``)::

    {"format": "regret-results", "version": 1, "regret_version": "0.1.0", "saved": ISO-8601,
     "command": {...} | null,        # how the CLI built the run (problem/optimizer specs, T, …)
     "results": [{<every field of Result>}, ...]}

Every field of ``regret.Result`` is stored, provenance (package and library versions, kernel
options of every configuration, problem parameters including seeds, engine, chunk) and the
``resume_state`` of an interrupted run included, so ``load(save(rs)) == rs`` field by field.
Arrays are ``{"__array__": dtype, "shape": [...], "data": [...]}`` with non-finite entries
written as the strings "nan", "inf", "-inf" (the file stays standard JSON); finite float64
values round-trip bit for bit because Python writes the shortest repr that reads back exactly.
JSON rather than npz keeps one self-describing file that ``jq`` and a text editor can read; the
arrays are checkpoint-sized (O(K·B·d)), never O(T).

Atomicity: the document is written to a temporary file in the target's directory, flushed
and fsync'ed, then moved over the target with ``os.replace`` (atomic on POSIX and Windows), so
an interrupt or a crash leaves either the old file or the new one, never half of one.
"""
from __future__ import annotations

import dataclasses
import datetime
import json
import os
import tempfile
from typing import Any, NamedTuple, Sequence

import numpy as np

from . import __version__
from .result import Configs, Result

FORMAT = "regret-results"
VERSION = 1


class Saved(NamedTuple):
    """What ``load`` returns: the results, the CLI command that made them (or None), metadata."""

    results: list[Result]
    command: dict[str, Any] | None
    meta: dict[str, Any]


def save(path, results: Result | Sequence[Result], command: dict | None = None) -> str:
    """Write ``results`` (one Result or a list) to ``path`` atomically; returns the path.

    A path ending in ``.zarr`` is written as a zarr store (``regret.labelled.save_zarr``: binary,
    chunked, for large sweeps; needs the ``sweeps`` extra), anything else as JSON."""
    items = [results] if isinstance(results, Result) else list(results)
    for r in items:
        if not isinstance(r, Result):
            raise TypeError(f"results must be Result objects, got {type(r).__name__}")
    path = os.fspath(path)
    if is_zarr_path(path):
        from .labelled import save_zarr

        return save_zarr(path, items, command)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"save path {path!r}: directory {folder!r} does not exist")
    doc = {
        "format": FORMAT, "version": VERSION, "regret_version": __version__,
        "saved": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": _encode(command),
        "results": [_encode({f.name: getattr(r, f.name) for f in dataclasses.fields(Result)})
                    for r in items],
    }
    text = json.dumps(doc, allow_nan=False)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual mode
        os.replace(tmp, path)
    except BaseException:  # KeyboardInterrupt included: never leave the temporary behind
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def is_zarr_path(path) -> bool:
    """Whether ``save`` writes ``path`` as zarr (its name ends in .zarr)."""
    return os.fspath(path).rstrip("/\\").endswith(".zarr")


def load(path) -> Saved:
    """Read a file written by ``save`` (JSON, or a zarr store directory); a ValueError names
    the file if it is not one."""
    path = os.fspath(path)
    if os.path.isdir(path):
        from .labelled import load_zarr

        return Saved(*load_zarr(path))
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        raise ValueError(f"results file {path!r} does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"results file {path!r} is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"results file {path!r} is not a regret results file (no \"format\": \"{FORMAT}\")")
    if doc.get("version") != VERSION:
        raise ValueError(f"results file {path!r} has format version {doc.get('version')!r}; "
                         f"this regret reads version {VERSION}")
    names = {f.name for f in dataclasses.fields(Result)}
    results = []
    for i, raw in enumerate(doc.get("results", [])):
        fields = _decode(raw)
        missing = {f.name for f in dataclasses.fields(Result)
                   if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING} - set(fields)
        if missing:
            raise ValueError(f"results file {path!r}: result {i} lacks {', '.join(sorted(missing))}")
        results.append(Result(**{k: v for k, v in fields.items() if k in names}))
    meta = {k: doc.get(k) for k in ("format", "version", "regret_version", "saved")}
    return Saved(results, _decode(doc.get("command")), meta)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _encode(obj):
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f":
            data = [v if np.isfinite(v) else str(v) for v in obj.ravel().tolist()]
        elif obj.dtype.kind in "biu":
            data = obj.ravel().tolist()
        else:
            raise TypeError(f"cannot store an array of dtype {obj.dtype}")
        return {"__array__": obj.dtype.str, "shape": list(obj.shape), "data": data}
    if isinstance(obj, dict):
        return {str(k): _encode(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, Configs)):
        return [_encode(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        # Non-finite scalars (a NaN regret of a frozen configuration, say) as tagged strings.
        return float(obj) if np.isfinite(obj) else {"__float__": str(float(obj))}
    if obj is None or isinstance(obj, str):
        return obj
    raise TypeError(f"cannot store a {type(obj).__name__} in a results file: {obj!r}")


def _decode(obj):
    if isinstance(obj, dict):
        if "__array__" in obj:
            dtype = np.dtype(obj["__array__"])
            data = [float(v) if isinstance(v, str) else v for v in obj["data"]]
            return np.array(data, dtype=dtype).reshape(obj["shape"])
        if set(obj) == {"__float__"}:
            return float(obj["__float__"])
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    return obj
