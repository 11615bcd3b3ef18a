"""Loading a user's module for the CLI: ``regret --plugin MODULE ...``.

MODULE is an importable module name (``my_package.optimizers``) or the path of a ``.py`` file.
Loading it runs its top level, where it calls ``regret.register_optimizer`` /
``regret.register_problem``; the CLI loads every ``--plugin`` before it parses any spec, so the
names it registers work in ``--optimizer``, ``--problem``, ``regret list`` and ``--resume``
(a saved run is resumed with the same ``--plugin``).  The contract: docs/EXTENDING.md.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from types import ModuleType

_LOADED: dict[str, ModuleType] = {}


def load(spec: str) -> ModuleType:
    """Import ``spec`` (a module name or a .py path) once; ValueError naming it on any failure."""
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"--plugin={spec!r} must be a module name or the path of a .py file")
    spec = spec.strip()
    key = os.path.abspath(spec) if spec.endswith(".py") or os.sep in spec else spec
    if key in _LOADED:
        return _LOADED[key]
    try:
        if key != spec or os.path.isfile(spec):
            if not os.path.isfile(key):
                raise ValueError(f"--plugin={spec!r}: no such file")
            name = "regret_plugin_" + "".join(c if c.isalnum() else "_" for c in os.path.splitext(os.path.basename(key))[0])
            found = importlib.util.spec_from_file_location(name, key)
            module = importlib.util.module_from_spec(found)
            sys.modules[name] = module  # numba and pickle look modules up by name
            try:
                found.loader.exec_module(module)
            except BaseException:
                sys.modules.pop(name, None)
                raise
        else:
            module = importlib.import_module(spec)
    except ValueError as exc:
        if str(exc).startswith("--plugin="):
            raise
        raise ValueError(f"--plugin={spec!r} failed while loading: {type(exc).__name__}: {exc}") from None
    except ModuleNotFoundError as exc:
        raise ValueError(f"--plugin={spec!r}: {exc} (give an importable module name or the path of a .py file)") from None
    except Exception as exc:  # noqa: BLE001 - a user's module can raise anything: one line, exit 2
        raise ValueError(f"--plugin={spec!r} failed while loading: {type(exc).__name__}: {exc}") from None
    _LOADED[key] = module
    return module


def split_argv(argv: list[str]) -> tuple[list[str], list[str]]:
    """(plugin specs, the remaining arguments): every ``--plugin X`` / ``--plugin=X``, wherever
    it stands (before or after the subcommand), so the plugins load before anything is parsed."""
    plugins, rest, i = [], [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--plugin":
            if i + 1 >= len(argv):
                raise ValueError("--plugin needs a value: a module name or the path of a .py file")
            plugins.append(argv[i + 1])
            i += 2
            continue
        if a.startswith("--plugin="):
            plugins.append(a.split("=", 1)[1])
        else:
            rest.append(a)
        i += 1
    return plugins, rest
