"""The progress bar of a long run, and the one line it leaves behind.

``enabled_by_default()``: a bar appears when stderr is a terminal or the code runs in a Jupyter
kernel (where stderr is not a terminal but a person is watching).  ``bar(T, desc)`` is
``tqdm.auto.tqdm``: a widget in a notebook (when ipywidgets is installed; tqdm falls back to
text otherwise), the text bar in a terminal.  The bar itself is transient (``leave=False``);
``Bar.close`` then writes one summary line — what ran, how many steps, the time and the rate —
so a finished run leaves a record, not a vanished bar.
"""
from __future__ import annotations

import sys
import time


def in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython's ZMQ shell), without importing IPython."""
    ipython = sys.modules.get("IPython")
    if ipython is None or "ipykernel" not in sys.modules:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # noqa: BLE001 - any failure means: not a notebook we can draw into
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def enabled_by_default() -> bool:
    return sys.stderr.isatty() or in_notebook()


class Bar:
    """A tqdm bar over T steps that, closed, leaves ``desc: N steps in S s (R steps/s[, …])``."""

    def __init__(self, T: int, desc: str, initial: int = 0, batch: int = 1):
        from tqdm.auto import tqdm

        self.desc, self.initial, self.batch = desc, int(initial), int(batch)
        self.done = int(initial)
        self.started = time.perf_counter()
        self._tqdm = tqdm(total=T, initial=initial, desc=desc, unit="step", unit_scale=True, leave=False,
                          file=sys.stderr)

    def update(self, n: int) -> None:
        self.done += int(n)
        self._tqdm.update(n)

    def summary(self, stopped: bool = False) -> str:
        seconds = time.perf_counter() - self.started
        steps = self.done - self.initial
        rate = steps / seconds if seconds > 0 else float("inf")
        from tqdm import tqdm

        line = f"{self.desc}: {steps:,} steps in {seconds:.3g} s ({tqdm.format_sizeof(rate)} steps/s"
        if self.batch > 1:
            line += f", {tqdm.format_sizeof(rate * self.batch)} config-steps/s for B = {self.batch}"
        line += ")"
        if self.initial:
            line += f", resumed at t = {self.initial:,}"
        if stopped:
            line += f", stopped at t = {self.done:,}"
        return line

    def close(self, stopped: bool = False) -> str:
        self._tqdm.close()
        line = self.summary(stopped)
        from tqdm.auto import tqdm

        tqdm.write(line, file=sys.stderr)
        return line
