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

Integrity: each stored result carries ``"digest"``, the SHA-256 of its canonical JSON text.
``load`` recomputes it; a result whose digest does not match was altered after it was saved
(by hand or by a broken disk) and is marked so: ``regret run --resume`` and
``regret.run(..., resume=...)`` refuse it, ``regret show`` says so.  This is an integrity check
against accidents, not a signature against an adversary.  Every field is also checked against
the schema of ``Result`` (types, shapes, ranges), so a damaged file is refused in one line
naming the field instead of failing later.

Atomicity: the document is written to a temporary file in the target's directory, flushed
and fsync'ed, then moved over the target with ``os.replace`` (atomic on POSIX and Windows), so
an interrupt or a crash leaves either the old file or the new one, never half of one.
SIGINT is held back while the file is written (it takes effect right after), and a temporary
left behind by a killed process (its name carries the writer's pid) is removed by the next save
to the same target.
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import math
import os
import re
import signal
import tempfile
import threading
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
    #: indices of the results whose digest is missing or does not match their content: altered
    #: after saving (or saved without one), so not to be resumed from
    altered: tuple[int, ...] = ()


def save(path, results: Result | Sequence[Result], command: dict | None = None) -> str:
    """Write ``results`` (one Result or a list) to ``path`` atomically; returns the path.

    A path ending in ``.zarr`` is written as a zarr store (``regret.labelled.save_zarr``: binary,
    chunked, for large sweeps; needs the ``sweeps`` extra), anything else as JSON."""
    items = [results] if isinstance(results, Result) else list(results)
    for r in items:
        if not isinstance(r, Result):
            raise TypeError(f"results must be Result objects, got {type(r).__name__}")
    path = os.fspath(path)
    fmt = format_of(path)
    if fmt is not None:
        return FORMATS[fmt][0](path, items, command)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"save path {path!r}: directory {folder!r} does not exist")
    encoded = [_encode({f.name: getattr(r, f.name) for f in dataclasses.fields(Result)}) for r in items]
    doc = {
        "format": FORMAT, "version": VERSION, "regret_version": __version__,
        "saved": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": _encode(command),
        "results": encoded,
        "digests": [digest(e) for e in encoded],
    }
    text = json.dumps(doc, allow_nan=False)
    base = os.path.basename(path)
    _remove_stale_temporaries(folder, base)
    with _sigint_held():
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{base}.{os.getpid()}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise ValueError(f"save path {path!r}: cannot write in {folder!r} ({exc.strerror})") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual mode
            os.replace(tmp, path)
        except BaseException as exc:  # KeyboardInterrupt included: never leave the temporary behind
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            if isinstance(exc, OSError):
                raise ValueError(f"save path {path!r}: cannot be written ({exc.strerror})") from None
            raise
    return path


def check_writable(option: str, path) -> str:
    """Fail before a long run, not after it, when its output could not be written: ``path``
    must name a file (not a directory) in an existing folder where this process can create one
    (tried for real, so /proc, read-only mounts and permissions are all caught)."""
    if not isinstance(path, (str, os.PathLike)) or os.fspath(path).strip() == "":
        raise ValueError(f"{option}={path!r}: give a file name")
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"{option}={path!r}: directory {folder!r} does not exist")
    if os.path.isdir(path):
        raise ValueError(f"{option}={path!r} is a directory; give a file name")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise ValueError(f"{option}={path!r} exists and is not writable")
    try:
        fd, probe = tempfile.mkstemp(prefix=".regret-probe.", dir=folder)
    except OSError as exc:
        raise ValueError(f"{option}={path!r}: cannot write in {folder!r} ({exc.strerror})") from None
    os.close(fd)
    os.unlink(probe)
    return path


#: other formats by file-name suffix: suffix → (save(path, results, command), load(path) →
#: (results, command, meta), recognise(path) → bool); ``regret.labelled`` registers ".zarr"
FORMATS: dict[str, tuple] = {}


def register_format(suffix: str, save_fn, load_fn, recognise) -> None:
    """Let ``save`` write paths ending in ``suffix`` with ``save_fn`` and ``load`` read the
    directories ``recognise`` accepts with ``load_fn``."""
    FORMATS[suffix] = (save_fn, load_fn, recognise)


