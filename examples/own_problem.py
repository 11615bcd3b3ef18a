"""Your own problem by subclassing: an online quadratic whose target alternates.

f_t(x) = ½(x − c_t)² on F = [−1, 1], c_t = a at odd t, −b at even t.  A ``GeneralProblem``
(x-dependent gradients) supplies ``grad``, ``loss`` and the exact comparator
min_x Σ_{t≤T} f_t(x), here in closed form: the minimiser is the mean of the c_t, clipped to F.
Registered, ``regret.problem("alternating-quadratic", a=..., b=...)`` builds it, and
``regret --plugin examples/own_problem.py run --problem alternating-quadratic ...`` runs it.

    python examples/own_problem.py
"""
import numpy as np

import regret


class AlternatingQuadratic(regret.GeneralProblem):
    """f_t(x) = ½(x − c_t)², c_t = a (t odd) or −b (t even), on [−1, 1]."""

    name = "alternating-quadratic"

    def __init__(self, a=1.0, b=0.5, x0=None):
        if not (np.isfinite(a) and np.isfinite(b)):
            raise ValueError(f"a={a!r}, b={b!r} must be finite numbers")
        self.a, self.b = float(a), float(b)
        super().__init__(regret.interval(-1.0, 1.0), batch=1, params={"a": self.a, "b": self.b}, x0=x0)

    def target(self, t):
        return self.a if t % 2 == 1 else -self.b

    def grad(self, x, t):
        return x - self.target(t)

    def loss(self, x, t):
        return 0.5 * np.sum((x - self.target(t)) ** 2, axis=-1)

    def comparator(self, T):
        n_odd, n_even = (T + 1) // 2, T // 2
        x_star = np.clip((n_odd * self.a - n_even * self.b) / T, -1.0, 1.0)
        return np.atleast_1d(0.5 * (n_odd * (x_star - self.a) ** 2 + n_even * (x_star + self.b) ** 2))


regret.register_problem("alternating-quadratic", AlternatingQuadratic)

if __name__ == "__main__":
    problem = regret.problem("alternating-quadratic", a=1.0, b=0.5)
    T = 2000
    # the comparator against a brute-force minimum over a fine grid of x
    grid = np.linspace(-1, 1, 200_001)
    brute = min(sum(0.5 * (x - problem.target(t)) ** 2 for t in range(1, T + 1)) for x in grid[::1000])
    print(f"comparator {problem.comparator(T)[0]:.6f}, grid minimum (coarse) {brute:.6f}")
    results = regret.run(problem, [regret.optimizer("sgd", lr=0.5, convention="theory"),
                                   regret.optimizer("adam", beta1=0.0, beta2=0.99, lr=0.1, convention="theory")], T=T)
    for res in results:
        print(f"{res.optimizer}: x_T = {res.x_final[0, 0]:+.4f} (x* = 0.25), R_T/T = {res.regret_final[0] / T:.5f}")
