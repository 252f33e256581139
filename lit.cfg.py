"""lit configuration for the janus_mlir FileCheck tests (tests/lit, mirroring the source tree).

Run: `PATH=$PWD/.venv/bin:$PATH .venv/bin/lit -sv tests/lit` (or `make lit`). Tools:
  janus-opt   the driver, run from this checkout as `python -m janus_mlir.tools.janus_opt`
              (works before `pip install`), with the Python that runs lit
  FileCheck   the `filecheck` package's executable (a Python clone of LLVM's FileCheck)
  not         lit's built-in (the internal shell inverts the exit status)
"""

import os
import shutil
import sys

import lit.formats

# `config` is injected by lit.
config.name = "janus_mlir"  # noqa: F821
config.test_format = lit.formats.ShTest(execute_external=False)  # noqa: F821
config.suffixes = [".mlir"]  # noqa: F821

_root = os.path.dirname(os.path.abspath(__file__))
# The suite's root is the repository (lit finds this file from tests/lit); run it on tests/lit.
# Test paths are then tests/lit/..., mirroring the source tree.
config.test_source_root = _root  # noqa: F821
config.test_exec_root = os.path.join(_root, "build", "lit")  # noqa: F821
config.excludes = ["Inputs", ".venv", "build", ".git", "janus_mlir", "examples", "bench"]  # noqa: F821

# Let the tests import this checkout; keep the user's PATH/HOME (compile cache) for the tools.
_pythonpath = [_root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
config.environment["PYTHONPATH"] = os.pathsep.join(_pythonpath)  # noqa: F821
for _var in ("HOME", "TMPDIR", "JANUS_MLIR_CACHE_DIR"):
    if _var in os.environ:
        config.environment[_var] = os.environ[_var]  # noqa: F821


def _filecheck() -> str:
    """The FileCheck executable: next to this Python (a venv's bin), else on PATH."""
    for name in ("filecheck", "FileCheck"):
        here = os.path.join(os.path.dirname(sys.executable), name)
        if os.access(here, os.X_OK):
            return here
        found = shutil.which(name)
        if found:
            return found
    lit_config.fatal("FileCheck not found: pip install filecheck")  # noqa: F821
    return ""


def _tool(name: str) -> str:
    """A regex matching `name` as a command word, not inside a path like tools/janus-opt/x.mlir."""
    return r"(?<![\w./-])" + name.replace("-", r"\-") + r"(?![\w./-])"


_python = sys.executable
config.substitutions.append(("%PYTHON", _python))  # noqa: F821
config.substitutions.append(  # noqa: F821
    (_tool("janus-opt"), f"{_python} -m janus_mlir.tools.janus_opt"))
config.substitutions.append((_tool("FileCheck"), _filecheck()))  # noqa: F821
