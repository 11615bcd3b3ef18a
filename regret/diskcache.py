"""numba's on-disk cache for the compiled loops of ``regret.fused`` and ``regret.engine.compiled``.

numba keys a closure's cache entry by its source file, qualified name and pickled closure values,
not by the source of the rules it calls, so a changed kernel rule or step helper would load a
stale loop.  Each loop therefore gets a folder of its own under ``cache_dir()`` whose name (the
*stem*) hashes everything the loop depends on; its builder computes the stem (with
``source_digest``), this module only points numba's cache there.  A loop may be cached only if
its closure pickles by reference (it holds importable ``register_jitable`` functions, ints and
tuples, never a dispatcher, whose pickled form carries a uuid4 new in each process).

What the stem covers (``source_digest``): every source file that the code of the functions a
loop closes over can reach, found by walking their code objects (and the nested ones, e.g. the
loop defined inside its builder) and looking each name they use up in the function's globals,
its closure cells and defaults.  A function (plain, ``register_jitable``, a numba dispatcher's
``py_func``) contributes its file and is walked in turn; a module used as ``module.attr``
contributes its file and the attributes the code names; a tuple of such things is walked item by
item; a constant that numba would freeze into the loop (a number, string, ``None``, an array,
a tuple of those), wherever it was imported from, contributes its value.  Files of the standard
library, of numpy and numba (their versions are in the stem) and of other installed packages in
site-packages (their version is) are recorded, not read or walked.  So a rule in ``mymod.py``
that calls ``from myhelpers import clip_step`` gets a new folder when ``myhelpers.py`` changes.

What it cannot cover, and where a changed dependency still loads a stale loop: a function
reached by name at run time (``getattr(module, "name")``, ``globals()[...]``, ``eval``), which no
code object names; an ``@overload`` or ``@intrinsic`` implementation registered in a module that
the rule's code never names; data files a helper reads at import; an installed (site-packages)
package changed without a new version; a module changed in a running process after the loop
was built (the in-memory loop is kept: restart, or ``importlib.reload`` the rule's module, which
makes new function objects).  A function whose source is no file (``exec``, the prompt) cannot
be covered at all: ``source_digest`` returns None and the loop is compiled without the disk
cache.  Mutable containers (dicts, lists) are not walked: numba cannot call through them, and
their contents (e.g. the in-memory tables of built loops) differ between processes.
"""
from __future__ import annotations

import hashlib
import os
import sys
import sysconfig
import types
from pathlib import Path

import numba
import numpy as np

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


# ---- the stem's material ------------------------------------------------------------------------

#: top-level packages whose files are never read: their versions are in every digest
_VERSIONED = {"numpy": np.__version__, "numba": numba.__version__}
_STDLIB = tuple(str(Path(p).resolve()) + os.sep
                for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]})
_OURS = str(Path(__file__).resolve().parent) + os.sep
#: a value numba freezes into a loop as a constant
_CONSTANT = (int, float, complex, bool, str, bytes, type(None), np.number, np.bool_, np.ndarray)


