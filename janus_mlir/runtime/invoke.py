"""Calling a loaded VM function through the VM's own argument lists, without IREE's Python
`FunctionInvoker`, and passing large NumPy arguments without IREE's per-call copy.

Why: `FunctionInvoker.__call__` builds an invocation context, packs arguments by inspecting each
one, and wraps every result in a Python `DeviceArray` that `to_host` then maps; for a 4-element
add that is ~10.5 us of a ~6 us VM call (IREE 3.13, local-sync). `DirectCall` decides once, per
argument and result, what to do, and per call only pushes buffer views and maps results.

How a NumPy array argument reaches the device (CPU drivers; other drivers always copy):
- **small** (< IMPORT_MIN_BYTES): copied into a fresh device buffer (`allocate_buffer_copy`,
  what IREE does for every NumPy argument); cheapest for small arrays.
- **aligned**: a writeable array whose data address is a multiple of the alignment the module's
  kernels assume (`targets.binding_alignment` of its flags) is imported
  (`import_host_allocation`) when no op of the module can write into an argument's buffer
  (IRFacts.import_safe): the kernels read the caller's memory, no copy (~1 us at any size
  against ~135 us per 4 MB copied). janus compiles CPU kernels to assume 16-byte aligned
  bindings (IREE's default, 64, would exclude most NumPy arrays; an import below what the
  kernels assume crashed the process in a measurement), so arrays at 4- or 8-byte offsets
  never take this path.
- **misaligned or read-only**: copied with `np.copyto` into an aligned staging array owned
  by this argument slot and imported once (warm memory: ~86 us per 4 MB against ~135 us for a
  fresh device buffer). A slot serves one call at a time (the GIL is released while the VM runs):
  a concurrent call that finds it busy copies into a fresh buffer instead.
- A **written** argument (IRFacts.written_args: the module writes into the argument's buffer) is
  always copied into a fresh buffer. A staging array may be written by the module: it is this
  slot's own memory, filled afresh on every call, so the caller's array is never written.

A **tied** argument (runtime/state.py: the module stores result r's new contents in the
argument's buffer) is imported when it may be (a local driver, an import-safe module, its
address aligned, writeable): the module then writes the caller's array itself, and result r is
returned as that very array object (runtime/commit.py skips the copy). Otherwise it is copied
into a fresh buffer, which result r then comes back in, as any other result.

A result that shares memory with an imported array (an identity result is the argument's own
buffer) or with a staging array (the next call overwrites it) is copied before it is returned.
Everything here is exact: no argument is cached across calls; only buffers are reused.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import iree.runtime as rt
import numpy as np
from iree.runtime.array_interop import map_dtype_to_element_type

from . import waiting

if TYPE_CHECKING:
    from .module import ValueSpec

IMPORT_MIN_BYTES = 1 << 14
COPY_OUT_MAX_BYTES = 1 << 16
LOCAL_DRIVERS = ("local-sync", "local-task")
_COPY, _TIED, _ROUTED = "copy", "tied", "routed"  # how an argument slot is passed

try:  # NumPy's name for the allocator behind an array that owns its data (NEP 49)
    from numpy._core.multiarray import get_handler_name as _handler_name
except ImportError:  # pragma: no cover -- NumPy < 2
    from numpy.core.multiarray import get_handler_name as _handler_name
# NumPy's default allocator takes memory from malloc, whose blocks are 16-byte aligned on 64-bit
# platforms: an array that owns such memory needs no address check (`ctypes.data`, ~1.3 us).
MALLOC_ALIGNMENT = 16 if sys.maxsize > 2**32 else 8

_DEVICE_LOCAL = int(rt.MemoryType.DEVICE_LOCAL)
_USAGE = int(rt.BufferUsage.DEFAULT)
_ELEMENT_TYPES: dict[np.dtype, int] = {}
_RAW_DTYPES: dict[int, np.dtype] = {}


def element_type(dtype: np.dtype) -> int:
    """IREE's HAL element type for arrays of `dtype` (what FunctionInvoker would pass)."""
    et = _ELEMENT_TYPES.get(dtype)
    if et is None:
        mapped = map_dtype_to_element_type(dtype)
        if mapped is None:
            raise TypeError(f"no IREE element type for {dtype}")
        et = _ELEMENT_TYPES[dtype] = int(mapped)
    return et


