"""Interrupt (Ctrl-C) and resume: partial results up to the last finished chunk, then the very
same numbers as an uninterrupted run; atomic saves; the real SIGINT path of the command line."""
import json
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import regret
from regret import engine, storage
from regret.cli import main

ARRAYS = ("t", "regret", "loss", "comparator", "x", "eta", "expected_gap", "expected_regret")


def _problem():
    return regret.problem("reddi-stochastic", C=3.0, delta=0.3, seed=[5, 6])


def _kernels():
    return [regret.optimizer("adam", beta1=0.9, beta2=[0.99, 0.5], lr=0.05),
            regret.optimizer("amsbound", beta1=0.0, beta2=0.9, lr=0.1, convention="theory")]


def _stop_at(t_stop, kernel_index=0, use_signal=False):
    """A chunk hook that asks the driver to stop once kernel ``kernel_index`` passed t_stop."""

    def hook(i, t):
        if i == kernel_index and t >= t_stop:
            if use_signal:
                signal.raise_signal(signal.SIGINT)  # the real handler sets the flag
                return None
            return True
        return None

    return hook


def _assert_same(a, b):
    assert a.interrupted is False and b.interrupted is False
    for f in ARRAYS:
        va, vb = getattr(a, f), getattr(b, f)
        if va is None:
            assert vb is None, f
        else:
            np.testing.assert_array_equal(va, vb, err_msg=f)  # bitwise, NaN == NaN
    assert a.faults == b.faults and a.configs == b.configs and a.problem == b.problem


@pytest.mark.parametrize("kernel_index, t_stop", [(0, 700), (1, 1)])
def test_interrupt_then_resume_gives_identical_numbers(tmp_path, kernel_index, t_stop):
    T, chunk = 3000, 128
    whole = regret.run(_problem(), _kernels(), T, chunk=chunk)
    part = regret.run(_problem(), _kernels(), T, chunk=chunk, on_chunk=_stop_at(t_stop, kernel_index))
    assert [r.interrupted for r in part] == ([True, True] if kernel_index == 0 else [False, True])
    cut = part[kernel_index]
    # Stopped at the end of the first chunk reaching t_stop; the partial result holds the
    # checkpoints up to there, equal to the uninterrupted run's, plus one at the stop.
    assert t_stop <= cut.steps_done < t_stop + chunk and cut.steps_done < T
    ref = whole[kernel_index]
    planned = np.isin(cut.t, ref.t)
    assert planned[:-1].all() and cut.t[-1] == cut.steps_done
    k = int(planned.sum())
    np.testing.assert_array_equal(cut.t[planned], ref.t[:k])
    assert ref.t[k] > cut.steps_done
    np.testing.assert_array_equal(cut.regret[planned], ref.regret[:k])
    upto = regret.run(_problem(), _kernels()[kernel_index], cut.steps_done, chunk=chunk)
    np.testing.assert_array_equal(cut.regret[-1], upto.regret[-1])
    np.testing.assert_array_equal(cut.x[-1], upto.x[-1])
    if kernel_index == 0:
        assert len(part[1].t) == 0, "a kernel not reached reports no checkpoints"
    # Through a file, as the CLI does, then resumed with fresh objects.
    storage.save(tmp_path / "part.json", part)
    loaded = storage.load(tmp_path / "part.json").results
    resumed = regret.run(_problem(), _kernels(), T, chunk=chunk, resume=loaded)
    for a, b in zip(resumed, whole):
        _assert_same(a, b)


