"""Saved results: full round trip with provenance, `regret show`, and exit status 3 on faults."""
import dataclasses
import json

import numpy as np

import regret
from regret import storage
from regret.cli import main


def _strict_json(text):
    """Parse as standard JSON: the bare NaN/Infinity Python would accept are refused."""
    def refuse(token):
        raise AssertionError(f"non-standard JSON token {token}")
    return json.loads(text, parse_constant=refuse)


def _fields_equal(a, b):
    for f in dataclasses.fields(regret.Result):
        va, vb = getattr(a, f.name), getattr(b, f.name)
        if isinstance(va, np.ndarray):
            assert va.dtype == vb.dtype and va.shape == vb.shape, f.name
            np.testing.assert_array_equal(va, vb, err_msg=f.name)
        else:
            assert va == vb, f.name


def test_round_trip_keeps_every_field_bit_for_bit(tmp_path):
    stoch = regret.run(regret.problem("reddi-stochastic", C=3.0, delta=[0.1, 0.5], seed=[1, 2]),
                       regret.optimizer("adabound", lr=0.01, final_lr=0.05), 300)
    faulty = regret.run(regret.problem("reddi-online", C=3), regret.optimizer("sgd", lr=[0.1, 1e308]), 50)
    assert np.isnan(faulty.regret[:, 1]).all() and faulty.faults
    path = storage.save(tmp_path / "r.json", [stoch, faulty], command={"T": "300"})
    saved = storage.load(path)
    assert saved.command == {"T": "300"} and saved.meta["regret_version"] == regret.__version__
    for a, b in zip([stoch, faulty], saved.results):
        _fields_equal(a, b)
    json.loads((tmp_path / "r.json").read_text())  # standard JSON: no bare NaN
    assert "NaN" not in (tmp_path / "r.json").read_text()
    # Provenance: package version, engine, chunk, the seed and every kernel option.
    r = saved.results[0]
    assert r.provenance["regret_version"] == regret.__version__ and r.provenance["chunk"] > 0
    assert r.engine and r.seed == [1, 2] and r.problem["params"]["delta"] == [0.1, 0.5]
    assert {"lr", "final_lr", "gamma", "beta1", "beta2", "eps", "bias_correction", "schedule"} <= set(r.configs[0])


