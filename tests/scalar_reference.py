"""Plain scalar loops written from the papers' formulas, independent of the package's kernels.

They share nothing with ``regret`` but the problem definitions they are handed, and they are
what the vectorised kernels and engines are checked against.
"""
import math


def reddi_gradient(t, C, P=3, b=1.0):
    return C if t % P == 1 % P else -b


def run_scalar(method, grad, T, x0=1.0, lo=-1.0, hi=1.0, lr=0.1, beta1=0.0, beta2=0.1,
               final_lr=0.1, gamma=None):
    """Theory conventions (α_t = α/√t, no bias correction, ε = 0).  Returns (x_{T+1}, R_T)."""
    x, m, v, vmax = x0, 0.0, 0.0, 0.0
    loss = G = 0.0
    gamma = 1.0 - beta2 if gamma is None else gamma
    for t in range(1, T + 1):
        g = grad(t)
        loss += g * x
        G += g
        a_t = lr / math.sqrt(t)
        if method == "sgd":
            x = x - a_t * g
        else:
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            vmax = max(vmax, v)
            vv = vmax if method in ("amsgrad", "amsbound") else v
            if method in ("adam", "amsgrad"):
                x = x - a_t * m / math.sqrt(vv)
            else:  # Luo et al. Alg. 2: η_t = Clip(α/√v_t, η_l(t), η_u(t))/√t
                lower = final_lr * (1 - 1 / (gamma * t + 1))
                upper = final_lr * (1 + 1 / (gamma * t))
                eta = min(max(lr / math.sqrt(vv), lower), upper) / math.sqrt(t)
                x = x - eta * m
        x = min(max(x, lo), hi)
    comparator = min(lo * G, hi * G)
    return x, loss - comparator