@pytest.mark.parametrize("engine", ["numpy", "auto"])
def test_resume_twice_and_with_another_chunk_size(engine):
    T = 2000
    kw = dict(engine=engine)
    whole = regret.run(_problem(), _kernels()[0], T, chunk=100, **kw)
    first = regret.run(_problem(), _kernels()[0], T, chunk=100, on_chunk=_stop_at(300), **kw)
    second = regret.run(_problem(), _kernels()[0], T, chunk=37, resume=first, on_chunk=_stop_at(1000), **kw)
    assert first.interrupted and second.interrupted and first.steps_done < second.steps_done < T
    assert first.engine == whole.engine
    done = regret.run(_problem(), _kernels()[0], T, chunk=512, resume=second, **kw)
    _assert_same(done, whole)
    assert done.provenance["resumed_at"] == [first.steps_done, second.steps_done]


def test_resume_on_a_general_problem():
    prob = regret.problem("quadratic", a=[1.0, 4.0], c=[0.3, 2.0])
    k = regret.optimizer("adam", lr=[0.01, 0.1])
    whole = regret.run(prob, k, 1500, chunk=64)
    part = regret.run(prob, k, 1500, chunk=64, on_chunk=_stop_at(400))
    assert part.interrupted and part.engine == "compiled"  # regret.compiled under "auto"
    _assert_same(regret.run(prob, k, 1500, chunk=64, resume=part), whole)


def test_resume_on_another_engine_is_refused():
    part = regret.run(_problem(), _kernels()[0], 1000, chunk=50, engine="numpy", on_chunk=_stop_at(100))
    if regret.run(_problem(), _kernels()[0], 10).engine == "numpy":
        pytest.skip("the fused engine does not apply here")
    with pytest.raises(ValueError, match="engine 'numpy'"):
        regret.run(_problem(), _kernels()[0], 1000, resume=part)


def test_sigint_sets_the_flag_and_the_previous_handler_comes_back():
    before = signal.getsignal(signal.SIGINT)
    part = regret.run(_problem(), _kernels()[0], 1000, chunk=50, on_chunk=_stop_at(200, use_signal=True))
    assert part.interrupted and 200 <= part.steps_done < 250
    assert signal.getsignal(signal.SIGINT) is before
    whole = regret.run(_problem(), _kernels()[0], 1000, chunk=50)
    _assert_same(regret.run(_problem(), _kernels()[0], 1000, resume=part), whole)


def test_resume_of_a_different_run_is_refused():
    part = regret.run(_problem(), _kernels()[0], 1000, chunk=50, on_chunk=_stop_at(100))
    with pytest.raises(ValueError, match="T=999"):
        regret.run(_problem(), _kernels()[0], 999, resume=part)
    with pytest.raises(ValueError, match="beta2"):
        regret.run(_problem(), regret.optimizer("adam", beta1=0.9, beta2=[0.99, 0.6], lr=0.05), 1000, resume=part)
    with pytest.raises(ValueError, match="seed"):
        regret.run(regret.problem("reddi-stochastic", C=3.0, delta=0.3, seed=[5, 7]), _kernels()[0], 1000,
                   resume=part)


def test_resume_from_a_state_of_other_meaning_is_refused(tmp_path):
    # the arrays of a saved state mean what their names say: a result whose state names differ
    # from this version's kernel (or a result saved before names were kept, whose Adam state held
    # β^t where it now holds 1 − β^t) is rerun, not resumed
    part = regret.run(_problem(), _kernels()[0], 1000, chunk=50, on_chunk=_stop_at(100))
    assert part.resume_state["state_names"] == ["m", "v", "beta1_corr", "beta2_corr"]
    path = tmp_path / "part.json"
    storage.save(path, part)
    back = storage.load(path).results[0]
    assert back.resume_state["state_names"] == part.resume_state["state_names"]
    assert not regret.run(_problem(), _kernels()[0], 1000, resume=back).interrupted
    old = storage.load(path).results[0]
    old.resume_state["state_names"] = ["m", "v", "beta1_pow", "beta2_pow"]
    with pytest.raises(ValueError, match="beta1_pow.*rerun"):
        regret.run(_problem(), _kernels()[0], 1000, resume=old)
    del old.resume_state["state_names"]
    with pytest.raises(ValueError, match="earlier version.*rerun"):
        regret.run(_problem(), _kernels()[0], 1000, resume=old)


