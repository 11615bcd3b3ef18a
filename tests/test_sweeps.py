"""Labelled grids, xarray/zarr/pandas round trips and sharded sweeps (in process and on Dask).

References: the single-process ``engine.run`` on the whole batch (sharded runs must equal it bit
for bit), a plain ``itertools.product`` loop (grid order), and plain per-cell loops over the
Result's arrays (pandas)."""
from __future__ import annotations

import itertools
import json
import os
import re
import signal

import numpy as np
import pytest

import regret
from regret import engine, labelled, shards, storage
from regret.cli import main
from regret.result import Result

ARRAYS = ("t", "regret", "loss", "comparator", "x", "eta", "expected_gap", "expected_regret")


def assert_same(a: Result, b: Result) -> None:
    """Every number bit for bit (NaN where NaN), and the provenance that identifies the run."""
    for name in ARRAYS:
        u, v = getattr(a, name), getattr(b, name)
        if u is None or v is None:
            assert u is None and v is None, name
            continue
        assert u.dtype == v.dtype and u.shape == v.shape, name
        assert np.array_equal(u, v, equal_nan=True), name
    assert a.configs == b.configs
    assert a.problem_configs == b.problem_configs
    assert a.problem == b.problem
    assert a.faults == b.faults
    assert (a.optimizer, a.convention, a.T, a.engine) == (b.optimizer, b.convention, b.T, b.engine)


def stochastic_grid():
    g = regret.grid(beta1=[0.0, 0.9], beta2=[0.1, 0.5, 0.99], seed=[3, 4])
    prob = regret.problem("reddi-stochastic", C=3, delta=0.2, **g.columns("seed"))
    kern = regret.optimizer("adam", lr=0.1, convention="theory", **g.columns("beta1", "beta2"))
    return g, prob, kern


# ---- grids -------------------------------------------------------------------------------

def test_grid_is_the_c_order_product():
    axes = {"beta1": [0.0, 0.5, 0.9], "beta2": [0.1, 0.99], "C": [2, 3, 5, 7]}
    g = regret.grid(**axes)
    want = list(itertools.product(*axes.values()))
    assert g.size == len(want) == 24 and g.shape == (3, 2, 4)
    for j, name in enumerate(axes):
        assert g[name].tolist() == [w[j] for w in want]


def test_run_keeps_the_grid_and_checks_it():
    g, prob, kern = stochastic_grid()
    res = regret.run(prob, kern, T=50, grid=g)
    assert res.grid == {"beta1": [0.0, 0.9], "beta2": [0.1, 0.5, 0.99], "seed": [3, 4]}
    ds = res.to_xarray()
    assert ds["regret"].dims == ("t", "beta1", "beta2", "seed")
    # the cell (beta1=0.9, beta2=0.5, seed=4) is configuration b of the product
    b = [i for i, c in enumerate(itertools.product([0.0, 0.9], [0.1, 0.5, 0.99], [3, 4])) if c == (0.9, 0.5, 4)][0]
    assert res.configs[b]["beta1"] == 0.9 and res.problem_configs[b]["seed"] == 4
    assert ds["regret"].sel(beta1=0.9, beta2=0.5, seed=4).values.tolist() == res.regret[:, b].tolist()
    other = regret.grid(beta1=[0.0, 0.9], beta2=[0.1, 0.5, 0.9], seed=[3, 4])
    with pytest.raises(ValueError, match="grid axis beta2"):
        regret.run(prob, kern, T=5, grid=other)
    with pytest.raises(ValueError, match="grid axis lam"):
        regret.run(prob, kern, T=5, grid=regret.grid(lam=list(range(12))))


@pytest.mark.parametrize("axes, needle", [({"beta1": [[0.1, 0.2]]}, "beta1: must be 1-d"),
                                         ({"beta2": []}, "beta2: is empty"),
                                         ({"C": [2, 2]}, "distinct"), ({}, "at least one axis")])
def test_bad_grid_axes(axes, needle):
    with pytest.raises(ValueError, match=needle):
        regret.grid(**axes)


# ---- slices of a batch -------------------------------------------------------------------

@pytest.mark.parametrize("name, opts", [
    ("adam", {"lr": 0.01, "beta1": [0.0, 0.5, 0.9, 0.95], "beta2": [0.9, 0.99, 0.999, 0.5]}),  # practical: column powers
    ("amsbound", {"lr": [0.1, 0.2, 0.3, 0.4], "final_lr": 0.1, "convention": "theory"}),
    ("sgd", {"lr": [0.1, 0.2, 0.3, 0.4], "momentum": 0.5}),
    ("lookahead", {"inner": "adam", "beta2": [0.9, 0.99, 0.999, 0.5], "k": 3}),
])
def test_take_runs_like_its_columns_of_the_whole_batch(name, opts):
    prob = regret.problem("reddi-online", C=[2.0, 3.0, 4.0, 5.0])
    kern = regret.optimizer(name, **opts)
    whole = engine.run(prob, kern, T=300, checkpoints=7)
    idx = np.array([3, 1])
    part = engine.run(prob.take(idx), kern.take(idx), T=300, checkpoints=7)
    for field in ("regret", "loss", "comparator", "x", "eta"):
        assert np.array_equal(getattr(part, field), getattr(whole, field)[:, idx]), field
    assert list(part.configs) == [whole.configs[3], whole.configs[1]]