def aligned(value: np.ndarray, alignment: int) -> bool:
    """Whether `value`'s data address is a multiple of `alignment`."""
    if alignment <= MALLOC_ALIGNMENT and _handler_name(value) == "default_allocator":
        return True
    return value.ctypes.data % alignment == 0


class _Kept:
    """An array's memory, exported again through `__array_interface__` by an object that holds
    the array (see `kept`)."""

    __slots__ = ("__array_interface__", "owner")

    def __init__(self, owner: np.ndarray):
        self.__array_interface__ = owner.__array_interface__
        self.owner = owner


def kept(mapped: np.ndarray) -> np.ndarray:
    """`mapped` (IREE's `MappedMemory.asarray` or `DeviceArray.to_host`: an array over a
    device buffer's host mapping) as an array whose every view keeps the mapping alive.

    IREE keeps the mapping alive for the array it returns, not for the array's base, and NumPy
    gives a view of it that base (views collapse to the last array of a chain): once the
    returned array was gone, a slice of it pointed at freed memory, which the next allocation
    reused (a returned `x[2:4]` of a result, rebound in the caller, read back another call's
    data). Here the base of every view is an object holding the returned array (~2 us)."""
    return np.asarray(_Kept(mapped))


def _raw_dtype(et: int) -> np.dtype:
    dt = _RAW_DTYPES.get(et)
    if dt is None:
        dt = _RAW_DTYPES[et] = np.dtype(rt.HalElementType.map_to_dtype(et))
    return dt


