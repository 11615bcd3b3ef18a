"""The layers point one way (docs/ARCHITECTURE.md), read from the source with ``ast``, not run:

* no module under proofs/ imports regret (at module level or inside a function, nor through
  importlib): proofs holds formulas, exact decisions, predictions and bounds; runs are regret's;
* among regret's parts (its top-level modules and subpackages) the imports form no circle, except
  through the documented face regret/__init__.py (which only hands names on);
* the numeric core (problems, kernels, engine, result, …) never imports what sits on it (the
  studies, the report, figures and the CLI);
* the modules of proofs/ form no circle either (conditions, the dispatch by theorem name, sits
  above the theorem modules);
* the theory tests (tests/test_proofs_*.py) run no simulation: they import nothing of regret
  but its CLI (for ``regret check``).
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACES = {"regret"}             # regret/__init__.py: an import of it is not an edge of the graph
ON_TOP = {"studies", "report", "figures", "plotting", "storage", "cli", "__main__"}   # and every cli_*
CORE = {"validate", "jsonable", "feasible", "problems", "kernels", "schedules", "steps", "fused", "codegen", "engine", "result",
        "replay", "spec"}


def _module_name(path: Path) -> tuple[str, str]:
    """(dotted module name, its package) of a source file under ROOT."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        name = ".".join(parts[:-1])
        return name, name
    name = ".".join(parts)
    return name, name.rsplit(".", 1)[0]


def _exists(dotted: str) -> bool:
    p = ROOT.joinpath(*dotted.split("."))
    return p.with_suffix(".py").exists() or (p / "__init__.py").exists()


def imports(path: Path, text: str | None = None) -> list[str]:
    """Every module ``path`` (or ``text`` read as if it were that file) imports, anywhere in the
    file, resolved to dotted names (``from .. import x`` is the module ``pkg.x`` when that is a
    module, else ``pkg``)."""
    name, package = _module_name(path)
    out = []
    source = path.read_text(encoding="utf-8") if text is None else text
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                if len(base) < 1 or node.level - 1 >= len(package.split(".")):
                    out.append("<outside the package>")
                    continue
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for a in node.names:
                out.append(f"{mod}.{a.name}" if _exists(f"{mod}.{a.name}") else mod)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) \
                and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__"):
            out.append(node.args[0].value)
    return out


def _part(dotted: str) -> str:
    """regret.kernels.adam → kernels; regret.engine → engine; regret → regret (the face)."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_no_module_under_proofs_imports_regret():
    files = sorted((ROOT / "proofs").rglob("*.py"))
    assert len(files) >= 10
    bad = {str(f.relative_to(ROOT)): [m for m in imports(f) if m == "regret" or m.startswith("regret.")
                                      or m == "<outside the package>"] for f in files}
    assert not {f: m for f, m in bad.items() if m}


def test_the_import_check_sees_function_level_relative_and_dynamic_imports():
    # the check above must be able to fail: an import inside a function, as proofs' study() had
    study = ("def study():\n    import regret\n    from regret.studies import outcome\n"
             "    from .. import x\n    importlib.import_module('regret.engine')\n")
    assert imports(ROOT / "proofs" / "theorem1.py", study) == ["regret", "regret.studies.outcome",
                                                                "<outside the package>", "regret.engine"]
    sgd = imports(ROOT / "regret" / "kernels" / "sgd.py")
    assert "regret.kernels.base" in sgd and "regret.schedules" in sgd       # from .base / from .. import schedules


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for f in (ROOT / "regret").rglob("*.py"):
        src = _part(_module_name(f)[0])
        graph.setdefault(src, set())
        for m in imports(f):
            if m.startswith("regret.") or m == "regret":
                dst = _part(m)
                if dst != src and dst not in FACES:
                    graph[src].add(dst)
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one part (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_circle_among_the_parts_of_regret():
    graph = _graph()
    assert {"engine", "kernels", "problems", "studies", "cli"} <= set(graph)
    assert _circles(graph) == []
    # the cycle finder finds a circle where there is one
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_circle_among_the_modules_of_proofs():
    # proofs/__init__.py is the face (it only hands names on); conditions dispatches by theorem
    # name, so it sits above the theorem modules, which take the β condition from proofs.betas
    graph: dict[str, set[str]] = {}
    for f in (ROOT / "proofs").glob("*.py"):
        name = _module_name(f)[0]
        if name == "proofs":
            continue
        graph[name] = {m for m in imports(f) if m.startswith("proofs.") and m != name}
    assert {"proofs.conditions", "proofs.theorem2", "proofs.schedule_check"} <= set(graph)
    assert _circles(graph) == []


def test_the_numeric_core_does_not_import_what_sits_on_it():
    graph = _graph()
    for part in CORE & set(graph):
        above = {d for d in graph[part] if d in ON_TOP or d.startswith("cli")}
        assert not above, f"regret.{part} imports {sorted(above)}"


def test_theory_tests_run_no_simulation():
    # tests/test_proofs_*.py test proofs alone (and the `regret check` command, which is proofs
    # behind a CLI); a test that runs an optimizer belongs with the studies (test_studies.py)
    files = sorted((ROOT / "tests").glob("test_proofs_*.py"))
    assert files
    for f in files:
        used = {m for m in imports(f) if m == "regret" or m.startswith("regret.")}
        assert used <= {"regret.cli"}, (f.name, used)
