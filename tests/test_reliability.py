"""Reliability: sizes refused before any work, paths checked before the run, saved files checked
against the schema and their digest, interruptions that leave a complete or a resumable file."""
import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import regret
from regret import cli, engine, limits, storage
from regret.cli import main

ADAM_T = dict(beta1=0.0, beta2=0.1, lr=0.1, convention="theory")
RUN = ["run", "--problem", "reddi-online:C=3", "--T", "20"]
ADAM = ["--optimizer", "adam:beta1=0,beta2=0.1,lr=0.1,convention=theory"]


def _never_called(i, t):
    raise AssertionError("the run started before refusing")


LIBRARY = [
    ("lr=True", lambda: regret.optimizer("adam", lr=True), TypeError, ["lr=True", "boolean"]),
    ("bool in a sweep", lambda: regret.optimizer("adam", lr=[0.1, True]), TypeError, ["lr=[0.1, True]", "boolean"]),
    ("lr=[]", lambda: regret.optimizer("adam", lr=[]), ValueError, ["lr=[]", "empty"]),
    ("C=[]", lambda: regret.problem("reddi-online", C=[]), ValueError, ["C=[]", "empty"]),
    ("T beyond 2^53", lambda: regret.run(regret.problem("reddi-online"), regret.optimizer("adam"), 10 ** 19),
     ValueError, ["T=10000000000000000000", "2^53"]),
    ("record too large", lambda: regret.run(regret.problem("reddi-online"), regret.optimizer("adam", lr=[0.1] * 1000),
                                            10 ** 12, checkpoints=10 ** 9, on_chunk=_never_called),
     ValueError, ["would need about", "TiB", "1000 configurations", "checkpoints"]),
    ("explicit checkpoints too many", lambda: regret.run(
        regret.problem("reddi-online"), regret.optimizer("adam", lr=[0.1] * 10 ** 4), 10 ** 7,
        checkpoints=np.arange(1, 10 ** 6, dtype=np.int64), on_chunk=_never_called),
     ValueError, ["would need about", "GiB"]),
    ("quadratic d too large", lambda: regret.problem("quadratic", d=10 ** 12), ValueError, ["d=1000000000000", "memory"]),
]


@pytest.mark.parametrize("call, exc, needles", [c[1:] for c in LIBRARY], ids=[c[0] for c in LIBRARY])
def test_library_refuses_before_any_work(call, exc, needles):
    with pytest.raises(exc) as info:
        call()
    for needle in needles:
        assert needle in str(info.value), f"{needle!r} not in {info.value}"


CLI = [
    ("--T 1e19", RUN[:-1] + ["1e19"] + ADAM, ["T=", "2^53"]),
    ("--checkpoints 1e9 at T=1e13", RUN[:-1] + ["1e13"] + ADAM + ["--checkpoints", "1e9"],
     ["would need about", "GiB", "checkpoints"]),
    ("--save ''", RUN + ADAM + ["--save", ""], ["--save=''", "file name"]),
    ("--save in /proc", RUN + ADAM + ["--save", "/proc/self/s.json"], ["--save='/proc/self/s.json'", "cannot write"]),
    ("--save a directory", RUN + ADAM + ["--save", "/tmp"], ["--save='/tmp'", "directory"]),
    ("--plot missing dir", RUN + ADAM + ["--plot", "/nonexistent/d/p.png"], ["--plot=", "does not exist"]),
    ("show a directory", ["show", "/tmp"], ["'/tmp'", "directory"]),
    ("resume a directory", ["run", "--resume", "/tmp"], ["'/tmp'", "directory"]),
    ("show --plot missing dir", ["show", "/nonexistent.json", "--plot", "/nonexistent/d/p.png"],
     ["--plot=", "does not exist"]),
    ("lr=true", RUN + ["--optimizer", "adam:lr=true"], ["lr=True", "boolean"]),
    ("quadratic:d=1e12", ["run", "--problem", "quadratic:d=1e12", "--T", "5"] + ADAM, ["d=1000000000000", "memory"]),
    ("check beta1=1/0", ["check", "condition", "--beta1", "1/0", "--beta2", "0.5"], ["beta1='1/0'", "zero"]),
    ("check huge exponent", ["check", "condition", "--beta1", "1e-999999999", "--beta2", "0.5"],
     ["beta1='1e-999999999'", "exponent"]),
    ("check param 1/0", ["check", "bounds", "--lower", "alpha/t", "--upper", "1", "--param", "alpha=1/0"],
     ["alpha='1/0'", "zero"]),
    ("check lower 1/0", ["check", "bounds", "--lower", "1/0", "--upper", "1"], ["lower='1/0'", "not finite"]),
    ("check Max()", ["check", "bounds", "--lower", "Max()", "--upper", "1"], ["lower='Max()'", "not finite"]),
    ("check timeout 1e10", ["check", "bounds", "--lower", "0.1", "--upper", "1", "--timeout", "1e10"],
     ["--timeout=10000000000", "at most"]),
]


