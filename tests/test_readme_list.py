"""The README's list of converted NumPy functions is the registry's (regenerate it with
`python -m janus_mlir.tools.converted --write README.md`)."""

from __future__ import annotations

from pathlib import Path

from janus_mlir.tools import converted

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_lists_what_the_registry_converts():
    text = README.read_text()
    assert converted.rewrite(text) == text, (
        "README.md is out of date: run python -m janus_mlir.tools.converted --write README.md")


def test_refused_functions_are_not_listed_as_converted():
    text = converted.section()
    listed, refused = text.split("Recognised but run as plain Python")
    assert "`np.partition`" in refused and "`np.partition`" not in listed
    assert "`np.add.at`" in listed and "`np.einsum`" in listed