class _Walk:
    """The files, versions and constants reachable from some functions (see the module docstring)."""

    def __init__(self):
        self.files: set[str] = set()
        self.versions: set[str] = set()
        self.constants: set[str] = set()
        self.unkeyable: list[str] = []
        self._seen: set[int] = set()
        self._stack: list = []
        self._external: dict[str, str | None] = {}  # file -> its top-level package's record, or None

    def run(self, objs) -> "_Walk":
        self._stack.extend(objs)
        while self._stack:
            self._visit(self._stack.pop())
        return self

    def _visit(self, obj) -> None:
        if id(obj) in self._seen:
            return
        self._seen.add(id(obj))  # every object met is referenced by another one, so alive
        if isinstance(obj, types.FunctionType):
            self._function(obj)
        elif isinstance(obj, types.ModuleType):
            self._file(getattr(obj, "__file__", None), obj.__name__)
        elif isinstance(obj, tuple):
            for e in obj:
                self._value(e, "<item>")
        elif isinstance(obj, type):
            self._file(_module_file(obj.__module__), obj.__module__)
        else:
            try:
                inner = (getattr(obj, "py_func", None) or getattr(obj, "_defn", None)
                         or getattr(obj, "__wrapped__", None))
            except Exception:  # noqa: BLE001 - an object whose __getattr__ fails calls nothing numba compiles
                return
            if isinstance(inner, types.FunctionType):  # a dispatcher, an intrinsic, a functools wrapper
                self._stack.append(inner)
            elif isinstance(obj, types.MethodType):
                self._stack.append(obj.__func__)

    def _function(self, fn) -> None:
        code = fn.__code__
        if not self._file(code.co_filename, fn.__module__, getattr(fn, "__qualname__", "?")):
            return
        self._code(code, fn.__globals__)
        for cell in fn.__closure__ or ():
            try:
                self._value(cell.cell_contents, "<cell>")
            except ValueError:  # an empty cell
                pass
        for v in (fn.__defaults__ or ()) + tuple((fn.__kwdefaults__ or {}).values()):
            self._value(v, "<default>")

    def _code(self, code, g: dict) -> None:
        names = code.co_names
        for name in names:
            if name not in g:
                continue  # a builtin, an attribute name, or a local import
            obj = g[name]
            self._value(obj, name)
            if isinstance(obj, types.ModuleType) and self._record(getattr(obj, "__file__", None), obj.__name__):
                for attr in names:  # module.attr: what the attribute is, wherever it was defined
                    if attr in obj.__dict__:
                        self._value(obj.__dict__[attr], f"{obj.__name__}.{attr}")
        for c in code.co_consts:
            if isinstance(c, types.CodeType):
                self._code(c, g)

    def _value(self, v, name: str) -> None:
        if isinstance(v, _CONSTANT) or (isinstance(v, tuple) and all(isinstance(e, _CONSTANT) for e in v)):
            self.constants.add(f"{name}={_constant(v)}")
        else:
            self._stack.append(v)

    def _file(self, path, module: str, what: str | None = None) -> bool:
        """Record ``path`` (the source of ``module``); whether its code is to be walked."""
        if not self._record(path, module):
            return False
        if not path or path.startswith("<") or not os.path.isfile(path):
            self.unkeyable.append(what or module)
            return False
        self.files.add(path)
        return True

    def _record(self, path, module: str) -> bool:
        """False (with its version recorded) for a file outside the project, else True."""
        top = (module or "").partition(".")[0]
        if top in _VERSIONED or top in sys.builtin_module_names or top in sys.stdlib_module_names:
            return False
        if not path:
            return not (module and module in sys.modules)  # a module without a file: builtin or namespace
        if path not in self._external:
            full = os.path.realpath(path)
            ours = full.startswith(_OURS)
            if not ours and (full.startswith(_STDLIB) or "site-packages" in full or "dist-packages" in full):
                mod = sys.modules.get(top)
                self._external[path] = f"{top}=={getattr(mod, '__version__', '?')}"
            else:
                self._external[path] = None
        record = self._external[path]
        if record is not None:
            self.versions.add(record)
            return False
        return True


def _module_file(name: str):
    return getattr(sys.modules.get(name), "__file__", None)


def _constant(v) -> str:
    if isinstance(v, np.ndarray):
        return f"array({v.dtype.str},{v.shape},{hashlib.sha256(np.ascontiguousarray(v).tobytes()).hexdigest()})"
    if isinstance(v, tuple):
        return "(" + ",".join(_constant(e) for e in v) + ")"
    return f"{type(v).__name__}:{v!r}"


def source_files(*functions) -> list[str]:
    """The source files of the project (not the standard library, numpy, numba or site-packages)
    that the code of ``functions`` can reach, sorted (see the module docstring)."""
    return sorted(_Walk().run(functions).files)


def source_digest(*functions) -> str | None:
    """A hex digest of what ``functions`` compute: the text of every source file they can reach,
    the constants they read, the versions of Python, numpy, numba and the installed packages they
    call; None when one of them has no source file (it could change unseen: no disk cache)."""
    walk = _Walk().run(functions)
    if walk.unkeyable:
        return None
    h = hashlib.sha256()
    for part in ([sys.version] + [f"{k}=={v}" for k, v in sorted(_VERSIONED.items())]
                 + sorted(walk.versions) + sorted(walk.constants)):
        h.update(part.encode() + b"\0")
    for path in sorted(walk.files):
        try:
            text = Path(path).read_bytes()
        except OSError:
            return None
        h.update(path.encode() + b"\0" + text + b"\0")
    return h.hexdigest()
