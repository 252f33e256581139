"""Imports run one way (DESIGN.md): module-level imports form no cycle, the construct handlers
of the frontend never import its visitor (they receive it), and no layer imports a layer above
it, not even lazily inside a function. Imports under `TYPE_CHECKING` are for annotations only
and do not count."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "janus_mlir"

# Lower layers first; a module may import its own layer and the layers listed before it. The
# op registry, lang, eager autodiff and nn are one layer: an op's VJP rule is lang code, conv
# and pooling rules differentiate their nn forms, and lang applies registered ops.
NUMERICS = ("ops", "lang", "autodiff", "nn")
LAYERS = ["dialects", NUMERICS, "optim", "speculation", "passes", "frontend", "runtime",
          "tools"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(path: Path, module_level: bool = False) -> set[str]:
    """The janus_mlir modules `path` imports outside `if TYPE_CHECKING:` blocks (and outside
    functions, if `module_level`)."""
    tree = ast.parse(path.read_text())
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if module_level and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for stmt in child.orelse:
                    visit(stmt)
                continue
            if isinstance(child, ast.ImportFrom):
                base = package.split(".")
                if child.level:
                    base = base[:len(base) - child.level + 1]
                    name = ".".join([*base, child.module] if child.module else base)
                else:
                    name = child.module or ""
                if name.startswith("janus_mlir"):
                    found.add(name)
                    found.update(f"{name}.{a.name}" for a in child.names)
            elif isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.startswith("janus_mlir"))
            visit(child)

    visit(tree)
    return found


def _graph(module_level: bool = False) -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {m: {i for i in _runtime_imports(p, module_level) if i in modules and i != m}
            for m, p in modules.items()}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None
    for i, layer in enumerate(LAYERS):
        if parts[1] == layer or parts[1] in layer:
            return i
    return None


def test_module_level_imports_form_no_cycle():
    graph = _graph(module_level=True)
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for dep in sorted(graph[m]):
            if m.startswith(dep + "."):  # a package's submodule reads its __init__
                continue
            if state.get(dep) == 1:
                return path[path.index(dep):] + [dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        state[m] = 2
        path.pop()
        return None

    for m in sorted(graph):
        if m not in state and (cycle := visit(m)):
            raise AssertionError("import cycle: " + " -> ".join(cycle))


def test_frontend_handlers_receive_the_visitor_instead_of_importing_it():
    importers = sorted(m for m, deps in _graph().items()
                       if "janus_mlir.frontend.converter" in deps
                       and m != "janus_mlir.frontend.convert")
    assert not importers, f"import frontend.converter when they run: {importers}"


def test_layers_import_only_downwards():
    up = []
    for module, deps in _graph().items():
        mine = _layer(module)
        if mine is None:
            continue
        for dep in deps:
            theirs = _layer(dep)
            if theirs is not None and theirs > mine:
                up.append(f"{module} imports {dep}")
    assert not up, "imports against the layering:\n" + "\n".join(sorted(up))
