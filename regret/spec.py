"""The ``NAME:k=v,k=v`` option strings of the command line.

Values are read as: ``true``/``false`` → bool; ``[a,b,c]`` → a list (a sweep: one configuration
per entry); a number (``0.9``, ``1e-3``, ``3``) or a fraction ``1/10`` → float (int when written
as an integer); anything else → the string itself (e.g. ``schedule=inv_sqrt``).
"""
from __future__ import annotations

import re

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_spec(text: str, what: str) -> tuple[str, dict]:
    """``"adam:beta1=0,beta2=[0.9,0.99]"`` → ``("adam", {"beta1": 0, "beta2": [0.9, 0.99]})``."""
    name, _, rest = text.partition(":")
    name = name.strip()
    if not _NAME.match(name):
        raise ValueError(f"--{what} {text!r}: expected NAME or NAME:key=value,...")
    opts: dict = {}
    for item in _split(rest, text, what):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or not _KEY.match(key):
            raise ValueError(f"--{what} {text!r}: option {item!r} is not of the form key=value")
        if key in opts:
            raise ValueError(f"--{what} {text!r}: option {key!r} is given twice")
        opts[key] = parse_value(value.strip(), f"{what} option {key}")
    return name, opts


def parse_value(value: str, where: str):
    if value == "":
        raise ValueError(f"{where}: empty value")
    if value.startswith("["):
        if not value.endswith("]"):
            raise ValueError(f"{where}={value!r}: a list must be written [a,b,...]")
        items = [v.strip() for v in value[1:-1].split(",") if v.strip()]
        if not items:
            raise ValueError(f"{where}={value!r}: empty list")
        return [parse_value(v, where) for v in items]
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    if "/" in value:
        num, _, den = value.partition("/")
        try:
            return float(num) / float(den)
        except (ValueError, ZeroDivisionError):
            return value
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return value


def _split(rest: str, text: str, what: str) -> list[str]:
    """Split on commas that are not inside [...]."""
    items, depth, cur = [], 0, ""
    for ch in rest:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth < 0:
                raise ValueError(f"--{what} {text!r}: unbalanced ']'")
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    if depth:
        raise ValueError(f"--{what} {text!r}: unbalanced '['")
    items.append(cur)
    return [i for i in items if i.strip()]
