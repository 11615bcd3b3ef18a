"""The one place where source text becomes compiled code.

Two things are still generated: the fused engine's vectorised loops
(``regret.fused.generate_source``, one per stride pattern; the other fused loops are plain
``@njit`` closures, see ``regret.fused``), and
Lookahead's composed rule (``kernels.lookahead.composed_rule``, a three-line function whose
argument list is the inner rule's plus three).  Everything else is ordinary ``@njit`` code
(the paper's AdaBound band, the step operations of ``regret.steps``).

Why a file on disk: numba's on-disk cache (``cache=True``) is keyed by a function's module file
and qualified name, so a generated loop is written to ``cache_dir()`` under a name that hashes
everything it depends on, and imported from there; a second process then loads the machine code
instead of compiling it again.  A rule that cannot be imported by name (defined inside a
function) is compiled from the same source with ``exec_generated``, without the disk cache.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path


def cache_dir() -> Path:
    """``$REGRET_CACHE_DIR/fused`` (default ``~/.cache/regret/fused``): generated modules and numba's cache."""
    root = os.environ.get("REGRET_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "regret")
    return Path(root) / "fused"


def load_generated(src: str, stem: str, attr: str = "advance"):
    """Write ``src`` to the cache directory (once, atomically), import it under a fixed name,
    registered in sys.modules so that numba's cache can rebuild its environment in a new process,
    and return its function ``attr``."""
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.py"
    if not path.exists() or path.read_text() != src:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(src)
        os.replace(tmp, path)  # a concurrent process sees the whole file or none
    name = f"regret_fused_cache_{stem}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return getattr(module, attr)


def exec_generated(src: str, namespace: dict, label: str, attr: str = "advance"):
    """Compile ``src`` in ``namespace`` (which binds what the source does not import) and return
    its function ``attr``: the path of functions that have no importable name, not cached on disk."""
    exec(compile(src, f"<regret generated: {label}>", "exec"), namespace)
    return namespace[attr]
