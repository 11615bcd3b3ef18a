"""The ``NAME:k=v,k=v`` option strings of the command line.

The one quoting rule: **options are separated by the commas at top level** — a comma inside
brackets ``[...]``, parentheses ``(...)``, braces ``{...}`` or quotes ``"..."`` / ``'...'`` belongs
to the value.  So lists, nested lists and schedule expressions need no escaping of their own;
the whole spec is single-quoted once for the shell::

    --problem 'periodic:pattern=[[3,0.5],[-1,0.2],[-1,-0.9]]'
    --optimizer 'adabound:lower=0.1-0.1/(t+1),upper=0.1+0.1/t,convention=theory'
    --optimizer 'adabound:lower=Max(0.05,0.1-0.1/t),upper=Piecewise((1,t<=10),(0.1,True))'

A value is read, in order, as:

* a literal: ``true``/``false`` (any case) → bool; a number (``0.9``, ``1e-3``, ``3``) → float or
  int; a fraction of two numbers ``1/10`` → float; a list ``[a,b,...]`` (nested to any depth) →
  a list whose entries follow the same rules (a list at top level is a sweep: one configuration
  per entry); a quoted string ``"..."`` or ``'...'`` → the text inside, verbatim (for a value
  that would otherwise read as a number or a list).  Literals are read by ``json.loads`` or
  ``ast.literal_eval`` (a parser, never ``eval``);
* anything else → the text itself: a name (``schedule=inv_sqrt``) or an expression of t
  (``lower=0.1-0.1/(t+1)``), which the option's own parser reads (schedules:
  ``regret.schedules.as_schedule``, the safe parser of ``proofs.schedule_check``).

Only the first ``=`` of an option separates key and value (``t<=10`` inside a value is kept).
"""
from __future__ import annotations

import ast
import json
import re

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_OPEN, _CLOSE = "([{", ")]}"


def parse_spec(text: str, what: str) -> tuple[str, dict]:
    """``"adam:beta1=0,beta2=[0.9,0.99]"`` → ``("adam", {"beta1": 0, "beta2": [0.9, 0.99]})``."""
    name, _, rest = text.partition(":")
    name = name.strip()
    if not _NAME.match(name):
        raise ValueError(f"--{what} {text!r}: expected NAME or NAME:key=value,...")
    opts: dict = {}
    for item in split_top_level(rest, f"--{what} {text!r}"):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or not _KEY.match(key):
            raise ValueError(f"--{what} {text!r}: option {item!r} is not of the form key=value "
                             "(options are separated by commas outside brackets, parentheses and quotes)")
        if key in opts:
            raise ValueError(f"--{what} {text!r}: option {key!r} is given twice")
        opts[key] = parse_value(value.strip(), f"{what} option {key}")
    return name, opts


def parse_value(value: str, where: str):
    """One option value by the rules of the module docstring."""
    if value == "":
        raise ValueError(f"{where}: empty value")
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    if _NUMBER.match(value):
        return int(value) if re.match(r"^[+-]?\d+$", value) else float(value)
    num, slash, den = value.partition("/")
    if slash and _NUMBER.match(num.strip()) and _NUMBER.match(den.strip()):
        if float(den) == 0:
            raise ValueError(f"{where}={value!r}: division by zero")
        return float(num) / float(den)
    if value.startswith("["):
        if not value.endswith("]"):
            raise ValueError(f"{where}={value!r}: a list must be written [a,b,...] (brackets balanced)")
        literal = _literal(value)
        if literal is not None:
            return literal
        items = split_top_level(value[1:-1], f"{where}={value!r}")
        if not items:
            raise ValueError(f"{where}={value!r}: empty list")
        return [parse_value(v.strip(), where) for v in items]
    return value


def _literal(value: str):
    """A JSON or Python literal list (numbers, bools, nested lists), else None."""
    for read in (json.loads, ast.literal_eval):
        try:
            out = read(value)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(out, list):
            if not out:
                raise ValueError(f"{value!r}: empty list")
            return out
    return None


def split_top_level(rest: str, where: str) -> list[str]:
    """Split on the commas outside brackets, parentheses, braces and quotes (empty items dropped)."""
    items, stack, cur, quote = [], [], [], None
    for ch in rest:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in _OPEN:
            stack.append(_CLOSE[_OPEN.index(ch)])
        elif ch in _CLOSE:
            if not stack or stack.pop() != ch:
                raise ValueError(f"{where}: unbalanced {ch!r}")
        elif ch == "," and not stack:
            items.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    if quote:
        raise ValueError(f"{where}: unclosed quote {quote}")
    if stack:
        raise ValueError(f"{where}: unbalanced {' '.join(repr(_OPEN[_CLOSE.index(c)]) for c in stack)}")
    items.append("".join(cur))
    return [i for i in items if i.strip()]