def format_of(path) -> str | None:
    """The registered suffix ``save`` writes ``path`` with, or None for JSON."""
    name = os.fspath(path).rstrip("/\\")
    return next((suffix for suffix in FORMATS if name.endswith(suffix)), None)


def load(path) -> Saved:
    """Read a file written by ``save`` (JSON, or a zarr store directory); a ValueError names
    the file (and the field) if it is not one, or not a whole one.  Results whose digest does
    not match are listed in ``altered`` (JSON only: a zarr store carries no digest)."""
    path = os.fspath(path)
    if os.path.isdir(path):
        for suffix, (_, load_fn, recognise) in FORMATS.items():
            if recognise(path) or format_of(path) == suffix:
                return Saved(*load_fn(path))
        raise ValueError(f"results file {path!r} is a directory, neither a results file nor a "
                         f"{' or '.join(FORMATS) or 'zarr'} store")
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        raise ValueError(f"results file {path!r} does not exist") from None
    except IsADirectoryError:
        raise ValueError(f"results file {path!r} is a directory; give a file written by --save") from None
    except OSError as exc:
        raise ValueError(f"results file {path!r} cannot be read ({exc.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"results file {path!r} is not valid JSON ({exc})") from None
    except RecursionError:
        raise ValueError(f"results file {path!r} nests too deeply to be a regret results file") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"results file {path!r} is not a regret results file (no \"format\": \"{FORMAT}\")")
    if doc.get("version") != VERSION:
        raise ValueError(f"results file {path!r} has format version {doc.get('version')!r}; "
                         f"this regret reads version {VERSION}")
    raw_results = doc.get("results", [])
    if not isinstance(raw_results, list):
        raise ValueError(f"results file {path!r}: 'results' must be a list, got {type(raw_results).__name__}")
    digests = doc.get("digests")
    if digests is not None and (not isinstance(digests, list) or len(digests) != len(raw_results)):
        raise ValueError(f"results file {path!r}: 'digests' must be a list with one entry per result")
    names = {f.name for f in dataclasses.fields(Result)}
    results, altered = [], []
    for i, raw in enumerate(raw_results):
        if digests is None or digests[i] != digest(raw):
            altered.append(i)
        try:
            fields = _decode(raw)
        except (TypeError, ValueError, KeyError) as exc:
            raise ValueError(f"results file {path!r}: result {i} holds a malformed array ({exc})") from None
        if not isinstance(fields, dict):
            raise ValueError(f"results file {path!r}: result {i} is not an object")
        missing = {f.name for f in dataclasses.fields(Result)
                   if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING} - set(fields)
        if missing:
            raise ValueError(f"results file {path!r}: result {i} lacks {', '.join(sorted(missing))}")
        fields = {k: v for k, v in fields.items() if k in names}
        _schema(fields, f"results file {path!r}: result {i}")
        if i in altered and fields.get("resume_state") is not None:
            fields["resume_state"]["altered"] = True  # the engine refuses to resume from it
        results.append(Result(**fields))
    meta = {k: doc.get(k) for k in ("format", "version", "regret_version", "saved")}
    command = _decode(doc.get("command"))
    if command is not None and not isinstance(command, dict):
        raise ValueError(f"results file {path!r}: 'command' must be an object or null")
    return Saved(results, command, meta, tuple(altered))


