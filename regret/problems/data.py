"""Data for the learning problems: user arrays and files, scikit-learn's bundled sets, a generator.

* ``load_array(name, value)``: an array, or a path to a .npy, .npz (one array, or the key given
  as ``path.npz:key``) or .csv (comma-separated numbers, an optional non-numeric header line)
  file; every failure (missing, unreadable, malformed, non-numeric, NaN/Inf) is a ValueError
  naming the parameter.
* ``load_xy(name, value)``: features and targets: an .npz with arrays ``A`` (or ``X``) and
  ``y``, or a .csv/.npy whose last column is y.
* ``bundled(name)``: scikit-learn's small data sets that ship inside the package (no download):
  iris (setosa vs the rest, labels ±1), breast_cancer (labels ±1), diabetes (regression
  target); features standardised to mean 0 and variance 1.  Needs the ``data`` extra.
* ``generate(...)``: a seeded linear model y = <a, w*> + noise with controlled dimension,
  sparsity of the rows a, condition number of E[aaᵀ] (feature scales geometric from 1 to
  1/√cond) and, for classification, labels y = sign(<a, w*>) with a margin: rows with
  |<a, w*>| < margin·‖w*‖ are pushed out to the margin (separable data for margin > 0).
"""
from __future__ import annotations

import os

import numpy as np

from .. import validate
from .sampling import block_rng

BUNDLED = ("iris", "breast_cancer", "diabetes")


class _Own(ValueError):
    """A message of ours about a data file (numpy's own ValueErrors are rephrased)."""


def _read_file(name: str, path: str) -> np.ndarray:
    key = None
    base = path
    if ".npz:" in path:
        base, _, key = path.partition(".npz:")
        base += ".npz"
    if not os.path.exists(base):
        raise _Own(f"{name}={path!r}: no such file")
    ext = os.path.splitext(base)[1].lower()
    try:
        if ext == ".npy":
            arr = np.load(base, allow_pickle=False)
        elif ext == ".npz":
            with np.load(base, allow_pickle=False) as z:
                keys = list(z.keys())
                if key is None:
                    if len(keys) != 1:
                        raise _Own(f"{name}={path!r} holds arrays {keys}; name one as {base}:KEY")
                    key = keys[0]
                if key not in keys:
                    raise _Own(f"{name}={path!r}: no array {key!r} in the file (it holds {keys})")
                arr = z[key]
        elif ext == ".csv":
            arr = _read_csv(name, base)
        else:
            raise _Own(f"{name}={path!r}: expected a .npy, .npz or .csv file")
    except _Own:
        raise
    except Exception as exc:  # noqa: BLE001 - a corrupt file is the user's to fix: say so in one line
        raise _Own(f"{name}={path!r} could not be read ({type(exc).__name__}: {exc})") from None
    return arr


def _read_csv(name: str, path: str) -> np.ndarray:
    rows = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            cells = [c.strip() for c in line.split(",")]
            try:
                rows.append([float(c) for c in cells])
            except ValueError:
                if not rows and lineno == 1:
                    continue  # a header line
                bad = next(c for c in cells if not _is_number(c))
                raise _Own(f"{name}={path!r} line {lineno}: {bad!r} is not a number") from None
            if len(rows[-1]) != len(rows[0]):
                raise _Own(f"{name}={path!r} line {lineno}: {len(rows[-1])} columns, the first row has "
                                 f"{len(rows[0])}")
    if not rows:
        raise _Own(f"{name}={path!r} holds no numbers")
    return np.array(rows, dtype=np.float64)


def _is_number(c: str) -> bool:
    try:
        float(c)
        return True
    except ValueError:
        return False


def load_array(name: str, value) -> np.ndarray:
    """``value`` (array-like or a file path) as a finite float64 array."""
    if isinstance(value, (str, os.PathLike)):
        value = _read_file(name, os.fspath(value))
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must hold numbers, got dtype {arr.dtype}") from None
    arr = arr.astype(np.float64)
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(arr)):
        where = np.argwhere(~np.isfinite(arr))[0].tolist()
        raise ValueError(f"{name} holds a non-finite value (NaN or Inf) at index {where}")
    return arr


