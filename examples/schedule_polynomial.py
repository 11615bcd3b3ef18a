"""Schedule lab, polynomial band: η_l(t) = α*(1 − 1/(4t²+1)), η_u(t) = α*(1 + 1/(4t²)).

    python examples/schedule_polynomial.py      (the same as: regret schedule --lower ... --upper ...)

A band that closes like 1/t² meets every stated assumption of Theorem 4 *and* the hidden
requirement its proof needs (the paper's band, closing like 1/t with γ < 4, does not), with a
small Savarese M.  The lab decides each clause, runs the band beside the paper's on a few
counterexamples and writes a report into ./schedule-polynomial/.
"""
from regret import report
from regret.studies import schedule_lab

study = schedule_lab.run("alpha*(1 - 1/(4*t**2 + 1))", "alpha*(1 + 1/(4*t**2))", {"alpha": "0.1"},
                         T=2000, quick=True, only=["period-3", "savarese", "quadratic"])
paths = report.write([study], "schedule-polynomial", plotters={schedule_lab.KEY: schedule_lab.plot},
                     title="regret schedule", intro=schedule_lab.INTRO)
for c in study.claims:
    print(f"{'pass' if c.passed else 'FAIL'}  {c.claim}: {c.measured}")
print(f"every claim held: {study.passed}; report: {paths['html']}")
