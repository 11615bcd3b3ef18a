"""The one place where source text becomes compiled code: Lookahead's composed rule
(``kernels.lookahead.composed_rule``, a three-line function whose argument list is the inner
rule's plus three, so its text depends on the inner rule's arity).

Everything else is ordinary ``@njit`` code: the fused engine's loops are closures over the
kernel's rule (``regret.fused``), as are the compiled loop's (``engine.compiled``), the paper's
AdaBound band and the step operations of ``regret.steps``.
"""
from __future__ import annotations


def exec_generated(src: str, namespace: dict, label: str, attr: str):
    """Compile ``src`` in ``namespace`` (which binds what the source does not import) and return
    its function ``attr``.  Nothing is written to disk: the function has no importable name, so
    the fused loops that call it are compiled once per process, not cached."""
    exec(compile(src, f"<regret generated: {label}>", "exec"), namespace)
    return namespace[attr]
