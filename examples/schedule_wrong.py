"""Schedule lab, wrong on purpose: bounds that converge to two different values.

    python examples/schedule_wrong.py

    η_l(t) = 0.05·(1 − 1/(t+1)) → 1/20,   η_u(t) = 0.2·(1 + 1/t) → 1/5

The band never closes, so AdaBound never becomes SGD: the "common limit" clause of Theorem 4
fails with the two limits as witness, Savarese's M is infinite (his corrected bound does not
apply), the band's width stays ≈ 0.15 on the run, and on the counterexamples the clip leaves
room for Adam's failure (R_t/t levels off).  Report: ./schedule-wrong/.
"""
from regret import report
from regret.studies import schedule_lab

study = schedule_lab.run("0.05*(1 - 1/(t + 1))", "0.2*(1 + 1/t)", T=2000, quick=True, only=["period-3", "savarese", "quadratic"])
paths = report.write([study], "schedule-wrong", plotters={schedule_lab.KEY: schedule_lab.plot},
                     title="regret schedule", intro=schedule_lab.INTRO)
for c in study.claims:
    print(f"{'pass' if c.passed else 'FAIL'}  {c.claim}: {c.measured}")
failed = [c.claim.split(":")[0] for c in study.claims if not c.passed]
print(f"failed, as intended: {', '.join(failed)}; report: {paths['html']}")
