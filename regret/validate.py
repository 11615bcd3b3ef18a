"""Validation of user input at the library boundary.

Every check raises ``ValueError`` (or ``TypeError`` for a wrong kind of object) whose message
names the parameter, the offending value and what is allowed, so that the CLI can print it as
one line.  Kernels, problems and the engine call these instead of writing their own messages.
"""
from __future__ import annotations

import difflib
from typing import Iterable

import numpy as np


def as_float_array(name: str, value) -> np.ndarray:
    """``value`` as a float64 array (scalar → 0-d), or an error naming ``name``.

    Booleans are refused although numpy would read them as 0 and 1: ``lr=true`` is a mistake,
    not a learning rate of 1.  An empty sequence is refused too: a sweep of no configurations
    has nothing to run (and would divide by its length further on)."""
    if callable(value) or isinstance(value, (str, bytes, dict)):
        raise TypeError(f"{name}={value!r} is not a number or an array of numbers")
    try:
        raw = np.asarray(value)
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"{name}={_short(value)} is not a number or an array of numbers") from None
    if raw.dtype.kind == "b" or _has_bool(value):
        raise TypeError(f"{name}={_short(value)} holds a boolean (true/false); give a number")
    if arr.size == 0:
        raise ValueError(f"{name}={_short(value)} is empty; give a number or a non-empty list of numbers")
    return arr


def _has_bool(value) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_bool(v) for v in value)
    return False


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def finite(name: str, value) -> np.ndarray:
    arr = as_float_array(name, value)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}={_show(value)} must be finite")
    return arr


def in_range(name: str, value, lo=None, hi=None, *, lo_open=False, hi_open=False) -> np.ndarray:
    """Check lo ≤ value ≤ hi elementwise (strict where ``*_open``) and return it as float64."""
    arr = finite(name, value)
    bad = np.zeros(arr.shape, dtype=bool)
    if lo is not None:
        bad |= (arr <= lo) if lo_open else (arr < lo)
    if hi is not None:
        bad |= (arr >= hi) if hi_open else (arr > hi)
    if np.any(bad):
        offending = arr[bad].flat[0] if arr.ndim else arr.item()
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        allowed = f"{left}{'-inf' if lo is None else _num(lo)}, {'inf' if hi is None else _num(hi)}{right}"
        raise ValueError(f"{name}={_num(offending)} is outside the allowed range {allowed}")
    return arr


def positive_int(name: str, value, *, minimum: int = 1) -> int:
    """An integer ≥ ``minimum``; accepts integral floats such as 1e7 (CLI input)."""
    if isinstance(value, bool):
        raise TypeError(f"{name}={value!r} must be an integer >= {minimum}")
    if isinstance(value, str):
        try:
            value = float(value) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            raise ValueError(f"{name}={value!r} must be an integer >= {minimum}") from None
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value) or value != int(value):
            raise ValueError(f"{name}={value!r} must be an integer >= {minimum}")
        value = int(value)
    if not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}={value!r} must be an integer >= {minimum}")
    if value < minimum:
        raise ValueError(f"{name}={value} must be an integer >= {minimum}")
    return int(value)


def choice(name: str, value, allowed: Iterable[str]) -> str:
    """``value`` if it is one of ``allowed``, else a ValueError that suggests the closest."""
    allowed = list(allowed)
    if isinstance(value, str) and value in allowed:
        return value
    hint = ""
    if isinstance(value, str):
        close = difflib.get_close_matches(value, allowed, n=1)
        if close:
            hint = f" (did you mean {close[0]!r}?)"
    raise ValueError(f"{name}={value!r} is not one of {', '.join(map(repr, allowed))}{hint}")


def batch_size(sizes: dict[str, int]) -> int:
    """The common batch size of several batched inputs: each is 1 or the same B."""
    big = {k: b for k, b in sizes.items() if b != 1}
    if len(set(big.values())) > 1:
        desc = ", ".join(f"{k} has {b}" for k, b in big.items())
        raise ValueError(f"batch sizes do not match ({desc}); each must be 1 or the same B")
    return max(big.values(), default=1)


def _num(v) -> str:
    return f"{float(v):.10g}"


def _show(value) -> str:
    arr = np.asarray(value)
    return _num(arr) if arr.ndim == 0 else np.array2string(arr, threshold=6)


def keywords(what: str, name: str, factory, params: dict) -> None:
    """Reject keyword arguments that ``factory`` does not take, suggesting the closest."""
    import inspect

    sig = inspect.signature(factory)
    if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        return
    allowed = [p for p in sig.parameters if p != "self"]
    for key in params:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"{what} {name!r} has no parameter {key!r}{hint}; allowed: {', '.join(allowed)}")


def build(what: str, name: str, registry: dict, params: dict):
    """``registry[name](**params)`` after checking the name (with a did-you-mean hint) and that
    every keyword is one the factory takes: the one way registries build their entries."""
    choice(what, name, registry)
    factory = registry[name]
    keywords(what, name, factory, params)
    return factory(**params)


def register(what: str, name, factory, registry: dict, builtin=frozenset()) -> None:
    """Add ``factory`` to ``registry`` under ``name`` after checking both: a non-empty name that
    the command line can carry (no whitespace, none of ``: , = [ ] ( )``), not one of the
    ``builtin`` names, and a callable factory.  A name registered before by the user is replaced,
    so re-running a notebook cell or a plugin works."""
    if not isinstance(name, str) or not name or any(c.isspace() or c in ":,=[]()" for c in name):
        raise ValueError(f"{what} name={name!r} must be a non-empty string without spaces or any of : , = [ ] ( )")
    if name in builtin:
        raise ValueError(f"{what} name={name!r} is a built-in {what}; choose another name")
    if not callable(factory):
        raise TypeError(f"{what} factory={factory!r} must be callable (it is called with the keyword options)")
    registry[name] = factory


def take_indices(indices, batch: int) -> np.ndarray:
    """``indices`` as a non-empty 1-d int64 array of positions in [0, batch) (ValueError if not)."""
    idx = np.asarray(indices)
    if idx.ndim != 1 or len(idx) == 0 or not (np.issubdtype(idx.dtype, np.integer)):
        raise ValueError(f"indices must be a non-empty 1-d array of integers, got {np.shape(idx)} {idx.dtype}")
    if idx.min() < 0 or idx.max() >= batch:
        raise ValueError(f"indices must lie in [0, {batch}), got {int(idx.min())}..{int(idx.max())}")
    return idx.astype(np.int64)


def slice_kwargs(kwargs: dict, batch: int, idx: np.ndarray) -> dict:
    """Each keyword that is a 1-d sequence of numbers of length ``batch`` replaced by its
    entries at ``idx`` (as an array); everything else unchanged."""
    out = {}
    for k, v in kwargs.items():
        if isinstance(v, (list, tuple, np.ndarray)) and not isinstance(v, str):
            arr = np.asarray(v)
            if arr.ndim == 1 and len(arr) == batch and arr.dtype.kind in "biuf":
                out[k] = arr[idx]
                continue
        out[k] = v
    return out