def test_take_needs_a_recipe_and_good_indices():
    kern = regret.kernels.adam(beta1=[0.0, 0.5])  # built directly, not by regret.optimizer
    with pytest.raises(ValueError, match="regret.optimizer"):
        kern.take([0])
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 2\)"):
        regret.optimizer("adam", beta1=[0.0, 0.5]).take([2])
    with pytest.raises(ValueError, match="non-empty"):
        regret.problem("reddi-online", C=[2.0, 3.0]).take([])


# ---- sharded == in-process ---------------------------------------------------------------

def test_in_process_shards_equal_the_whole_run(tmp_path):
    g, prob, kern = stochastic_grid()
    ref = engine.run(prob, kern, T=400)
    other = regret.optimizer("adabound", lr=0.1, convention="theory", beta2=g["beta2"])
    ref2 = engine.run(prob, other, T=400)
    got = regret.run(prob, [kern, other], T=400, shard=5, store=tmp_path / "s")
    assert_same(got[0], ref)
    assert_same(got[1], ref2)
    assert got[0].provenance["sharding"]["shards"] == 3


def test_dask_shards_on_a_local_cluster_equal_the_whole_run(monkeypatch):
    distributed = pytest.importorskip("distributed")
    g, prob, kern = stochastic_grid()
    ref = engine.run(prob, kern, T=400)
    in_place = []
    same = shards._same_memory
    monkeypatch.setattr(shards, "_same_memory", lambda a, b: in_place.append(same(a, b)) or in_place[-1])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        got = regret.run(prob, kern, T=400, shard=3, client=client, grid=g)
    assert_same(got, ref)
    assert got.grid == g.labels() and got.provenance["sharding"]["shards"] == 4
    # the workers are threads of this process: every shard recorded into the merged arrays
    assert len(in_place) == 4 * 7 and all(in_place)


def test_record_into_writes_the_same_numbers_into_the_callers_arrays():
    g, prob, kern = stochastic_grid()
    ref = engine.run(prob, kern, T=300, checkpoints=8)
    K, B, d = len(ref.t), ref.batch, ref.x.shape[-1]
    wide = {name: np.full((K, 3 * B) + tail, -7.0) for name, tail in engine.driver.record_fields(prob).items()}
    into = {name: a[:, B:2 * B] for name, a in wide.items()}  # strided views, as a shard gets them
    got = engine.run(prob, kern, T=300, checkpoints=8, record_into=into)
    assert_same(got, ref)
    assert np.shares_memory(got.regret, wide["regret"]) and np.shares_memory(got.x, wide["x"])
    assert np.all(wide["loss"][:, :B] == -7.0) and np.all(wide["loss"][:, 2 * B:] == -7.0)
    # an interrupted run records its stop in the K rows too, and resumes to the same numbers
    part = engine.run(prob, kern, T=300, checkpoints=8, chunk=50, on_chunk=lambda i, t: t >= 100,
                      record_into={name: np.empty((K, B) + a.shape[2:]) for name, a in wide.items()})
    assert part.interrupted and part.t[-1] == 100
    assert_same(engine.run(prob, kern, T=300, checkpoints=8, resume=part), ref)


@pytest.mark.parametrize("change, needle", [
    (lambda into: into.pop("eta"), "record_into must be a dict of arrays named"),
    (lambda into: into.update(x=into["x"][:-1]), "record_into['x'] must be a writable float64 array of shape"),
    (lambda into: into.update(loss=into["loss"].astype(np.float32)), "got float32 array"),
])
def test_bad_record_into_is_refused(change, needle):
    g, prob, kern = stochastic_grid()
    K = len(engine.inputs.checkpoint_times(300, 8))
    into = {name: np.empty((K, 12) + tail) for name, tail in engine.driver.record_fields(prob).items()}
    change(into)
    with pytest.raises(ValueError, match=re.escape(needle)):
        engine.run(prob, kern, T=300, checkpoints=8, record_into=into)


