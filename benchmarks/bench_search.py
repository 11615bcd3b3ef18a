"""Counterexample search (issue 16): the targets, measured.

    .venv/bin/python benchmarks/bench_search.py           # all targets (~2-4 minutes on 2 shared cores)
    .venv/bin/python benchmarks/bench_search.py --quick   # 10 seeds instead of 100, a smoke test

Prints, per target, the verdict, the find (spec), the certificate's limit, the time and the engine's
rate (config-steps/s of the engine runs of the search, their own time; compilation is excluded by a
warm-up search per kernel).  Budgets are candidate evaluations, stated in each line; times are wall
clock of ``regret.search.search`` (search + certificate + shrink + confirming run).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import regret
from regret.search import VERDICTS, constant_bound, search


def _line(name, res, extra=""):
    c = res.confirm or {}
    lim = res.certificate["limit_float"] if res.certificate else float("nan")
    bound = c.get("bound")
    b = (f"  R_T/√T = {c['regret_over_sqrt_T']:.4g} ≤ {bound['over_sqrt_T']:.4g} ({bound['name']}): {bound['holds']}"
         if bound else "")
    print(f"{name:34s} {res.verdict:42s} P={res.period} lim={lim:.4g} R_T/T={c.get('average_regret', float('nan')):.4g} "
          f"slope={c.get('tail_slope', float('nan')):+.3f} {res.seconds:6.2f} s  engine {res.engine_rate:.3g}/s "
          f"({res.engine_cpu_rate:.3g}/CPU-s){b}{extra}")
    print(f"{'':34s} {res.spec}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    n_seeds = 10 if args.quick else 100

    adam = regret.optimizer("adam", beta1=0.0, beta2=0.1, lr=0.1, convention="theory")
    budget, confirm_T = 20_000, 20_000
    search(adam, seed=10 ** 6, budget=2_000, confirm_T=100)  # warm-up: compile outside the timings
    times, cpu, certified, periods, evals = [], [], 0, [], []
    for s in range(n_seeds):
        t0, c0 = time.perf_counter(), time.process_time()
        r = search(adam, seed=s, P_max=6, budget=budget, confirm_T=confirm_T)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        certified += r.verdict == VERDICTS[0]
        periods.append(r.period)
        evals.append(r.evaluations)
    print(f"Adam β1=0, β2=0.1, α=0.1 (theory), P_max=6, budget {budget} candidates, confirm T={confirm_T}:")
    print(f"  {certified}/{n_seeds} seeds certified; per search median {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s, total {sum(times):.1f} s (CPU: median {statistics.median(cpu):.2f} s, max "
          f"{max(cpu):.2f} s); candidates per search median {statistics.median(evals):.0f}, max {max(evals)}; "
          f"periods found {sorted(set(periods))}")

    from proofs import theorem2

    k = regret.optimizer("adam", beta1=0.9, beta2=0.999, lr=0.1, convention="theory")
    r = search(k, family="spike", P_max=100, T=4000, budget=200_000, seed=0, confirm_T=100_000)
    reddi = theorem2.find_C(0.9, 0.999)
    _line("adam β1=0.9 β2=0.999 spike P≤100", r)
    print(f"{'':34s} beside proofs.theorem2.find_C: Reddi's family C=P={reddi.C}, values [C, −1, …], "
          f"lim R_T/T = 2/C = {reddi.average_regret_limit:.4g}; drift α·S = {0.1 * reddi.drift[0]:.4g}")
    if r.certificate:
        print(f"{'':34s} the search's: period {r.period}, lim R_T/T = {r.certificate['limit']} "
              f"= {r.certificate['limit_float']:.3g}, drift α·S = {r.certificate['coordinates'][0]['drift'][0]:.4g}")

    for P in (3, 6):
        r = search(k, P_max=P, objective="drift", budget=40_000, seed=0, confirm_T=100_000)
        _line(f"adam β1=0.9 β2=0.999 drift P≤{P}", r)
        if r.certificate:
            print(f"{'':34s} drift α·S = {r.certificate['coordinates'][0]['drift'][0]:.4g}; {r.reason}")

    cases = [
        ("rmsprop β2=0.1 α=0.1 (theory)", regret.optimizer("rmsprop", beta2=0.1, lr=0.1, convention="theory")),
        ("adabound band [0.01,10] (theory)", regret.optimizer(
            "adabound", beta1=0.0, beta2=0.1, lr=0.1, lower=constant_bound(0.01), upper=constant_bound(10.0),
            convention="theory")),
        ("amsgrad β1=0 β2=0.1 (theory)", regret.optimizer("amsgrad", beta1=0.0, beta2=0.1, lr=0.1, convention="theory")),
        ("sgd α/√t", regret.optimizer("sgd", lr=0.1, convention="theory")),
        ("adabound paper band (theory)", regret.optimizer("adabound", beta1=0.0, beta2=0.1, lr=0.1,
                                                          convention="theory")),
    ]
    for name, k in cases:
        search(k, seed=10 ** 6, budget=500, confirm_T=100)  # warm-up
        _line(name, search(k, seed=0, budget=60_000, confirm_T=100_000))

    # the batched rate: one search with 4096 candidates per generation (one engine run each), T = 3000;
    # scipy's differential_evolution itself costs O(S²) per generation in _select_samples, timed apart
    r = search(adam, seed=0, P_min=2, P_max=2, T=3000, popsize=4096, budget=5 * 4096, confirm_T=100,
               stop_at_certified=False)
    print(f"engine rate inside a search (P=2, 4096 candidates per run, T=3000, {r.engine_runs} runs): "
          f"{r.engine_rate:.3g} config-steps/s; {r.evaluations} candidates in {r.seconds:.2f} s wall, "
          f"{r.engine_seconds:.2f} s of it in the engine; {r.engine_cpu_rate:.3g} config-steps per CPU-second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
