"""Plain JSON values from results: the one convention of every JSON ``regret`` prints or writes.

numpy scalars and arrays become Python numbers and lists; a non-finite float becomes the string
"nan", "inf" or "-inf", so the text stays standard JSON (``jq`` and JavaScript reject the bare
``NaN``/``Infinity`` that Python's json module would write) and the value is still told apart
from a missing one (``null``).  Anything else (a sympy expression, say) is its printed form.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def jsonable(value):
    """``value`` as plain JSON data (see the module docstring)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if type(value) is list and _plain_numbers(value):
        # the common case of a long curve: checked in one pass, copied only if it has a nan/inf
        return value if all(map(math.isfinite, value)) else [v if math.isfinite(v) else str(v) for v in value]
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [jsonable(v) for v in value]  # lists, tuples, ``result.Configs``
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else str(v)
    if value is None or isinstance(value, (int, str)):
        return value
    return str(value)


def _plain_numbers(values: list) -> bool:
    return all(type(v) is float or type(v) is int for v in values)