class _Staging:
    """One argument slot's aligned host array, imported into IREE once, reused call after call."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.array: np.ndarray | None = None
        self.buffer: Any = None

    def fill(self, alloc: rt.HalAllocator, value: np.ndarray, alignment: int
             ) -> tuple[rt.HalBufferView, np.ndarray]:
        """A buffer view over the staging array (its address a multiple of `alignment`)
        holding a copy of `value` (lock held)."""
        arr = self.array
        if arr is None or arr.nbytes != value.nbytes or arr.dtype != value.dtype:
            raw = np.empty(value.nbytes + alignment, np.uint8)
            start = (-raw.ctypes.data) % alignment
            arr = raw[start:start + value.nbytes].view(value.dtype)
            self.array = arr
            self.buffer = alloc.import_host_allocation(arr, _DEVICE_LOCAL, _USAGE)
        view = arr.reshape(value.shape)
        np.copyto(view, value)
        return rt.HalBufferView(self.buffer, value.shape, element_type(value.dtype)), view


class DirectCall:
    """One VM function called with prepared arguments (runtime.module._Converter's output)."""

    def __init__(self, vm_context: rt.VmContext, function: rt.VmFunction, device: rt.HalDevice,
                 args: Sequence[ValueSpec], results: Sequence[ValueSpec],
                 written: Sequence[int], zero_copy: bool, import_safe: bool, alignment: int,
                 tied: dict[int, int] | None = None, batch_wait: bool = False):
        n_args = len(args)
        self._batch_wait = batch_wait  # wait under SCHED_BATCH (runtime/waiting.py): local-task
        self._tied = dict(tied or {})  # argument -> the result stored in its buffer
        self._import_safe = import_safe
        self._alignment = alignment  # what the kernels assume of a binding's address
        self._context, self._function, self._device = vm_context, function, device
        self._alloc = device.allocator
        self._n_results = len(results)
        self._result_dtypes = [s.dtype for s in results]
        # Small static results are copied out of the mapped buffer into an array of their own;
        # larger ones are returned as the mapped buffer itself (`MappedMemory.asarray` and
        # `kept`, whose cost does not grow with the size). Measured right after streaming 8 MB
        # (what a caller finds once the kernels have run; median of 200): 4-64 KB copied
        # 4-9 us against mapped 7-15 us; 256 KB 12 against 9; 1 MB 42 against 13.
        self._small = [s.shape if s.shape is not None and None not in s.shape
                       and int(np.prod(s.shape)) * s.dtype.itemsize <= COPY_OUT_MAX_BYTES
                       and int(np.prod(s.shape)) > 0 else None for s in results]
        self._written = frozenset(written)
        self._zero_copy = zero_copy
        self._staging = [_Staging() for _ in range(n_args)]
        # Arguments declared with a static shape below IMPORT_MIN_BYTES are always copied.
        small_args = [s.shape is not None and None not in s.shape and s.dtype is not None
                      and int(np.prod(s.shape)) * s.dtype.itemsize < IMPORT_MIN_BYTES
                      and i not in self._tied for i, s in enumerate(args)]
        # How each argument slot is passed, decided here once: _COPY (small: a fresh copy, no
        # routing), _TIED (the caller's memory when it may be imported) or _ROUTED (route()).
        self._slots = [_COPY if small_args[i] else _TIED if i in self._tied else _ROUTED
                       for i in range(n_args)]
        # tied arguments may be imported at all (the rest of route()'s test is per array)
        self._tie_imports = zero_copy and import_safe
        self._all_copied = all(slot is _COPY for slot in self._slots)
        # Whether a slot's array may be the caller's memory (the rest of the test is per
        # array: writeable, contiguous, aligned), and from how many bytes on.
        self._imports = [(self._tie_imports if slot is _TIED else
                          slot is _ROUTED and zero_copy and import_safe and i not in self._written)
                         for i, slot in enumerate(self._slots)]
        self._import_bytes = [1 if slot is _TIED else IMPORT_MIN_BYTES for slot in self._slots]
        self._unpackers = [self._small_unpacker(i) if small is not None else self._unpack
                           for i, small in enumerate(self._small)]

    @staticmethod
    def supports(args: Sequence[ValueSpec] | None, results: Sequence[ValueSpec] | None) -> bool:
        """Whether every argument and result is a tensor of a NumPy dtype (the fast path's case);
        scalars and opaque types go through FunctionInvoker, which knows their VM types."""
        if args is None or results is None:
            return False
        return all(s.tensor and s.dtype is not None for s in (*args, *results))

    def __call__(self, args: Sequence[Any]) -> list[np.ndarray]:
        if self._all_copied:
            return self._copied_call(args)
        arg_list = rt.VmVariantList(len(args))
        shared: list[np.ndarray] = []  # host memory that results must not alias
        held: list[_Staging] = []
        # result -> (the argument array imported for it, its buffer)
        tied_imports: dict[int, tuple[np.ndarray, Any]] = {}
        alloc, device, tied = self._alloc, self._device, self._tied
        push, import_, view_type = arg_list.push_ref, alloc.import_host_allocation, rt.HalBufferView
        try:
            # The common cases first: a small array copied, an importable one passed as the
            # caller's memory; everything else as route() says (_pack).
            for i, (slot, value) in enumerate(zip(self._slots, args)):
                if type(value) is np.ndarray:
                    if slot is _COPY:
                        push(alloc.allocate_buffer_copy(_DEVICE_LOCAL, _USAGE, device, value,
                                                        element_type(value.dtype)))
                        continue
                    if self._importable(i, value):
                        buffer = import_(value, _DEVICE_LOCAL, _USAGE)
                        shared.append(value)
                        if slot is _TIED:
                            tied_imports[tied[i]] = (value, buffer)
                        push(view_type(buffer, value.shape, element_type(value.dtype)))
                        continue
                push(self._pack(i, value, shared, held))
            ret_list = self._invoke(arg_list)
            # A tied result is its argument's array when IREE wrote it into that buffer (it
            # may also have placed it elsewhere: then it is read back like any other result).
            if tied_imports:
                in_place = {r for r, (_, buffer) in tied_imports.items()
                            if ret_list.get_as_object(r, rt.HalBufferView).get_buffer()
                            == buffer}
                out = [tied_imports[i][0] if i in in_place else self._unpack(ret_list, i)
                       for i in range(self._n_results)]
            else:
                in_place = set()
                out = [self._unpack(ret_list, i) for i in range(self._n_results)]
            if shared:  # a small result is a copy already (_unpack)
                small = self._small
                out = [r if i in in_place or small[i] is not None
                       or not any(np.may_share_memory(r, s) for s in shared)
                       else r.copy() for i, r in enumerate(out)]
            return out
        finally:
            for slot in held:
                slot.lock.release()

    def _copied_call(self, args: Sequence[Any]) -> list[np.ndarray]:
        """`__call__` where every argument slot is small (copied into a fresh device buffer):
        nothing is imported, staged or tied, so no result can alias the caller's memory."""
        arg_list = rt.VmVariantList(len(args))
        push, copy = arg_list.push_ref, self._alloc.allocate_buffer_copy
        device = self._device
        for value in args:
            if type(value) is np.ndarray:
                push(copy(_DEVICE_LOCAL, _USAGE, device, value, element_type(value.dtype)))
            else:  # a DeviceArray (the converter allows nothing else)
                push(value._buffer_view)
        ret_list = self._invoke(arg_list)
        return [unpack(ret_list, i) for i, unpack in enumerate(self._unpackers)]

    def _invoke(self, arg_list: rt.VmVariantList) -> rt.VmVariantList:
        ret_list = rt.VmVariantList(self._n_results)
        if self._batch_wait:
            waiting.batched(self._context.invoke, self._function, arg_list, ret_list)
        else:
            self._context.invoke(self._function, arg_list, ret_list)
        return ret_list

    def route(self, i: int, value: Any) -> str:
        """How argument `i` holding `value` is passed: "device" (a DeviceArray's own buffer),
        "import" (the caller's memory), "staging" (copied into the slot's aligned array) or
        "copy" (a fresh device buffer). A tied argument, written by the module, is the
        caller's own memory or a fresh copy, never staged."""
        if type(value) is not np.ndarray:
            return "device"
        if self._importable(i, value):
            return "import"
        if (self._slots[i] is _ROUTED and self._zero_copy and value.nbytes >= IMPORT_MIN_BYTES
                and i not in self._written):
            return "staging"
        return "copy"

    def _importable(self, i: int, value: np.ndarray) -> bool:
        """Whether argument `i`'s array may be passed as the caller's own memory: its slot may
        be imported at all (`_imports`), and the array is large enough, writeable, contiguous
        and aligned to what the kernels assume."""
        if not self._imports[i] or value.nbytes < self._import_bytes[i]:
            return False
        flags = value.flags
        return bool(flags.writeable and flags.c_contiguous and aligned(value, self._alignment))

    def _pack(self, i: int, value: Any, shared: list[np.ndarray],
              held: list[_Staging]) -> rt.HalBufferView:
        route = self.route(i, value)
        if route == "device":  # a DeviceArray (the converter allows nothing else)
            return value._buffer_view
        if route == "import":
            return self._import(value, shared)[0]
        if route == "staging":
            slot = self._staging[i]
            if slot.lock.acquire(blocking=False):
                held.append(slot)
                view, staged = slot.fill(self._alloc, value, self._alignment)
                shared.append(staged)
                return view
        return self._alloc.allocate_buffer_copy(_DEVICE_LOCAL, _USAGE, self._device, value,
                                                element_type(value.dtype))

    def _import(self, value: np.ndarray, shared: list[np.ndarray]
                ) -> tuple[rt.HalBufferView, Any]:
        """A buffer view over the caller's own memory, and its buffer; results must not alias
        that memory (`shared`)."""
        buffer = self._alloc.import_host_allocation(value, _DEVICE_LOCAL, _USAGE)
        shared.append(value)
        return rt.HalBufferView(buffer, value.shape, element_type(value.dtype)), buffer

    def _small_unpacker(self, i: int) -> Callable[[rt.VmVariantList, int], np.ndarray]:
        """`_unpack` for small result `i`: copied out of the mapped buffer into an array of its
        own, of the declared shape (reshaped first: the copy has no base, as NumPy's do)."""
        shape, want = self._small[i], self._result_dtypes[i]
        frombuffer, view_type = np.frombuffer, rt.HalBufferView

        def unpack(ret_list: rt.VmVariantList, i: int) -> np.ndarray:
            view = ret_list.get_as_object(i, view_type)
            raw = _raw_dtype(view.element_type)
            shaped = frombuffer(view.map(), raw).reshape(shape)  # read-only: the mapping
            return shaped.copy() if raw == want else shaped.astype(want)
        return unpack

    def _unpack(self, ret_list: rt.VmVariantList, i: int) -> np.ndarray:
        if self._small[i] is not None:
            return self._unpackers[i](ret_list, i)
        view = ret_list.get_as_object(i, rt.HalBufferView)
        raw = _raw_dtype(view.element_type)
        want = self._result_dtypes[i]
        shape = view.shape
        try:
            arr = kept(view.map().asarray(shape, raw))
        except RuntimeError:
            if 0 not in shape:
                raise
            arr = np.empty(shape, raw)  # nothing to map
        return arr if want == raw else arr.astype(want)
