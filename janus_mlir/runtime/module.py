"""Loading a compiled module and calling one of its functions with NumPy arrays.

The calling rules IREE 3.13 imposes (IREE-NOTES.md, "Calling the runtime"), handled here once:

- Tensor arguments take NumPy arrays or DeviceArrays (passed without a copy). When every
  argument and result is a tensor, calls go through runtime.invoke.DirectCall (the VM's own
  argument lists; large NumPy arrays imported or staged instead of copied afresh, never
  written); otherwise through IREE's FunctionInvoker, which copies NumPy arrays every call.
  Rank-0 arrays are rank-0 tensors; they must not go through `np.ascontiguousarray`, which
  turns them into shape (1,). Bool arrays cross as `i1`
  in both directions. Python scalars are accepted for tensor arguments when they convert to the
  expected dtype without loss of kind (bool -> bool, int -> int/float, float -> float).
- Scalar (non-tensor) arguments must be Python int/float: NumPy scalars and 0-d arrays are turned
  into them, and bool into 0/1.
- A DeviceArray argument that the function writes in place (IRFacts.written_args: an insert into
  the argument survives IREE's copy elision) is copied first, so the caller's array stays intact.
  So is one the ABI declaration ties a result to (`{iree.abi.output = r}`, runtime/state.py:
  IREE stores result r in that argument's buffer); a NumPy array there is written only when
  runtime.invoke imported it, which is what such a tie is for.
- Results are NumPy arrays of the declared dtype and shape, rank-0 included (scalar results become
  0-d arrays); `call_device` returns tensor results as DeviceArrays to keep state on the device.
- A failed `cf.assert` carrying a janus guard message becomes GuardFailure with the decoded
  assumption; any other runtime error propagates unchanged.
- IREE's runtime caps one dispatch at 32 buffer bindings and 64 push constants, and checks this
  only when the module is loaded (static shapes: command buffers are recorded then) or, with
  dynamic shapes, when a dispatch is recorded during the call. Both surface as
  DispatchLimitExceeded, so that the caller can recompile with narrower fusion
  (compiler.NARROW_DISPATCH_FLAGS) instead of seeing an IndexError.

Arguments are checked against the function's ABI declaration before the call, so a wrong dtype,
rank or static dimension raises TypeError/ValueError naming the argument.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import iree.runtime as rt
import numpy as np

from .. import config
from ..speculation.guard_messages import decode_guard_message
from . import devices, host_calls, waiting
from .compiler import CompiledModule
from .invoke import LOCAL_DRIVERS, DirectCall, kept
from .targets import binding_alignment


@dataclass(frozen=True)
class FailedGuard:
    id: int
    kind: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind} assumption failed: {self.message}"


class GuardFailure(Exception):
    def __init__(self, guard: FailedGuard):
        super().__init__(str(guard))
        self.guard = guard


class CannotRun(Exception):
    """The graph cannot answer this call and nothing of it ran: run the call as plain Python.

    A failed entry guard in all but name; the dispatcher falls back without relaxing anything.
    """


class ArgumentMismatch(CannotRun):
    """An argument of this call cannot be passed as the type the graph declares for it (a Python
    int outside int64, a float where an integer is expected, a wrong shape)."""


class DispatchLimitExceeded(CannotRun):
    """A dispatch IREE formed needs more buffer bindings or push constants than IREE's runtime
    allows (32 and 64 in IREE 3.13); raised at load or, with dynamic shapes, at call time."""


_LIMIT_MESSAGES = re.compile(r"binding count \d+ > \d+|constants exceeds limit")


def _limit_error(error: Exception) -> DispatchLimitExceeded | None:
    text = str(error)
    if not _LIMIT_MESSAGES.search(text):
        return None
    return DispatchLimitExceeded(text.split("; while", 1)[0].strip())


def decode_guard(text: str) -> FailedGuard | None:
    """The janus guard encoded in an IREE error text, or None."""
    decoded = decode_guard_message(text)
    return FailedGuard(**decoded) if decoded is not None else None


# ---------------------------------------------------------------- ABI declaration

_ELEMENT_DTYPES = {
    "i1": np.bool_, "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64,
    "si8": np.int8, "si16": np.int16, "si32": np.int32, "si64": np.int64,
    "ui8": np.uint8, "ui16": np.uint16, "ui32": np.uint32, "ui64": np.uint64,
    "f16": np.float16, "f32": np.float32, "f64": np.float64,
    "complex<f32>": np.complex64, "complex<f64>": np.complex128,
}


@dataclass(frozen=True)
class ValueSpec:
    """One argument or result as the ABI declares it."""

    text: str
    tensor: bool
    dtype: np.dtype | None  # None: no NumPy equivalent (bf16, opaque types): not checked
    shape: tuple[int | None, ...] | None  # tensors only; None marks a dynamic dimension
    # Arguments only: the result whose new contents IREE writes into this argument's buffer
    # (`iree.abi.output`, runtime/state.py), or None.
    output: int | None = None

    def describe(self) -> str:
        if not self.tensor:
            return f"scalar {self.text}"
        dims = ", ".join("?" if d is None else str(d) for d in self.shape or ())
        return f"{self.dtype if self.dtype is not None else self.text} array of shape ({dims})"


def parse_declaration(text: str) -> tuple[list[ValueSpec], list[ValueSpec]]:
    """Arguments and results of an `iree.abi.declaration` such as
    `sync func @f(%input0: tensor<2x?xf32>, %input1: i64) -> (%output0: tensor<f32>)`."""
    m = re.match(r"\s*\w*\s*func\s+@[^(]*\((.*)\)\s*->\s*(.*)$", text, re.DOTALL)
    if not m:
        raise ValueError(f"unrecognised ABI declaration: {text!r}")
    results = m.group(2).strip()
    if results.startswith("(") and results.endswith(")"):
        results = results[1:-1]
    return [_value_spec(t) for t in _split(m.group(1))], [_value_spec(t) for t in _split(results)]


def _split(text: str) -> list[str]:
    items, depth, current = [], 0, []
    for ch in text:
        depth += ch in "<([{"
        depth -= ch in ">)]}"
        if ch == "," and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return [i.split(":", 1)[1].strip() if ":" in i else i.strip() for i in items if i.strip()]


_OUTPUT = re.compile(r"\s*\{[^}]*iree\.abi\.output\s*=\s*(\d+)[^}]*\}\s*$")


def _value_spec(text: str) -> ValueSpec:
    output = _OUTPUT.search(text)
    if output is not None:
        spec = _value_spec(text[:output.start()])
        return ValueSpec(spec.text, spec.tensor, spec.dtype, spec.shape, int(output.group(1)))
    m = re.fullmatch(r"tensor<((?:[0-9?]+x)*)([^,>]+(?:<[^>]*>)?)>", text)
    if m:
        dims = tuple(None if d == "?" else int(d) for d in m.group(1).split("x") if d)
        return ValueSpec(text, True, _dtype(m.group(2)), dims)
    return ValueSpec(text, False, _dtype(text), None)


def _dtype(element: str) -> np.dtype | None:
    dt = _ELEMENT_DTYPES.get(element.strip())
    return None if dt is None else np.dtype(dt)


# ---------------------------------------------------------------- argument conversion

def _compatible(got: np.dtype, want: np.dtype) -> bool:
    if got == want:
        return True
    if want.kind in "iu" and got.kind in "iu":  # MLIR integers are signless
        return got.itemsize == want.itemsize
    return want.kind == "b" and got.kind in "iu" and got.itemsize == 1  # i1 is stored as i8


def _python_scalar_ok(value: Any, want: np.dtype) -> bool:
    if isinstance(value, bool):
        return want.kind == "b"
    if isinstance(value, int):
        return want.kind in "iuf"
    if isinstance(value, float):
        return want.kind == "f"
    return isinstance(value, complex) and want.kind == "c"


class _Converter:
    """Turns one Python argument into what the IREE invoker accepts for `spec`."""

    def __init__(self, index: int, entry: str, spec: ValueSpec, written: bool,
                 device: rt.HalDevice):
        self.index, self.entry, self.spec, self.written, self.device = (
            index, entry, spec, written, device)
        static = spec.tensor and spec.shape is not None and None not in spec.shape
        self.fast_shape = spec.shape if static and spec.dtype is not None else None

    def __call__(self, value: Any) -> Any:
        # Fast path: an array already in the expected layout, dtype and static shape.
        if (type(value) is np.ndarray and value.shape == self.fast_shape
                and value.dtype == self.spec.dtype and value.flags.c_contiguous):
            return value
        spec = self.spec
        if not spec.tensor:
            return self._scalar(value)
        if isinstance(value, rt.DeviceArray):
            if self.written:  # IREE would write into the caller's buffer
                return rt.asdevicearray(self.device, value.to_host())
            return value
        if isinstance(value, np.ndarray):
            arr = value
        elif isinstance(value, (bool, int, float, complex)) and spec.dtype is not None:
            if not _python_scalar_ok(value, spec.dtype):
                raise self._type_error(type(value).__name__)
            arr = np.asarray(value, dtype=spec.dtype)
        else:
            arr = np.asarray(value)
        if not arr.dtype.isnative:
            arr = arr.astype(arr.dtype.newbyteorder("="))
        if spec.dtype is not None and not _compatible(arr.dtype, spec.dtype):
            raise self._type_error(f"{arr.dtype} array")
        if spec.shape is not None and (
                len(arr.shape) != len(spec.shape)
                or any(w is not None and w != g for g, w in zip(arr.shape, spec.shape))):
            raise ValueError(f"argument {self.index} of @{self.entry}: expected "
                             f"{spec.describe()}, got shape {arr.shape}")
        if arr.ndim and not arr.flags.c_contiguous:
            arr = np.ascontiguousarray(arr)  # never on 0-d: that would make it shape (1,)
        return arr

    def _scalar(self, value: Any) -> Any:
        if isinstance(value, (np.ndarray, np.generic)):
            if np.ndim(value) != 0:
                raise ValueError(f"argument {self.index} of @{self.entry}: expected "
                                 f"{self.spec.describe()}, got an array of shape {np.shape(value)}")
            value = value.item()
        if isinstance(value, bool):
            return int(value)
        want = self.spec.dtype
        if want is not None and want.kind == "f" and isinstance(value, int):
            return float(value)
        return value

    def _type_error(self, got: str) -> TypeError:
        return TypeError(f"argument {self.index} of @{self.entry}: expected "
                         f"{self.spec.describe()}, got {got}")


# ---------------------------------------------------------------- the loaded module

class LoadedModule:
    """A compiled module loaded into its own VM context, one entry function ready to call.

    driver: None picks the target's driver; for llvm-cpu, local-sync or local-task from the
    module's estimated work (see devices.choose_cpu_driver). Name one to force it.
    """

    def __init__(self, compiled: CompiledModule, entry: str = "main", driver: str | None = None):
        self.compiled = compiled
        self.entry = entry
        if driver is None:
            driver = (devices.choose_cpu_driver(compiled.facts.seconds,
                                                compiled.facts.host_calls)
                      if compiled.target.name == "llvm-cpu" else compiled.target.driver)
        self.driver = driver
        # the caller waits for local-task's workers under SCHED_BATCH (runtime/waiting.py)
        self._batch_wait = driver == "local-task"
        cfg = devices.runtime_config(driver)
        self.device = cfg.device
        self._ctx = rt.SystemContext(config=cfg)
        self._host = host_calls.vm_module(self.device) if compiled.facts.host_calls else None
        if self._host is not None:
            self._ctx.add_vm_module(self._host[0])
        vm_module = rt.VmModule.copy_buffer(cfg.vm_instance, compiled.vmfb)
        try:
            self._ctx.add_vm_module(vm_module)
        except (IndexError, RuntimeError) as e:
            limit = _limit_error(e)
            if limit is None:
                raise
            raise limit from None
        bound = getattr(self._ctx.modules, vm_module.name)
        try:
            self._fn = bound[entry]
        except (KeyError, RuntimeError):
            raise KeyError(f"module has no function @{entry}") from None
        declaration = self._fn.vm_function.reflection.get("iree.abi.declaration")
        self.arg_specs, self.result_specs = (parse_declaration(declaration) if declaration
                                             else (None, None))
        written = set(compiled.facts.written_args.get(entry, ()))
        # Arguments whose buffer receives a result (runtime/state.py): IREE writes into them.
        tied = {i: s.output for i, s in enumerate(self.arg_specs or ()) if s.output is not None}
        written |= set(tied)
        self._convert: list[Callable[[Any], Any]] | None = None
        if self.arg_specs is not None:
            self._convert = [_Converter(i, entry, s, i in written, self.device)
                             for i, s in enumerate(self.arg_specs)]
        self._direct: DirectCall | None = None
        if DirectCall.supports(self.arg_specs, self.result_specs):
            self._direct = DirectCall(self._ctx.vm_context, self._fn.vm_function, self.device,
                                      self.arg_specs, self.result_specs, sorted(written),
                                      tied=tied, batch_wait=self._batch_wait,
                                      zero_copy=driver in LOCAL_DRIVERS
                                      and config.current().zero_copy,
                                      import_safe=compiled.facts.import_safe,
                                      alignment=binding_alignment(compiled.command))

    def __call__(self, *args: Any) -> list[np.ndarray]:
        """Call the entry function; results come back as host NumPy arrays."""
        return self.call_prepared(self.prepare(args))

    def call_device(self, *args: Any) -> list[rt.DeviceArray | np.ndarray]:
        """Call the entry function; tensor results stay on the device as DeviceArrays."""
        return [r if isinstance(r, rt.DeviceArray) else self._to_numpy(i, r)
                for i, r in enumerate(self._invoke(args))]

    def to_device(self, array: np.ndarray) -> rt.DeviceArray:
        """`array` copied onto this module's device, to pass to later calls without a copy."""
        arr = np.asarray(array)
        return rt.asdevicearray(self.device, arr if arr.ndim == 0 else np.ascontiguousarray(arr))

    def prepare(self, args: Sequence[Any]) -> list[Any]:
        """The arguments as IREE takes them; TypeError/ValueError names one that does not fit."""
        if self._convert is None:
            return list(args)
        if len(args) != len(self._convert):
            raise TypeError(f"@{self.entry} takes {len(self._convert)} arguments, "
                            f"got {len(args)}")
        return [c(a) for c, a in zip(self._convert, args)]

    def call_prepared(self, args: Sequence[Any]) -> list[np.ndarray]:
        """`__call__` for arguments that `prepare` already converted. Results that share
        memory with an argument's host array are copies (see runtime.invoke)."""
        if self._direct is None:
            return [self._to_numpy(i, r) for i, r in enumerate(self._call(args))]
        try:
            return self._direct(args)
        except RuntimeError as e:
            raise _call_error(e) from None
        except IndexError as e:
            raise _call_error(e) from None

    def invoke_raw(self, args: Sequence[Any]) -> Any:
        """IREE's own FunctionInvoker on prepared arguments, results as IREE returns them
        (DeviceArrays, not copied to the host): the floor that benchmarks compare against."""
        return self._fn(*args)

    def _invoke(self, args: Sequence[Any]) -> tuple:
        return self._call(self.prepare(args))

    def _call(self, args: Sequence[Any]) -> tuple:
        try:
            out = waiting.batched(self._fn, *args) if self._batch_wait else self._fn(*args)
        except RuntimeError as e:
            raise _call_error(e) from None
        except IndexError as e:
            raise _call_error(e) from None
        if out is None:
            return ()
        return out if isinstance(out, tuple) else (out,)

    def _to_numpy(self, index: int, value: Any) -> np.ndarray:
        if isinstance(value, rt.DeviceArray):
            return kept(value.to_host())
        spec = self.result_specs[index] if self.result_specs else None
        dtype = spec.dtype if spec is not None else None
        return np.asarray(value, dtype=dtype)


def _call_error(e: Exception) -> Exception:
    """What a failed invocation raises: GuardFailure for a janus guard's `cf.assert`,
    DispatchLimitExceeded for an IndexError (OUT_OF_RANGE: a dispatch recorded during the call
    exceeds IREE's limits), otherwise the error itself."""
    if isinstance(e, RuntimeError):
        guard = decode_guard(str(e))
        return e if guard is None else GuardFailure(guard)
    limit = _limit_error(e)
    return e if limit is None else limit


def load(compiled: CompiledModule, entry: str = "main", driver: str | None = None) -> LoadedModule:
    return LoadedModule(compiled, entry, driver)


def invoke(module: LoadedModule, args: Sequence[np.ndarray]) -> list[np.ndarray]:
    return module(*args)
