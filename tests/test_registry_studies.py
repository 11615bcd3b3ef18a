"""Registry-driven contract of the studies: every entry of ``regret.studies.STUDIES``.

(Running them, in quick mode through the CLI, and checking each verdict is test_reproduce.py.)
Also the one study type: the verdict follows from the checks alone, and its JSON is standard.
"""
import inspect
import json
import math

import pytest

from regret.studies import NOT_REPRODUCED, REPRODUCED, STUDIES, Claim, StudyResult


@pytest.mark.parametrize("key", sorted(STUDIES))
def test_study_module_contract(key):
    mod = STUDIES[key]
    assert mod.KEY == key
    for attr in ("TITLE", "REFERENCE"):
        assert isinstance(getattr(mod, attr), str) and getattr(mod, attr), attr
    assert isinstance(mod.T_QUICK, int) and isinstance(mod.T_DEFAULT, int) and 10 <= mod.T_QUICK <= mod.T_DEFAULT
    run = inspect.signature(mod.run).parameters
    for name in ("T", "quick", "engine", "progress"):
        assert name in run and run[name].kind is inspect.Parameter.KEYWORD_ONLY, name
    assert len(inspect.signature(mod.plot).parameters) == 2
    if hasattr(mod, "min_T"):
        assert mod.min_T(True) <= mod.T_QUICK and mod.min_T(False) <= mod.T_DEFAULT


def _study(*passed, measured=1.0):
    return StudyResult(key="k", title="t", reference="r", statement="s", settings={"T": 10},
                       claims=[Claim(f"claim {i}", 1.0, measured, p, "criterion", "proofs.x") for i, p in
                               enumerate(passed)])


def test_verdict_follows_from_the_checks_only():
    assert _study(True, True).verdict == REPRODUCED and _study(True, True).passed
    assert _study(True, False).verdict == NOT_REPRODUCED and not _study(True, False).passed
    assert _study().verdict == NOT_REPRODUCED          # nothing checked is nothing reproduced


def test_json_is_standard_and_never_a_bare_nan():
    doc = _study(False, measured=[math.nan, math.inf, 2.0]).to_json()
    text = json.dumps(doc, allow_nan=False)
    assert json.loads(text)["claims"][0]["measured"] == ["nan", "inf", 2.0]
