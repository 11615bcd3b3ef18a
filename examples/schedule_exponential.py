"""Schedule lab, exponential band: η_l(t) = α*(1 − e^(−γt)), η_u(t) = α*(1 + e^(−γt)).

    python examples/schedule_exponential.py

The band closes geometrically fast.  Whatever proofs cannot decide for exp-type schedules is
reported ``undecided`` (not a pass: the lab never counts a clause it could not decide as held);
the runs show what happens on the counterexamples.  Report: ./schedule-exponential/.
"""
from regret import report
from regret.studies import schedule_lab

study = schedule_lab.run("alpha*(1 - exp(-gamma*t))", "alpha*(1 + exp(-gamma*t))", {"alpha": "0.1", "gamma": "0.1"},
                         T=2000, quick=True, only=["period-3", "stochastic", "quadratic"])
paths = report.write([study], "schedule-exponential", plotters={schedule_lab.KEY: schedule_lab.plot},
                     title="regret schedule", intro=schedule_lab.INTRO)
for c in study.claims:
    print(f"{'pass' if c.passed else 'FAIL'}  {c.claim}: {c.measured}")
print(f"every claim held: {study.passed}; report: {paths['html']}")