def digest(encoded) -> str:
    """SHA-256 of the canonical JSON text of an encoded result (keys sorted, no spaces)."""
    text = json.dumps(encoded, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _schema(f: dict, where: str) -> None:
    """Check every field of a decoded result against ``Result``'s types, shapes and ranges."""
    def need(ok, field, what):
        if not ok:
            raise ValueError(f"{where}: field {field!r} {what}")

    def is_int(v):
        return isinstance(v, int) and not isinstance(v, bool)

    def array(name, ndim, kinds="f"):
        v = f.get(name)
        need(isinstance(v, np.ndarray) and v.ndim == ndim and v.dtype.kind in kinds, name,
             f"must be a {ndim}-d array of {'numbers' if kinds == 'f' else 'integers'}, got "
             f"{type(v).__name__ if not isinstance(v, np.ndarray) else f'shape {v.shape}, dtype {v.dtype}'}")
        return v

    for name in ("optimizer", "convention", "engine"):
        need(isinstance(f.get(name), str), name, f"must be a string, got {f.get(name)!r}")
    need(isinstance(f.get("problem"), dict) and isinstance(f["problem"].get("name"), str), "problem",
         "must be an object with a 'name'")
    need(is_int(f.get("T")) and f["T"] >= 1, "T", f"must be an integer >= 1, got {f.get('T')!r}")
    t = array("t", 1, "iu")
    need(np.all(np.diff(t) > 0) and (t.size == 0 or (t[0] >= 1 and t[-1] <= f["T"])), "t",
         f"must be increasing steps in [1, T={f['T']}]")
    K = t.size
    reg = array("regret", 2)
    B = reg.shape[1]
    for name in ("regret", "loss", "comparator"):
        need(array(name, 2).shape == (K, B), name, f"must have shape ({K}, {B}) (checkpoints, configurations)")
    x = array("x", 3)
    need(x.shape[:2] == (K, B), "x", f"must have shape ({K}, {B}, d)")
    need(array("eta", 3).shape == x.shape, "eta", f"must have the shape of x, {x.shape}")
    for name in ("expected_gap", "expected_regret"):
        if f.get(name) is not None:
            need(array(name, 2).shape == (K, B), name, f"must be null or have shape ({K}, {B})")
    for name in ("configs", "problem_configs"):
        v = f.get(name)
        need(isinstance(v, list) and len(v) == B and all(isinstance(c, dict) for c in v), name,
             f"must be a list of {B} objects (one per configuration)")
    faults = f.get("faults", [])
    need(isinstance(faults, list), "faults", "must be a list")
    for j, ft in enumerate(faults):
        need(isinstance(ft, dict) and is_int(ft.get("config")) and 0 <= ft["config"] < B
             and is_int(ft.get("t")) and 1 <= ft["t"] <= f["T"] and isinstance(ft.get("quantity"), str),
             "faults", f"entry {j} must be {{config: 0..{B - 1}, t: 1..T, quantity: name}}, got {ft!r}")
    need(isinstance(f.get("seconds", 0.0), (int, float)) and not isinstance(f.get("seconds", 0.0), bool),
         "seconds", "must be a number")
    need(isinstance(f.get("provenance", {}), dict), "provenance", "must be an object")
    need(isinstance(f.get("interrupted", False), bool), "interrupted", "must be true or false")
    rs = f.get("resume_state")
    need(rs is None or (isinstance(rs, dict) and isinstance(rs.get("tracker"), dict)), "resume_state",
         "must be null or an object holding a 'tracker'")


_PID = re.compile(r"\.(\d+)\.[^.]+\.tmp$")


def _remove_stale_temporaries(folder: str, base: str) -> None:
    """Remove ``.BASE.PID.*.tmp`` files whose writer process no longer exists (a SIGKILL)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not name.startswith(f".{base}."):
            continue
        m = _PID.search(name[len(base) + 1:])
        if m is None:
            continue
        pid = int(m.group(1))
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
            continue  # that writer still runs
        except ProcessLookupError:
            pass
        except (PermissionError, OSError):
            continue
        try:
            os.unlink(os.path.join(folder, name))
        except OSError:
            pass


class _sigint_held:
    """Hold SIGINT back while a file is written: a Ctrl-C meanwhile is remembered and handed to
    the previous handler on exit (a Python handler, not a signal mask: in a process with other
    threads the kernel would deliver a masked SIGINT to one of them).  Main thread only."""

    def __enter__(self):
        self.pending = []
        self.on = threading.current_thread() is threading.main_thread()
        if self.on:
            self.previous = signal.signal(signal.SIGINT, lambda signum, frame: self.pending.append(frame))
        return self

    def __exit__(self, *exc):
        if self.on:
            signal.signal(signal.SIGINT, self.previous)
            if self.pending and callable(self.previous):
                self.previous(signal.SIGINT, self.pending[0])
            elif self.pending and self.previous == signal.SIG_DFL:
                os.kill(os.getpid(), signal.SIGINT)
        return False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _encode(obj):
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f":
            data = obj.ravel().tolist()
            if not np.all(np.isfinite(obj)):  # rare: only then the per-element pass
                data = [v if math.isfinite(v) else str(v) for v in data]
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