@pytest.mark.parametrize("argv, needles", [c[1:] for c in CLI], ids=[c[0] for c in CLI])
def test_cli_refuses_in_one_line(argv, needles, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert err.startswith("regret: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and out == ""
    for needle in needles:
        assert needle in err, f"{needle!r} not in {err!r}"


def test_checkpoints_are_capped_at_T_and_the_plan_is_lazy():
    assert engine.checkpoint_times(10, 10 ** 9).tolist() == list(range(1, 11))
    plan = engine.chunk_plan(10 ** 13, engine.checkpoint_times(10 ** 13, 60), 1 << 16)
    assert next(plan) == (1, 1, True)  # no O(T/chunk) array is built first

    def reference(T, ckpts, chunk, start):
        # every chunk boundary and checkpoint, by brute force over t
        out, first = [], start
        for t in range(start, T + 1):
            if t in set(ckpts.tolist()) or (t - start + 1) % chunk == 0 or t == T:
                out.append((first, t, t in set(ckpts.tolist())))
                first = t + 1
        return out

    rng = np.random.default_rng(3)
    for _ in range(200):
        T = int(rng.integers(1, 200))
        ckpts = engine.checkpoint_times(T, int(rng.integers(2, 30)))
        chunk, start = int(rng.integers(1, 40)), int(rng.integers(1, T + 1))
        assert list(engine.chunk_plan(T, ckpts, chunk, start)) == reference(T, ckpts, chunk, start)


def _saved(tmp_path, T=2000, name="r.json"):
    path = tmp_path / name
    argv = ["run", "--problem", "reddi-stochastic:C=3", "--seed", "4", "--optimizer", "adam:lr=[0.05,0.1]",
            "--T", str(T), "--chunk", "100", "--save", str(path)]
    return path, argv


def _interrupted_file(tmp_path, monkeypatch):
    path, argv = _saved(tmp_path)
    real_run = engine.run
    monkeypatch.setattr("regret.cli.run", lambda *a, **kw: real_run(*a, **{**kw, "on_chunk": lambda i, t: t >= 500}))
    assert main(argv) == 130
    monkeypatch.setattr("regret.cli.run", real_run)
    return path


def _edit(path, change):
    doc = json.loads(path.read_text())
    change(doc["results"][0])
    path.write_text(json.dumps(doc))


def _set_array(field, fn):
    def change(res):
        res[field]["data"] = fn(res[field]["data"])
    return change


@pytest.mark.parametrize("change", [
    _set_array("x", lambda d: [0.5] + d[1:]),                                         # a changed iterate
    lambda res: res["resume_state"]["tracker"].update(t=res["resume_state"]["tracker"]["t"] + 7),
    lambda res: res["resume_state"]["tracker"]["x"]["data"].__setitem__(0, 5.0),     # outside F
    lambda res: res["resume_state"]["tracker"]["loss"]["data"].__setitem__(0, 0.0),  # a changed loss sum
], ids=["iterate", "step", "iterate outside F", "loss sum"])
def test_resume_of_an_altered_file_is_refused(tmp_path, monkeypatch, capsys, change):
    path = _interrupted_file(tmp_path, monkeypatch)
    capsys.readouterr()
    _edit(path, change)
    assert main(["run", "--resume", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "altered" in err and "refusing" in err, err
    saved = storage.load(path)  # the library refuses it too
    assert saved.altered == (0,)
    prob, k = regret.problem("reddi-stochastic", C=3, seed=4), regret.optimizer("adam", lr=[0.05, 0.1])
    with pytest.raises(ValueError, match="altered"):
        regret.run(prob, k, 2000, chunk=100, resume=saved.results)


def test_show_says_when_a_file_was_altered(tmp_path, capsys):
    path, argv = _saved(tmp_path, T=50)
    assert main(argv) == 0
    _edit(path, _set_array("regret", lambda d: [1.0] + d[1:]))
    capsys.readouterr()
    assert main(["show", str(path)]) == 0
    assert "altered after it was written" in capsys.readouterr().err


@pytest.mark.parametrize("change, needles", [
    (lambda res: res["faults"].append({"config": 7, "t": 1, "quantity": "x"}), ["faults", "entry 0"]),
    (lambda res: res["x"].update(shape=[len(res["t"]["data"]), 3, 1],   # 3 configurations, not 2
                                 data=[0.0] * (len(res["t"]["data"]) * 3)), ["'x'", "shape"]),
    (lambda res: res["eta"].update(shape=[len(res["t"]["data"]), 2, 2],  # d = 2 beside x's d = 1
                                   data=[0.0] * (len(res["t"]["data"]) * 4)), ["'eta'", "shape"]),
    (lambda res: res.update(problem=None), ["'problem'"]),
    (lambda res: res.update(T="abc"), ["'T'", "integer"]),
    (lambda res: res.update(t={"__array__": "<i8", "shape": [2], "data": [5, 3]}), ["'t'", "increasing"]),
    (lambda res: res["resume_state"] is None or res.update(resume_state={"no": 1}), []),
], ids=["fault entry", "x shape", "eta shape", "problem null", "T string", "t order", "tracker"])
def test_damaged_files_are_refused_naming_the_field(tmp_path, capsys, change, needles):
    path, argv = _saved(tmp_path, T=50)
    assert main(argv) == 0
    _edit(path, change)
    capsys.readouterr()
    status = main(["show", str(path)])
    err = capsys.readouterr().err
    if not needles:  # a finished run has no resume state to damage
        assert status == 0
        return
    assert status == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, f"{needle!r} not in {err!r}"


def test_deeply_nested_file_is_one_line(tmp_path, capsys):
    path = tmp_path / "deep.json"
    path.write_text('{"format": "regret-results", "version": 1, "results": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert main(["show", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nests too deeply" in err


def test_a_killed_writers_temporary_is_removed_by_the_next_save(tmp_path):
    res = regret.run(regret.problem("reddi-online", C=3), regret.optimizer("sgd", lr=0.1), 30)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".r.json.{int(dead.stdout)}.abc123.tmp"
    alive = tmp_path / f".r.json.{os.getppid()}.def456.tmp"  # a writer that still runs: kept
    stale.write_text("half a file")
    alive.write_text("being written")
    storage.save(tmp_path / "r.json", res)
    assert sorted(os.listdir(tmp_path)) == sorted(["r.json", alive.name])


def test_sigint_during_a_save_waits_for_the_file(tmp_path):
    res = regret.run(regret.problem("reddi-online", C=3), regret.optimizer("sgd", lr=0.1), 30)
    path = tmp_path / "r.json"
    real_fsync = os.fsync

    def fsync_then_ctrl_c(fd):
        os.kill(os.getpid(), signal.SIGINT)  # arrives in the middle of the write
        real_fsync(fd)

    os.fsync = fsync_then_ctrl_c
    try:
        with pytest.raises(KeyboardInterrupt):
            storage.save(path, res)
    finally:
        os.fsync = real_fsync
    (back,) = storage.load(path).results  # the file was completed before the interrupt took effect
    np.testing.assert_array_equal(back.regret, res.regret)
    assert os.listdir(tmp_path) == ["r.json"]


def test_ctrl_c_after_the_run_says_what_was_saved(tmp_path, monkeypatch, capsys):
    path, argv = _saved(tmp_path, T=50)

    def ctrl_c(*a, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "report", ctrl_c)
    assert main(argv) == 130
    assert f"the results are saved in {str(path)!r}" in capsys.readouterr().err
    assert storage.load(path).results[0].steps_done == 50


def test_ctrl_c_while_the_command_line_starts_ends_quietly():
    # While regret is imported by its command line SIGINT keeps the system's meaning: the
    # process ends (status -SIGINT, 130 in a shell) without a KeyboardInterrupt traceback.
    child = ("import sys; sys.argv[0] = 'regret'; import os, signal, time; import regret; "
             "os.kill(os.getpid(), signal.SIGINT); time.sleep(10)")
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGINT and "Traceback" not in proc.stderr
    # a library import keeps Python's KeyboardInterrupt
    proc = subprocess.run([sys.executable, "-c", "import signal, regret; "
                           "assert signal.getsignal(signal.SIGINT) is signal.default_int_handler"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_a_long_run_is_forecast_once(capsys):
    clock = iter([0.0, 10.0, 20.0])
    f = cli.Forecast(T=10 ** 9, kernels=2, save_to=None)
    f.clock = lambda: next(clock)
    f(0, 1000)             # the first chunk starts the clock (compiling excluded)
    f(0, 1_001_000)        # 10^6 steps in 10 s: (2·10^9 − 1_001_000) / 10^5 s ≈ 5.5 h left
    f(0, 2_001_000)        # said once only
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "5.6 h" in err and "1e+05 steps/s" in err and "--save" in err


def test_show_labels_linear_in_the_batch(tmp_path, monkeypatch):
    # the varying keys of a loaded file are computed once, not once per configuration
    res = regret.run(regret.problem("reddi-online", C=3), regret.optimizer("adam", lr=np.linspace(0.01, 0.1, 50),
                                                                           **{k: v for k, v in ADAM_T.items() if k != "lr"}), 20)
    storage.save(tmp_path / "r.json", res)
    (back,) = storage.load(tmp_path / "r.json").results
    calls = []
    real = regret.result._varying
    monkeypatch.setattr(regret.result, "_varying", lambda c: calls.append(1) or real(c))
    labels = [back.label(b) for b in range(back.batch)]
    assert len(calls) == 2 and labels == [res.label(b) for b in range(res.batch)]


def test_memory_estimate_matches_the_record_a_run_allocates():
    res = regret.run(regret.problem("reddi-stochastic", C=3, seed=[1, 2, 3]), regret.optimizer("adam"), 100,
                     checkpoints=20)
    K, B = len(res.t), res.batch
    arrays = [res.regret, res.loss, res.comparator, res.x, res.eta, res.expected_gap, res.expected_regret]
    held = sum(a.nbytes for a in arrays)
    _, record = limits.run_bytes(B, 1, K, 2, stochastic=True)
    assert held <= record <= held * (K + 1) / K + 1


@pytest.mark.parametrize("problem", ["reddi-online:C=3", "reddi-stochastic:C=3"])
@pytest.mark.parametrize("engine_name", ["numpy", "fused"])
def test_real_sigint_mid_run_leaves_a_resumable_file(tmp_path, monkeypatch, capsys, problem, engine_name):
    path = tmp_path / "r.json"
    argv = ["run", "--problem", problem, "--optimizer", "adam:beta2=[0.9,0.99]", "--T", "3000", "--chunk", "50",
            "--engine", engine_name, "--save", str(path)]
    real_run = engine.run

    def ctrl_c_at_1000(i, t):
        if t >= 1000:
            signal.raise_signal(signal.SIGINT)  # the engine's real handler takes it

    monkeypatch.setattr("regret.cli.run", lambda *a, **kw: real_run(*a, **{**kw, "on_chunk": ctrl_c_at_1000}))
    assert main(argv) == 130
    assert "--resume" in capsys.readouterr().err
    monkeypatch.setattr("regret.cli.run", real_run)
    assert storage.load(path).results[0].interrupted
    assert main(["run", "--resume", str(path)]) == 0
    whole = tmp_path / "whole.json"
    assert main(argv[:-1] + [str(whole)]) == 0
    a, b = storage.load(path).results[0], storage.load(whole).results[0]
    np.testing.assert_array_equal(a.regret, b.regret)
    np.testing.assert_array_equal(a.x, b.x)
    assert sorted(os.listdir(tmp_path)) == ["r.json", "whole.json"]


def test_sigkill_during_saves_leaves_a_whole_file_and_the_next_save_cleans_up(tmp_path):
    import time

    path = tmp_path / "r.json"
    child = (f"import numpy as np, regret\nfrom regret import storage\n"
             f"k = regret.optimizer('adam', lr=np.linspace(0.01, 0.1, 3000))\n"
             f"res = regret.run(regret.problem('reddi-online', C=3), k, 200)\n"
             f"storage.save({str(path)!r}, res)\nprint('saved', flush=True)\n"
             f"while True:\n    storage.save({str(path)!r}, [res, res])\n")
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "saved"
        deadline = time.monotonic() + 60
        while not any(n.endswith(".tmp") for n in os.listdir(tmp_path)) and time.monotonic() < deadline:
            time.sleep(0.005)  # wait until a save is under way
        proc.kill()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    saved = storage.load(path)  # either the first or a later file, whole
    assert len(saved.results) in (1, 2) and not saved.altered
    storage.save(path, saved.results)
    assert os.listdir(tmp_path) == ["r.json"], "the killed writer's temporary is gone"