def load_xy(name: str, value) -> tuple[np.ndarray, np.ndarray]:
    """(A, y) from an .npz with arrays A (or X) and y, or a 2-d array/file whose last column is y."""
    if isinstance(value, str) and value.lower().endswith(".npz") and os.path.exists(value):
        try:
            with np.load(value, allow_pickle=False) as z:
                keys = list(z.keys())
                a_key = "A" if "A" in keys else "X" if "X" in keys else None
                if a_key is None or "y" not in keys:
                    raise _Own(f"{name}={value!r} must hold arrays 'A' (or 'X') and 'y'; it holds {keys}")
                A, y = z[a_key], z["y"]
        except _Own:
            raise
        except Exception as exc:  # noqa: BLE001
            raise ValueError(f"{name}={value!r} could not be read ({type(exc).__name__}: {exc})") from None
        return load_array(f"{name} (A)", A), load_array(f"{name} (y)", y)
    M = load_array(name, value)
    if M.ndim != 2 or M.shape[1] < 2:
        raise ValueError(f"{name} must be a table of rows [a_1, ..., a_d, y] (shape (n, d+1), d >= 1), "
                         f"got shape {M.shape}")
    return M[:, :-1].copy(), M[:, -1].copy()


def bundled(name: str) -> tuple[np.ndarray, np.ndarray, str]:
    """(A, y, task) of a scikit-learn bundled data set; task is 'classification' or 'regression'."""
    name = validate.choice("data", name, BUNDLED)
    try:
        from sklearn import datasets
    except ImportError:
        raise ValueError(f"data={name!r} needs scikit-learn: pip install 'regret[data]'") from None
    loader = {"iris": datasets.load_iris, "breast_cancer": datasets.load_breast_cancer,
              "diabetes": datasets.load_diabetes}[name]
    A, y = loader(return_X_y=True)
    A = np.asarray(A, dtype=np.float64)
    A = (A - A.mean(axis=0)) / np.where(A.std(axis=0) > 0, A.std(axis=0), 1.0)
    if name == "iris":
        return A, np.where(y == 0, 1.0, -1.0), "classification"
    if name == "breast_cancer":
        return A, np.where(y == 1, 1.0, -1.0), "classification"
    y = np.asarray(y, dtype=np.float64)
    return A, (y - y.mean()) / y.std(), "regression"


def generate(n: int = 1000, d: int = 10, task: str = "regression", sparsity: float = 0.0, cond: float = 1.0,
             noise: float = 0.1, margin: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(A, y, w*) of a seeded linear model; see the module docstring.

    Rows a_j: standard normal entries times the scales σ_i = cond^{−i/(2(d−1))} (so E[aaᵀ] =
    diag(σ²) has condition number ``cond``), each entry zero with probability ``sparsity``.
    w* ~ N(0, I)/√d.  Regression: y = <a, w*> + noise·N(0, 1).  Classification: y = sign(<a, w*>)
    (flipped with probability ``noise``), rows within ``margin``·‖w*‖ of the separating plane
    moved to it (so margin > 0 and noise = 0 give linearly separable data).
    """
    n = validate.positive_int("n", n)
    d = validate.positive_int("d", d)
    task = validate.choice("task", task, ("regression", "classification"))
    sparsity = float(validate.in_range("sparsity", sparsity, 0, 1, hi_open=True))
    cond = float(validate.in_range("cond", cond, 1))
    noise = float(validate.in_range("noise", noise, 0))
    margin = float(validate.in_range("margin", margin, 0))
    rng = block_rng(int(validate.positive_int("seed", seed, minimum=0)), 0)
    sig = cond ** (-np.arange(d) / (2.0 * max(d - 1, 1)))
    A = rng.standard_normal((n, d)) * sig
    if sparsity > 0:
        A *= rng.random((n, d)) >= sparsity
    w = rng.standard_normal(d) / np.sqrt(d)
    z = A @ w
    if task == "regression":
        return A, z + noise * rng.standard_normal(n), w
    y = np.where(z >= 0, 1.0, -1.0)
    if margin > 0:
        wn = np.linalg.norm(w)
        gap = margin * wn - np.abs(z)
        push = gap > 0
        A[push] += (y[push] * gap[push] / wn ** 2)[:, None] * w
    if noise > 0:
        y = np.where(rng.random(n) < min(noise, 1.0), -y, y)
    return A, y, w
