"""The disk cache's folder names (``regret.diskcache.source_digest``) cover every source file a
loop's rules reach, so that a helper edited in a third module is never served from a stale loop."""
from __future__ import annotations

import dataclasses
import importlib
import json
import os
import subprocess
import sys
import textwrap
import uuid

import numpy as np
import pytest

import regret
from regret import diskcache, fused
from regret.engine import compiled
from regret.problems import jit_rules

HELPERS = """
import numpy as np
from numba.extending import register_jitable

CAP = {cap}


@register_jitable
def clip_step(g):
    return np.minimum(np.maximum(g, -{cap}), {cap})
"""

# the rule calls the helper of a second module, imported by name, and one through the module
RULE = """
from numba.extending import register_jitable

import {helpers} as helpers_module
from {helpers} import clip_step, CAP


@register_jitable
def clipped_rule(x, g, s_t, lr):
    lr_t = lr * s_t
    return x - lr_t * clip_step(g), lr_t


@register_jitable
def attr_rule(x, g, s_t, lr):
    lr_t = lr * s_t
    return x - lr_t * helpers_module.clip_step(g), lr_t


@register_jitable
def constant_rule(x, g, s_t, lr):
    lr_t = lr * s_t
    return x - lr_t * CAP * g, lr_t
"""


def _modules(tmp_path, cap):
    """Write the rule module and its helper module under tmp_path: (rule module name, helper path)."""
    tag = uuid.uuid4().hex[:10]
    helpers, rule = f"dk_helpers_{tag}", f"dk_rule_{tag}"
    (tmp_path / f"{helpers}.py").write_text(HELPERS.format(cap=cap))
    (tmp_path / f"{rule}.py").write_text(RULE.format(helpers=helpers))
    return rule, tmp_path / f"{helpers}.py"


def _stems(rule):
    """The folder names both engines would give a loop over ``rule``."""
    return (compiled._stem(rule, jit_rules.quadratic_point, 0, 0, 1, 1),
            fused._stem((rule,), "clipped", ("row", False)))


def test_the_stems_change_with_a_helper_in_a_third_module_and_only_then(tmp_path, monkeypatch):
    name, helper = _modules(tmp_path, 0.25)
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module(name)
    try:
        files = diskcache.source_files(mod.clipped_rule)
        assert str(helper) in files and mod.__file__ in files
        assert not any("numpy" in f or "numba" in f for f in files)
        assert str(helper) in diskcache.source_files(mod.attr_rule)  # helpers_module.clip_step
        for rule in (mod.clipped_rule, mod.attr_rule):
            before = _stems(rule)
            assert None not in before and before == _stems(rule)
            original = helper.read_text()
            helper.write_text(original.replace("0.25", "0.5"))  # the rule's module is untouched
            after = _stems(rule)
            assert after[0] != before[0] and after[1] != before[1]
            helper.write_text(original)
            assert _stems(rule) == before
        # a constant numba freezes into the loop, imported from the helper: its value is in the key
        before = diskcache.source_digest(mod.constant_rule)
        monkeypatch.setattr(mod, "CAP", 0.5)
        assert diskcache.source_digest(mod.constant_rule) != before
    finally:
        sys.modules.pop(name, None)
        sys.modules.pop(helper.stem, None)


def test_code_without_a_source_file_gets_no_digest():
    ns = {"np": np}
    exec(compile("def rule(x, g, s_t, lr):\n    return x - lr * s_t * g, lr * s_t\n", "<typed>", "exec"), ns)

    def caller(x):  # a file of its own, but it calls the rule that has none
        return rule(x, x, 1.0, 1.0)

    rule = ns["rule"]
    assert diskcache.source_digest(rule) is None and diskcache.source_digest(caller) is None
    assert diskcache.source_digest(_stems) is not None


def test_every_registered_rule_gets_a_stem():
    adam = regret.optimizer("adam").rule
    for name in ("sgd", "adagrad", "rmsprop", "adadelta", "adam", "amsgrad", "adabound", "radam"):
        rule = regret.optimizer(name).rule
        assert fused._stem((rule,), name, ("row", False)) is not None, name
    for name in ("quadratic", "least-squares", "logistic", "hinge", "absolute", "zhang", "shi"):
        p = regret.problem(name)
        point, _ = p.jit_rule()
        block = getattr(p, "jit_block", lambda: None)() or compiled.no_block
        assert compiled._stem(adam, point, 0, 4, 2, 3, True, block) is not None, name


SCRIPT = """
import dataclasses, json
import regret
from regret import fused
from regret.engine import compiled
from regret.problems import jit_rules
import {rule} as m

k = dataclasses.replace(regret.optimizer("sgd", lr=0.1), rule=m.clipped_rule, name="sgd-clipped")
q = regret.run(regret.problem("quadratic", a=4.0, c=0.9, x0=-1.0), k, {T}, engine="compiled")
lin = regret.run(regret.problem("linear", kind="sequence", grads={seq}, x0=0.3), k, {T}, engine="fused")
fns = list(compiled._LOOPS.values()) + list(fused._COMPILED.values())
adam = regret.optimizer("adam").rule
print(json.dumps({{"q": float(q.x_final[0, 0]), "lin": float(lin.x_final[0, 0]),
                   "hits": sum(sum(f.stats.cache_hits.values()) for f in fns),
                   "misses": sum(sum(f.stats.cache_misses.values()) for f in fns),
                   "stems": [compiled._stem(adam, jit_rules.quadratic_point, 0, 4, 2, 3),
                             fused._stem((adam,), "adam", ("row", False))]}}))
"""


def _reference(cap, T, seq):
    """Plain loops: x ← clip(x − 0.1·clip(g, ±cap), −1, 1) on the quadratic and on the sequence."""
    def clip(v, lo, hi):
        return min(max(v, lo), hi)

    xq, xl = -1.0, 0.3
    for t in range(T):
        xq = clip(xq - 0.1 * clip(4.0 * (xq - 0.9), -cap, cap), -1.0, 1.0)
        xl = clip(xl - 0.1 * clip(seq[t % len(seq)][0], -cap, cap), -1.0, 1.0)
    return xq, xl


def test_a_new_process_after_the_helper_changes_gets_the_new_numbers(tmp_path):
    # both engines, a rule whose helper lives in a second module: a second process loads the
    # loops from disk; after the helper is edited a third compiles them anew, with its numbers
    name, helper = _modules(tmp_path, 0.25)
    T, seq = 40, [[2.0], [-3.0], [1.5], [-0.1], [0.7]]
    script = textwrap.dedent(SCRIPT.format(rule=name, T=T, seq=seq))
    env = dict(os.environ, REGRET_CACHE_DIR=str(tmp_path / "cache"), REGRET_THREADS="1",
               PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))

    def run():
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    first, second = run(), run()
    helper.write_text(HELPERS.format(cap=0.5))
    third = run()
    for got, cap in ((first, 0.25), (second, 0.25), (third, 0.5)):
        assert [got["q"], got["lin"]] == pytest.approx(_reference(cap, T, seq), rel=1e-12, abs=1e-15), (cap, got)
    assert _reference(0.25, T, seq) != pytest.approx(_reference(0.5, T, seq))  # the edit shows in the numbers
    assert first["hits"] == 0 and first["misses"] >= 2        # both loops compiled ...
    assert second["misses"] == 0 and second["hits"] >= 2      # ... loaded from disk by a new process
    assert third["hits"] == 0 and third["misses"] >= 2        # the edited helper: compiled, not stale
    # the registered rules' folders are named the same in every process
    assert None not in first["stems"] and first["stems"] == second["stems"] == third["stems"]