def test_a_shard_whose_worker_is_killed_is_redone_with_the_same_numbers(tmp_path):
    distributed = pytest.importorskip("distributed")
    prob = regret.problem("reddi-stochastic", C=3, seed=[1, 2, 3, 4])
    kern = regret.optimizer("adam", lr=0.1, beta2=[0.1, 0.5, 0.9, 0.99], convention="theory")
    ref = engine.run(prob, kern, T=2000, engine="numpy", chunk=100)
    marker = tmp_path / "killed"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  env={"REGRET_CACHE_DIR": os.environ.get("REGRET_CACHE_DIR", "")}) as cluster, \
            distributed.Client(cluster) as client:
        got = shards.run_sharded(prob, kern, 2000, shard=2, client=client, engine="numpy", chunk=100,
                                 _die_once=str(marker))
    assert marker.exists()  # a worker did die half-way through a shard
    assert_same(got, ref)


# ---- restart and Ctrl-C ------------------------------------------------------------------

def _counting(monkeypatch):
    ran = []
    real = shards.run_shard

    def counted(task):
        ran.append(task["range"])
        return real(task)

    monkeypatch.setattr(shards, "run_shard", counted)
    return ran


def test_a_restarted_sweep_skips_persisted_shards(tmp_path, monkeypatch):
    g, prob, kern = stochastic_grid()
    ref = engine.run(prob, kern, T=300)
    store = tmp_path / "store"
    with pytest.raises(shards.SweepInterrupted) as info:
        regret.run(prob, kern, T=300, shard=4, store=store, on_shard=lambda done, total: done == 2)
    assert (info.value.done, info.value.total) == (2, 3)
    assert len([p for p in os.listdir(store) if p.endswith(".zarr")]) == 2
    ran = _counting(monkeypatch)
    got = regret.run(prob, kern, T=300, shard=4, store=store)
    assert ran == [(8, 12)]  # only the shard that was not finished
    assert_same(got, ref)
    with pytest.raises(ValueError, match="different sweep"):
        regret.run(prob, kern, T=301, shard=4, store=store)


def test_ctrl_c_leaves_a_resumable_sweep(tmp_path, monkeypatch, capsys):
    out = tmp_path / "sweep.zarr"
    argv = ["run", "--problem", "reddi-stochastic:delta=0.2", "--optimizer", "adam:lr=0.1,convention=theory",
            "--grid", "beta2=0.1,0.5,0.9", "--grid", "seed=0,1", "--T", "300", "--shard", "2",
            "--save", str(out)]
    real = shards.run_shard
    calls = []

    def interrupt_second(task):
        calls.append(task["range"])
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the second shard starts
        return real(task)

    monkeypatch.setattr(shards, "run_shard", interrupt_second)
    assert main(argv) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "1 of 3 shards" in err[0] and "run the same command again" in err[0]
    assert not out.exists() and os.path.isdir(str(out) + ".shards")
    ran = _counting(monkeypatch)
    assert main(argv) == 0
    assert ran == [(2, 4), (4, 6)]
    assert not os.path.exists(str(out) + ".shards")  # the default store goes once the file is written
    once = tmp_path / "once.json"
    assert main(argv[:-4] + ["--save", str(once)]) == 0  # one process, no shards
    capsys.readouterr()
    assert_same(storage.load(out).results[0], storage.load(once).results[0])


# ---- round trips -------------------------------------------------------------------------

def _results():
    g, prob, kern = stochastic_grid()
    a = regret.run(prob, kern, T=200, grid=g)
    # a fault, injected into a copy: the record keeps NaN for a frozen configuration
    a.regret[-1, 5] = np.nan
    a.faults = [{"config": 5, "t": 77, "quantity": "v"}, {"config": 9, "t": 3, "quantity": "x"}]
    prob2 = regret.problem("reddi-online", C=[2.0, 3.0, 4.0], P=[3, 4, 5])  # element-wise, int columns
    b = regret.run(prob2, regret.optimizer("amsgrad", beta2=[0.1, 0.2, 0.3], lr=0.1, convention="theory"), T=90)
    c = engine.run(prob2, regret.optimizer("sgd", lr=0.1), T=5000, chunk=100,
                   on_chunk=lambda i, t: t >= 1000)  # interrupted, with a resume state
    assert c.interrupted and c.resume_state is not None
    return [a, b, c]


def test_xarray_round_trip_keeps_every_number_and_the_provenance():
    for r in _results():
        back = labelled.from_xarray(r.to_xarray())
        assert_same(back, r)
        assert back.provenance == r.provenance and back.grid == r.grid
        assert back.seconds == r.seconds and back.interrupted == r.interrupted