def test_faults_survive_interrupt_and_resume():
    prob = regret.problem("reddi-online", C=3)
    k = regret.optimizer("sgd", lr=[0.1, 1e308])
    whole = regret.run(prob, k, 500, chunk=20)
    assert whole.faults == [{"config": 1, "t": 1, "quantity": "x"}]
    part = regret.run(prob, k, 500, chunk=20, on_chunk=_stop_at(100))
    _assert_same(regret.run(prob, k, 500, chunk=20, resume=part), whole)


def test_save_is_atomic_under_interrupt(tmp_path, monkeypatch):
    path = tmp_path / "r.json"
    res = regret.run(regret.problem("reddi-online", C=3), regret.optimizer("sgd", lr=0.1), 50)
    storage.save(path, res)
    before = path.read_bytes()

    def interrupted_fsync(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted_fsync)
    with pytest.raises(KeyboardInterrupt):
        storage.save(path, [res, res])
    assert path.read_bytes() == before, "the old file is untouched"
    assert os.listdir(tmp_path) == ["r.json"], "no temporary file is left behind"


def test_cli_interrupt_save_and_resume(tmp_path, monkeypatch, capsys):
    argv = ["run", "--problem", "reddi-stochastic:C=3,delta=0.3", "--seed", "9",
            "--optimizer", "adam:beta1=0.9,beta2=[0.99,0.5],lr=0.05", "--optimizer", "sgd:lr=0.1",
            "--T", "3000", "--chunk", "100"]
    whole, part = tmp_path / "whole.json", tmp_path / "part.json"
    assert main(argv + ["--save", str(whole)]) == 0
    capsys.readouterr()

    real_run = engine.run
    monkeypatch.setattr("regret.cli.run", lambda *a, **kw: real_run(*a, **{**kw, "on_chunk": _stop_at(500, 1)}))
    assert main(argv + ["--save", str(part), "--json"]) == 130
    out, err = capsys.readouterr()
    assert json.loads(out)["interrupted"] is True
    assert err.count("\n") == 1 and "interrupted in sgd after t=500 of T=3000" in err and "--resume" in err
    assert main(["show", str(part)]) == 130
    capsys.readouterr()

    monkeypatch.setattr("regret.cli.run", real_run)
    assert main(["run", "--resume", str(part)]) == 0  # saves over part.json by default
    a, b = storage.load(part), storage.load(whole)
    assert a.command == b.command
    for ra, rb in zip(a.results, b.results):
        _assert_same(ra, rb)
        assert ra.resume_state is None


def test_real_ctrl_c_in_a_subprocess(tmp_path):
    """A real SIGINT to `regret run`: exit status 130, one line, a resumable file."""
    path = tmp_path / "r.json"
    child = textwrap.dedent(f"""
        import sys
        from regret import cli, engine
        from regret.cli import build_parser, main
        build_parser()  # import every subcommand now, so the signal lands inside the run

        def run(*a, **kw):  # "ready" once the run has begun (a loaded machine may take seconds)
            inner, said = kw.get("on_chunk"), []

            def hook(i, t):
                if not said:
                    said.append(print("ready", flush=True))
                return inner(i, t) if inner is not None else None

            return engine.run(*a, **dict(kw, on_chunk=hook))

        cli.run = run
        sys.exit(main(["run", "--problem", "reddi-stochastic:C=3", "--optimizer", "adam",
                       "--T", "100000000", "--chunk", "2000", "--save", {str(path)!r}]))
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        import time

        time.sleep(0.7)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "after t=" in err and "not started" not in err, err
    saved = storage.load(path)
    (res,) = saved.results
    assert res.interrupted and 0 < res.steps_done < 100_000_000
    assert res.resume_state is not None and saved.command["T"] == "100000000"
