"""Short reprs of Result, Problem and Kernel, and their HTML forms for notebooks."""
import numpy as np

import regret


def test_result_repr_is_one_short_line_with_the_numbers():
    k = regret.optimizer("adam", beta1=0.0, beta2=np.linspace(0.1, 0.9, 100), lr=0.1, convention="theory")
    res = regret.run(regret.problem("reddi-online", C=3), k, T=300)
    text = repr(res)
    assert "\n" not in text and len(text) < 160, text
    avg = res.regret_final / res.T
    assert text.startswith("Result(adam on reddi-online, T=300, B=100, engine=")
    assert f"[{avg.min():.4g}, {avg.max():.4g}]" in text
    page = res._repr_html_()
    assert page.count("<tr><td>") == 12 and "88 more configurations" in page
    assert f"{res.regret_final[0]:.6g}" in page


def test_problem_and_kernel_reprs():
    p = regret.problem("reddi-stochastic", C=[3, 4], seed=1)
    assert " object at 0x" not in repr(p)
    assert repr(p).startswith("ReddiStochastic(reddi-stochastic: C=[3, 4]") and "B=2" in repr(p)
    assert "<table>" in p._repr_html_() and "stochastic" in p._repr_html_()
    k = regret.optimizer("adam", beta2=[0.5, 0.9])
    assert repr(k).startswith("Kernel(adam, B=2, practical: ") and "beta2=[0.5, 0.9]" in repr(k)
    assert "2 values" in k._repr_html_()
