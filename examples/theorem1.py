"""Tutorial: a study from Python — predicted beside measured, a verdict, the runs behind it.

    python examples/theorem1.py            # the quick Theorem 1 study; writes theorem1-example.png

Every study of `regret reproduce` is a function returning a `StudyResult`: claims (each a
prediction from `proofs` beside the measured number, with the criterion that decided it), a
verdict computed from them, and the `Result` of every run.  Theorem 1 (Reddi et al., ICLR 2018):
on the period-3 problem Adam's R_T/T tends to (2C − 4)/3 while AMSGrad, SGD and AdaBound's go to 0.
"""
from proofs import theorem1
from regret import plotting
from regret.studies import theorem1 as study_theorem1

# 1. The theory alone: proofs predicts, exactly, with no run.
pred = theorem1.predict(3, lr=0.1)
print(f"proofs: β2 = {pred.beta2}, drift S = {float(pred.drift):.4f} < 0, lim R_T/T = {pred.average_regret_limit}")

# 2. The study: runs the line-up and holds each measurement against the prediction.
study = study_theorem1.run(quick=True)
print(f"\n{study.title}: {study.verdict}")
for check in study.claims:
    print(f"  [{'x' if check.passed else ' '}] {check.claim}\n      predicted {check.predicted!s:.40}  "
          f"measured {check.measured!s:.40}")

# 3. The runs behind it are ordinary Results.
adam = study.results["adam"]
print(f"\nAdam: T = {adam.T}, R_T/T = {adam.average_regret[-1, 0]:.5f}, engine {adam.engine}")
ax = plotting.average_regret(list(study.results.values()),
                             asymptote=(float(pred.average_regret_limit), "(2C − 4)/3 (proofs)"))
plotting.save(ax, "theorem1-example.png")
print("wrote theorem1-example.png")
