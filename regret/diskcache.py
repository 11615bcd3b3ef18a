"""numba's on-disk cache for the compiled loops of ``regret.fused`` and ``regret.engine.compiled``.

numba keys a closure's cache entry by its source file, qualified name and pickled closure values,
not by the source of the rules it calls, so a changed kernel rule or step helper would load a
stale loop.  Each loop therefore gets a folder of its own under ``cache_dir()`` whose name (the
*stem*) hashes everything the loop depends on; its builder computes the stem, this module only
points numba's cache there.  A loop may be cached only if its closure pickles by reference (it
holds importable ``register_jitable`` functions, ints and tuples, never a dispatcher, whose pickled
form carries a uuid4 new in each process).
"""
from __future__ import annotations

import os
from pathlib import Path

from numba.core.caching import CompileResultCacheImpl, FunctionCache, UserProvidedCacheLocator


def cache_dir() -> Path:
    """``$REGRET_CACHE_DIR/fused`` (default ``~/.cache/regret/fused``): numba's cache of the loops."""
    root = os.environ.get("REGRET_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "regret")
    return Path(root) / "fused"


def cache_on_disk(dispatcher, py_func, stem: str) -> None:
    """Give ``dispatcher`` (the ``njit`` of ``py_func``) numba's disk cache in ``cache_dir()/stem``.
    An unusable cache (a read-only home, say) only costs a compile, so it is not an error."""
    py_func._regret_cache_stem = stem
    try:
        dispatcher._cache = _LoopCache(py_func)
    except Exception:  # noqa: BLE001 - see the docstring
        pass


class _Locator(UserProvidedCacheLocator):
    def __init__(self, py_func, py_file):
        super().__init__(py_func, py_file)
        self._cache_path = str(cache_dir() / py_func._regret_cache_stem)

    @classmethod
    def from_function(cls, py_func, py_file):
        return cls(py_func, py_file) if getattr(py_func, "_regret_cache_stem", None) else None


class _LoopCacheImpl(CompileResultCacheImpl):
    _locator_classes = [_Locator]


class _LoopCache(FunctionCache):
    _impl_class = _LoopCacheImpl
