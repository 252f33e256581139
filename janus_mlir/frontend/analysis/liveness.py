"""Live names (backward dataflow over a function's statements): which local names a later
statement may still read.

The converter asks one question: at the head of a loop, which names may be read before they are
bound again, in a later iteration or after the loop (through `break` too: in scf form every exit
leaves through the head)? A loop carries only the names it rebinds that are live there
(modified ∩ live); a dead one needs no block argument, and may even change its type from one
iteration to the next.

The answer over-approximates, which is always safe (a name carried needlessly costs a block
argument, never a wrong value):
- every name a nested def or lambda reads is live everywhere (it may run later, as a closure),
  and so is every `global`/`nonlocal` name;
- only definite bindings kill: a plain assignment to a name, a `for` target, `with ... as`,
  `import`, `def`/`class`, `del`; never `:=` (it may not run), never a `match` capture;
- inside `try`, whatever a handler or `finally` reads is live at every statement of the body;
- `break` continues with what is live after the loop, `continue` with the loop's head, `return`
  and `raise` with nothing (plus the names live everywhere).

The converter keeps a check on the answer's other side: a dropped name is unbound inside and
after the loop, so a read the analysis missed stops the conversion (errors.NeedsCarry) and the
loop is converted again carrying it, never reading a stale value.

Results are keyed by the loop statement's (line, column): loops the converter rewrites later
(`break` as flags, canonicalize/jumps.py) keep their statement's location and its live names.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

Names = frozenset[str]
Key = tuple[int, int]

_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)


@dataclass(frozen=True)
class LoopLiveness:
    head: Names  # live at the loop's head, or after the loop (every exit passes the head)
    after: Names  # live after the loop


def loops(body: list[ast.stmt]) -> dict[Key, LoopLiveness]:
    """(line, column) of every loop in `body` (nested loops too, not inside nested defs) ->
    its live names. Names live at the function's end: none but the pinned ones."""
    analysis = _Liveness(_pinned(body))
    analysis.block(body, analysis.pinned)
    return analysis.loops_seen


def _pinned(body: list[ast.stmt]) -> Names:
    """Names live everywhere: read by a nested def or lambda, or declared global/nonlocal."""
    out: set[str] = set()
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, (ast.Global, ast.Nonlocal)):
                out.update(node.names)
            elif isinstance(node, _NESTED):
                for inner in _nested_parts(node):
                    out.update(_loads(inner))
    return frozenset(out)


def _nested_parts(node: ast.AST) -> Iterable[ast.AST]:
    if isinstance(node, ast.Lambda):
        return [node.body]
    return list(node.body)


def _loads(node: ast.AST) -> set[str]:
    """Every name read anywhere under `node` (over-approximated: comprehension variables too)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)}


def _uses(exprs: Iterable[ast.AST | None]) -> set[str]:
    out: set[str] = set()
    for e in exprs:
        if e is not None:
            out |= _loads(e)
    return out


def _target_uses(target: ast.AST) -> set[str]:
    """Names a store target reads (`a[i] = ...` reads a and i; `x = ...` reads nothing)."""
    if isinstance(target, ast.Name):
        return set()
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_target_uses(t) for t in target.elts))
    if isinstance(target, ast.Starred):
        return _target_uses(target.value)
    return _loads(target)


def _target_kills(target: ast.AST) -> set[str]:
    """Names a store target binds for certain."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_target_kills(t) for t in target.elts))
    if isinstance(target, ast.Starred):
        return _target_kills(target.value)
    return set()


