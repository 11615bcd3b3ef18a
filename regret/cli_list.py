"""``regret list [optimizers|problems] [NAME]``: what ``--optimizer``/``--problem`` accept.

Each registered name with its options (the factory's keyword arguments, with their defaults) and
the first line of its docstring, read from the registries themselves, so the listing cannot fall
behind the code.  ``NAME`` shows one entry with its whole docstring (the update rule, conventions
and paper for an optimizer).
"""
from __future__ import annotations

import inspect

from . import validate

KINDS = ("optimizers", "problems")


def register(sub) -> None:
    p = sub.add_parser("list", help="list the optimizers and problems with their options and defaults")
    p.add_argument("kind", nargs="?", metavar="KIND", help="optimizers | problems (default: both)")
    p.add_argument("name", nargs="?", metavar="NAME", help="one entry, with its whole docstring")
    p.set_defaults(func=cmd_list)


def _registry(kind: str) -> dict:
    from .kernels import OPTIMIZERS
    from .problems import PROBLEMS

    return {"optimizers": OPTIMIZERS, "problems": PROBLEMS}[kind]


def options(factory) -> str:
    """``k=default`` for every keyword option of a factory (``**inner`` as ``...``)."""
    parts = []
    for p in inspect.signature(factory).parameters.values():
        if p.kind is p.VAR_KEYWORD:
            parts.append(f"(options of {p.name.replace('_hparams', '')})")
        elif p.default is p.empty:
            parts.append(f"{p.name} (required)")
        else:
            parts.append(f"{p.name}={p.default!r}" if isinstance(p.default, str) else f"{p.name}={p.default}")
    return ", ".join(parts)


def _summary(factory) -> str:
    doc = inspect.getdoc(factory) or inspect.getdoc(inspect.getmodule(factory)) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def cmd_list(args) -> int:
    kind = args.kind if args.kind is None or args.kind.endswith("s") else args.kind + "s"
    kinds = KINDS if kind is None else (validate.choice("kind", kind, KINDS),)
    if args.name is not None:
        reg = _registry(kinds[0])
        name = validate.choice(kinds[0][:-1], args.name, reg)
        factory = reg[name]
        print(f"{name}: {options(factory)}\n")
        print(inspect.getdoc(factory) or "(no docstring)")
        module_doc = inspect.getdoc(inspect.getmodule(factory))
        if module_doc:  # where the update rule, its conventions and the paper are written
            print(f"\n--- {inspect.getmodule(factory).__name__} ---\n{module_doc}")
        return 0
    for kind in kinds:
        print(f"{kind} (--{kind[:-1]} NAME[:k=v,...]; [a,b] sweeps a value):")
        for name, factory in _registry(kind).items():
            print(f"  {name:<16} {_summary(factory)}")
            print(f"  {'':<16} {options(factory)}")
    return 0
