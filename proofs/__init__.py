"""proofs: the symbolic side of ``regret`` (sympy).

Owns every formula of the theory: conditions such as β1 < √β2, the counterexample
constructions' constants and the regret bounds as expressions of T.  The numeric side calls it
rather than re-typing formulas.  (The full package is built by the proofs issue.)
"""