def test_run_save_then_show_reprints_and_replots(tmp_path, capsys):
    path, png = tmp_path / "r.json", tmp_path / "again.png"
    argv = ["run", "--problem", "reddi-online:C=3", "--optimizer", "adam:beta1=0,beta2=0.1,lr=0.1,convention=theory",
            "--optimizer", "sgd:lr=[0.1,0.2]", "--T", "400", "--json"]
    assert main(argv + ["--save", str(path)]) == 0
    ran = json.loads(capsys.readouterr().out)
    assert main(["show", str(path), "--json", "--plot", str(png)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == ran
    assert "regret " + regret.__version__ in err and "engine" in err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_numerical_fault_gives_exit_status_3_and_is_saved(tmp_path, capsys):
    path = tmp_path / "r.json"
    rc = main(["run", "--problem", "reddi-online:C=3", "--optimizer", "sgd:lr=[0.1,1e308,0.01]", "--T", "100",
               "--save", str(path), "--json"])
    assert rc == 3
    out, err = capsys.readouterr()
    runs = _strict_json(out)["runs"]
    assert [("faults" in r) for r in runs] == [False, True, False]
    assert runs[1]["regret"] == "nan", "a frozen configuration's R_T is the string 'nan' in standard JSON"
    assert runs[1]["faults"] == [{"config": 1, "t": 1, "quantity": "x"}]
    assert err.count("\n") == 1 and "numerical fault in 1 configuration" in err and "t=1" in err
    # The healthy configurations are those of a run without the faulty one.
    alone = regret.run(regret.problem("reddi-online", C=3), regret.optimizer("sgd", lr=[0.1, 0.01]), 100)
    assert [runs[0]["regret"], runs[2]["regret"]] == alone.regret_final.tolist()
    assert main(["show", str(path)]) == 3


def test_plot_of_a_run_with_a_frozen_configuration_is_still_drawn(tmp_path, capsys):
    png = tmp_path / "a.png"
    # configuration 1 is frozen at t = 1: its average regret is NaN throughout
    rc = main(["run", "--problem", "reddi-online:C=3", "--optimizer", "adam:lr=[0.1,1e308]", "--T", "100",
               "--plot", str(png)])
    out, err = capsys.readouterr()
    assert rc == 3 and "adam (lr=0.1)" in out and "numerical fault" in err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_overflowing_losses_are_reported_not_passed_off_as_success(capsys):
    # C = 1e308: Σ f_t overflows float64 although every kernel value stays finite
    rc = main(["run", "--problem", "reddi-online:C=1e308", "--optimizer", "sgd", "--T", "50", "--json"])
    out, err = capsys.readouterr()
    assert rc == 3 and "R_T is not finite" in err and err.count("\n") == 1
    assert _strict_json(out)["runs"][0]["regret"] == "nan"


def test_configs_are_columns_that_equal_the_per_configuration_dicts(tmp_path):
    """A run keeps its provenance by column (``result.Configs``); each entry must be what the
    kernel's own ``config(b)`` gives, and a saved file (a plain list) compares equal."""
    k = regret.optimizer("adabound", lr=[0.1, 0.2, 0.3], beta1=0.9, final_lr=[0.05, 0.05, 0.2])
    p = regret.problem("reddi-online", C=[2.5, 3.0, 4.0], P=3)
    r = regret.run(p, k, 60)
    assert isinstance(r.configs, regret.result.Configs) and len(r.configs) == 3
    assert [r.configs[b] for b in range(3)] == [k.config(b) for b in range(3)]
    assert r.configs[-1] == k.config(2) and r.configs[1:] == [k.config(1), k.config(2)]
    assert [c["C"] for c in r.problem_configs] == [2.5, 3.0, 4.0]
    assert r.configs.varying() == ["lr", "final_lr"]
    assert r.label(2) == "adabound (lr=0.3, final_lr=0.2, C=4)"
    try:
        r.configs[3]
    except IndexError:
        pass
    else:
        raise AssertionError("configs[3] of 3 must raise IndexError")
    back = storage.load(storage.save(tmp_path / "r.json", r)).results[0]
    assert isinstance(back.configs, list) and back.configs == r.configs and r.configs == back.configs
    assert back.label(2) == r.label(2)
    assert r.runs()[2]["params"] == k.config(2)


def test_chunks_are_sized_by_what_varies_in_time():
    """Time-only arrays that are (n, 1) or broadcast views cost no memory per configuration:
    a sweep over β's of the theory Adam gets long chunks (work-capped), and so does the practical
    one (its bias corrections are running powers in the state, not (n, B) arrays); per-configuration
    time-varying coefficients (a swept lr under α/√t: (n, B) arrays) keep a chunk's arrays under
    CHUNK_ELEMENTS."""
    from regret import engine

    B = 10**4
    grid = np.linspace(0.01, 0.99, B)
    p = regret.problem("reddi-online", C=3, P=3)
    theory = regret.optimizer("adam", beta1=grid * 0.9, beta2=grid, convention="theory")
    practical = regret.optimizer("adam", beta1=grid * 0.9, beta2=grid)
    per_config = regret.optimizer("adam", lr=grid, convention="theory")
    assert engine.chunk_steps(p, theory, B, 1 << 16, 1) == engine.CHUNK_WORK // B
    assert engine.chunk_steps(p, practical, B, 1 << 16, 1) == engine.CHUNK_WORK // B
    assert engine.chunk_steps(p, per_config, B, 1 << 16, 1) == engine.CHUNK_ELEMENTS // B
    assert engine.chunk_steps(p, regret.optimizer("adam"), 1, 1 << 16, 1) == 1 << 16