def _types(obj):
    """The structure of ``obj`` with every leaf replaced by its type (2 and 2.0 compare equal)."""
    if isinstance(obj, dict):
        return {k: _types(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_types(v) for v in obj]
    return type(obj).__name__


def test_zarr_keeps_the_types_of_integer_labelled_axes(tmp_path):
    g = regret.grid(C=[2, 3], seed=[0, 1])  # integer axes; the problem holds C as floats
    prob = regret.problem("reddi-stochastic", **g.columns())
    res = regret.run(prob, regret.optimizer("sgd", lr=0.1), T=20, grid=g)
    back = storage.load(storage.save(tmp_path / "r.zarr", res)).results[0]
    assert _types(back.problem) == _types(res.problem) and back.problem == res.problem
    assert _types(list(back.problem_configs)) == _types(list(res.problem_configs))


def test_zarr_round_trip_and_resume_from_it(tmp_path):
    rs = _results()
    path = storage.save(tmp_path / "all.zarr", rs, command={"problem": "x", "T": 5})
    saved = storage.load(path)
    assert saved.command == {"problem": "x", "T": 5}
    for back, r in zip(saved.results, rs):
        assert_same(back, r)
        assert back.provenance == r.provenance and back.grid == r.grid and back.interrupted == r.interrupted
    # the interrupted run continues from the reloaded store to the uninterrupted numbers
    prob2 = regret.problem("reddi-online", C=[2.0, 3.0, 4.0], P=[3, 4, 5])
    sgd = regret.optimizer("sgd", lr=0.1)
    whole = engine.run(prob2, sgd, T=5000, chunk=100)
    assert_same(engine.run(prob2, sgd, T=5000, chunk=100, resume=saved.results[2]), whole)
    # partial read: one checkpoint of one variable, without loading the rest
    xr = pytest.importorskip("xarray")
    ds = xr.open_zarr(path, group="result0", consolidated=False)
    assert ds["regret"].isel(t=-1).sel(beta1=0.9).values.ravel().tolist() == rs[0].regret[-1].reshape(2, 6)[1].tolist()


def test_dataframe_holds_every_cell():
    a, b, _ = _results()
    df = a.to_dataframe()
    assert df.index.names == ["t", "beta1", "beta2", "seed"] and len(df) == a.regret.size
    cells = list(itertools.product([0.0, 0.9], [0.1, 0.5, 0.99], [3, 4]))
    for k, t in enumerate(a.t.tolist()):
        for bi, (b1, b2, s) in enumerate(cells):
            row = df.loc[(t, b1, b2, s)]
            for col, want in (("regret", a.regret[k, bi]), ("loss", a.loss[k, bi]), ("x_0", a.x[k, bi, 0]),
                              ("expected_gap", a.expected_gap[k, bi]), ("average_regret", a.regret[k, bi] / t)):
                assert np.array_equal(row[col], want, equal_nan=True), (col, t, bi)
    dfb = b.to_dataframe()
    assert dfb.index.names == ["t", "config"] and dfb.loc[(b.t[-1], 2), "regret"] == b.regret[-1, 2]
    assert dfb.loc[(b.t[-1], 2), "P"] == 5 and dfb.loc[(b.t[-1], 1), "beta2"] == 0.2


# ---- bad input: one line, exit 2 ---------------------------------------------------------

RUN = ["run", "--problem", "reddi-online", "--optimizer", "adam:lr=0.1", "--T", "10"]


@pytest.mark.parametrize("extra, needle", [
    (["--dask", "tcp://127.0.0.1:1"], "dask scheduler 'tcp://127.0.0.1:1': cannot connect"),
    (["--grid", "beta1="], "grid axis beta1: is empty"),
    (["--grid", "beta1=0:1"], "expected NAME=a,b,c or NAME=start:stop:n"),
    (["--grid", "beta1=0,0.5", "--grid", "beta1=0.1"], "given twice"),
    (["--shard", "0"], "--shard=0"),
    (["--workers", "2", "--dask", "tcp://127.0.0.1:1"], "not both"),
])
def test_bad_sweep_input_is_one_line_and_status_2(extra, needle, capsys):
    assert main(RUN + extra) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err


def test_a_results_file_not_ours_is_one_line_and_status_2(tmp_path, capsys):
    xr = pytest.importorskip("xarray")
    foreign = tmp_path / "foreign.zarr"
    xr.Dataset({"a": ("x", np.arange(3.0))}).to_zarr(foreign, consolidated=False)
    (tmp_path / "empty").mkdir()
    (tmp_path / "other.json").write_text(json.dumps({"format": "something-else"}))
    for path, needle in ((foreign, "not a regret results store"), (tmp_path / "empty", "is a directory, neither a results file nor a .zarr store"),
                         (tmp_path / "other.json", "not a regret results file")):
        assert main(["show", str(path)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and needle in err[0], err
    with pytest.raises(ValueError, match="not a regret result"):
        labelled.from_xarray(xr.Dataset(attrs={"format": "nope"}))
    store = tmp_path / "notasweep"
    store.mkdir()
    (store / "file.txt").write_text("x")
    with pytest.raises(ValueError, match="not a regret sweep store"):
        regret.run(regret.problem("reddi-online"), regret.optimizer("adam"), T=5, shard=1, store=store)
