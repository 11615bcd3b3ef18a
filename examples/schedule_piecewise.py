"""Schedule lab, a band that switches regime at t = K: wide (Adam-like) first, then closing like 1/t.

    python examples/schedule_piecewise.py

    η_l(t) = α/10 for t ≤ K, α(1 − 1/t) after;   η_u(t) = 10α for t ≤ K, α(1 + 1/t) after

Written with Piecewise((value, condition), ..., (value, True)); proofs decides each clause piece
by piece with the switch point in every scan.  On the shell the commas inside Piecewise need no
escaping (options are split on top-level commas only):

    regret schedule --lower 'Piecewise((alpha/10, t <= K), (alpha*(1 - 1/t), True))' \\
        --upper 'Piecewise((10*alpha, t <= K), (alpha*(1 + 1/t), True))' --param alpha=0.1 --param K=100

Report: ./schedule-piecewise/.
"""
from regret import report
from regret.studies import schedule_lab

study = schedule_lab.run("Piecewise((alpha/10, t <= K), (alpha*(1 - 1/t), True))",
                         "Piecewise((10*alpha, t <= K), (alpha*(1 + 1/t), True))", {"alpha": "0.1", "K": "100"},
                         T=2000, quick=True, only=["period-3", "minus-one-two", "quadratic"])
paths = report.write([study], "schedule-piecewise", plotters={schedule_lab.KEY: schedule_lab.plot},
                     title="regret schedule", intro=schedule_lab.INTRO)
for c in study.claims:
    print(f"{'pass' if c.passed else 'FAIL'}  {c.claim}: {c.measured}")
print(f"every claim held: {study.passed}; report: {paths['html']}")