class _Liveness:
    def __init__(self, pinned: Names):
        self.pinned = pinned
        self.loops_seen: dict[Key, LoopLiveness] = {}
        self.loops: list[tuple[Names, Names]] = []  # (after the loop, its head), innermost last
        self.extra: Names = frozenset()  # live at every statement (enclosing try handlers)

    def block(self, stmts: list[ast.stmt], out: Names) -> Names:
        live = out
        for s in reversed(stmts):
            live = self.stmt(s, live | self.extra) | self.extra
        return live

    def stmt(self, s: ast.stmt, out: Names) -> Names:
        p = self.pinned
        if isinstance(s, ast.Assign):
            kills = set().union(*(_target_kills(t) for t in s.targets))
            reads = _uses([s.value]) | set().union(*(_target_uses(t) for t in s.targets))
            return frozenset((out - kills) | reads | p)
        if isinstance(s, ast.AugAssign):
            return frozenset(out | _uses([s.value]) | _loads(s.target) | p)
        if isinstance(s, ast.AnnAssign):
            if s.value is None:
                return out
            kills = _target_kills(s.target) if s.simple else set()
            return frozenset((out - kills) | _uses([s.value]) | _target_uses(s.target) | p)
        if isinstance(s, ast.Delete):
            kills = set().union(*(_target_kills(t) for t in s.targets))
            return frozenset((out - kills) | set().union(*(_target_uses(t) for t in s.targets))
                             | p)
        if isinstance(s, (ast.Import, ast.ImportFrom)):
            kills = {(a.asname or a.name).split(".")[0] for a in s.names if a.name != "*"}
            return frozenset((out - kills) | p)
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            reads = _uses([*s.decorator_list, *_defaults(s), *getattr(s, "bases", []),
                           *(k.value for k in getattr(s, "keywords", []))])
            return frozenset((out - {s.name}) | reads | p)
        if isinstance(s, ast.If):
            return frozenset(_uses([s.test]) | self.block(s.body, out)
                             | self.block(s.orelse, out))
        if isinstance(s, (ast.For, ast.AsyncFor)):
            return self._for(s, out)
        if isinstance(s, ast.While):
            return self._while(s, out)
        if isinstance(s, ast.Break):
            return self.loops[-1][0] if self.loops else frozenset(out)
        if isinstance(s, ast.Continue):
            return self.loops[-1][1] if self.loops else frozenset(out)
        if isinstance(s, (ast.Return, ast.Raise)):
            return frozenset(_uses(ast.iter_child_nodes(s)) | p)
        if isinstance(s, (ast.With, ast.AsyncWith)):
            inner = self.block(s.body, out)
            kills = set().union(*(_target_kills(i.optional_vars) for i in s.items
                                  if i.optional_vars is not None))
            # The context manager may swallow an exception: what follows is live here too.
            return frozenset(((inner | out) - kills)
                             | _uses(i.context_expr for i in s.items)
                             | set().union(*(_target_uses(i.optional_vars) for i in s.items
                                             if i.optional_vars is not None)) | p)
        if isinstance(s, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            return self._try(s, out)
        if isinstance(s, ast.Match):
            cases = [self.block(c.body, out) | _uses([c.guard]) | _loads(c.pattern)
                     for c in s.cases]
            return frozenset(out.union(*cases) | _uses([s.subject]))
        # Expr, Pass, Global, Nonlocal, Assert and anything else: reads only.
        return frozenset(out | _uses(ast.iter_child_nodes(s)) | p)

    def _loop_body(self, s: ast.stmt, out: Names, entry: Names, kills: set[str],
                   head_reads: set[str]) -> Names:
        """The names live at a loop's head: the least fixpoint of head = entry-side reads ∪
        what leaving the loop needs ∪ (the body's live-in, given head, minus the target)."""
        head = frozenset(entry | head_reads)
        while True:
            self.loops.append((out, head))
            try:
                inner = self.block(s.body, head)
            finally:
                self.loops.pop()
            new = frozenset(head | (inner - kills) | head_reads)
            if new == head:
                break
            head = new
        # A loop converted to scf leaves through its head, `break` too (as a flag): what is live
        # after the loop must be carried as well.
        self.loops_seen[(s.lineno, s.col_offset)] = LoopLiveness(frozenset(head | out), out)
        return head

    def _for(self, s: ast.For | ast.AsyncFor, out: Names) -> Names:
        after = self.block(s.orelse, out)
        head = self._loop_body(s, out, after, _target_kills(s.target), _target_uses(s.target))
        return frozenset(head | _uses([s.iter]))

    def _while(self, s: ast.While, out: Names) -> Names:
        after = self.block(s.orelse, out)
        return self._loop_body(s, out, after, set(), _uses([s.test]))

    def _try(self, s: ast.Try, out: Names) -> Names:
        final = self.block(s.finalbody, out)
        # `finally` runs on every way out: what it reads is live throughout.
        final_reads = final - out
        after = self.block(s.orelse, final)
        saved = self.extra
        try:
            self.extra = frozenset(saved | final_reads)
            handlers = frozenset().union(*(
                self.block(h.body, final) | _uses([h.type]) for h in s.handlers))
            self.extra = frozenset(saved | final_reads | handlers)
            body = self.block(s.body, after)
        finally:
            self.extra = saved
        return frozenset(body | handlers | final_reads)


def _defaults(s: ast.AST) -> list[ast.AST]:
    args = getattr(s, "args", None)
    if args is None:
        return []
    return [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
