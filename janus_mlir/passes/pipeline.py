"""Pass pipelines: parsing `builtin.module(a,b{opt=1})`, running janus and upstream passes.

`janus-to-iree-input` is the pipeline that takes janus IR to what iree-compile accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from iree.compiler import ir, passmanager

from .registry import PASSES, Pass, PassError

# The canonical lowering: effects into results and the write plan, gradients expanded into
# janus ops, then guards (they read tensors the compute lowering produces), compute ops, while
# loops as blocks (an IREE workaround), then upstream cleanup.
JANUS_TO_IREE_INPUT = ("janus-lower-state", "janus-autodiff", "janus-lower-guards",
                       "convert-janus-to-linalg", "janus-lower-while", "canonicalize", "cse")


@dataclass(frozen=True)
class PassStep:
    name: str
    options: dict[str, str] = field(default_factory=dict)

    def spec(self) -> str:
        if not self.options:
            return self.name
        return self.name + "{" + " ".join(f"{k}={v}" for k, v in self.options.items()) + "}"


def expand(steps: list[PassStep]) -> list[PassStep]:
    """Replace named pipelines by their passes."""
    out: list[PassStep] = []
    for s in steps:
        if s.name == "janus-to-iree-input":
            out.extend(PassStep(n) for n in JANUS_TO_IREE_INPUT)
        else:
            out.append(s)
    return out


_PIPELINE = re.compile(r"^\s*builtin\.module\((.*)\)\s*$", re.S)


def parse_pipeline(text: str) -> list[PassStep]:
    """Parse `builtin.module(p1,p2{k=v})` (or a bare comma-separated list) into steps."""
    m = _PIPELINE.match(text)
    body = m.group(1) if m else text
    steps: list[PassStep] = []
    depth, start = 0, 0
    for i, ch in enumerate(body + ","):
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif ch == "," and depth == 0:
            item = body[start:i].strip()
            start = i + 1
            if item:
                steps.append(_parse_step(item))
    if depth != 0:
        raise PassError(f"unbalanced braces in pass pipeline '{text}'")
    return steps


def _parse_step(item: str) -> PassStep:
    if re.fullmatch(r"[\w.-]+\s*\(.*\)", item, re.S):
        return PassStep(item)  # a nested pipeline (func.func(cse)): upstream runs it whole
    m = re.fullmatch(r"([\w.-]+)\s*(?:\{(.*)\})?", item, re.S)
    if not m:
        raise PassError(f"cannot parse pass '{item}'")
    opts: dict[str, str] = {}
    for kv in (m.group(2) or "").split():
        k, _, v = kv.partition("=")
        opts[k] = v
    return PassStep(m.group(1), opts)


def make_pass(step: PassStep) -> Pass:
    cls = PASSES[step.name]
    known = cls.options()
    kwargs = {}
    for k, v in step.options.items():
        if k not in known:
            raise PassError(f"pass '{step.name}' has no option '{k}'")
        typ = known[k]
        kwargs[k] = (v.lower() in ("1", "true")) if typ in (bool, "bool") else (
            int(v) if typ in (int, "int") else v)
    return cls(**kwargs)


def run_pipeline(
    module: ir.Module,
    steps: list[PassStep],
    after_each: Callable[[str, ir.Module], None] | None = None,
) -> None:
    """Run `steps` in order on `module`; janus passes directly, others through PassManager."""
    for step in expand(steps):
        if step.name in PASSES:
            make_pass(step).run(module)
        else:
            with module.context:
                try:
                    pm = passmanager.PassManager.parse(f"builtin.module({step.spec()})")
                except ValueError as e:
                    raise PassError(f"unknown pass or bad options '{step.spec()}': {e}") from None
                pm.run(module.operation)
        if after_each is not None:
            after_each(step.spec(), module)


def lower_to_iree_input(module: ir.Module) -> None:
    run_pipeline(module, [PassStep(n) for n in JANUS_TO_IREE_INPUT])
