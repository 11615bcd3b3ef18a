"""The fused engine's generated loops as they were at a0e1e53 (``generate_source``, read from git
history), for the benchmarks that set them beside today's plain closures (bench_jam_forms.py,
bench_compile_forms.py).  Needs the repository's history."""
import os
import subprocess
import types

#: the last commit whose jam loop was generated source
OLD = "a0e1e53"


def load():
    """A module holding a0e1e53's ``generate_source`` and what it calls."""
    here = os.path.dirname(os.path.abspath(__file__))
    src = subprocess.run(["git", "show", f"{OLD}:regret/fused.py"], cwd=here, check=True, capture_output=True,
                         text=True).stdout
    lines = src.splitlines(True)
    a = next(i for i, ln in enumerate(lines) if ln.startswith("def _names"))
    b = next(i for i, ln in enumerate(lines) if ln.startswith("#: the loop variants"))
    mod = types.ModuleType("old_fused")
    mod.JAM, mod.SIMD_BLOCK = 4, 256
    exec(compile("".join(lines[a:b]), f"<{OLD}:regret/fused.py>", "exec"), mod.__dict__)
    return mod
