"""The `janus_host` VM module: functions a compiled module calls back into on the host.

passes/host_matmuls.py turns large float matmuls into calls of `janus_host.matmul_f32` /
`matmul_f64`; every context that loads such a module gets this module first (runtime/module.py).
A call receives the operands as buffer views (dense, row-major, already computed: IREE waits for
the work before an external call) and flags saying which to read transposed, maps them as NumPy
arrays without a copy, and lets numpy.matmul (the host's BLAS, with its own threads) write the
product into a fresh buffer from the device's allocator, which it returns.

The product is written into IREE's buffer rather than returned as an imported NumPy array: an
array imported with `HalAllocator.import_host_allocation` came back with wrong contents in
later dispatches (max error 0.78 on the W1 forward), a fresh allocation never did.

Only the CPU drivers' devices, whose memory the host maps directly, are served. A module with
such calls runs on local-sync (devices.choose_cpu_driver): on local-task each call costs a
hand-off to and from the worker threads (~40 us), and the BLAS brings its own threads.
"""

from __future__ import annotations

import iree.runtime as rt
import numpy as np

from ..passes.host_matmuls import CALLEES, HOST_MODULE, TRANSPOSED

_ELEMENTS = {
    "matmul_f32": (np.dtype(np.float32), rt.HalElementType.FLOAT_32),
    "matmul_f64": (np.dtype(np.float64), rt.HalElementType.FLOAT_64),
}
assert set(_ELEMENTS) == set(CALLEES.values())


def vm_module(device: rt.HalDevice) -> tuple[rt.VmModule, rt.PyModuleInterface]:
    """A `janus_host` module whose buffers come from `device`'s allocator, and the interface
    behind it, which must live as long as the module (the caller keeps both with the context
    that loads them, so they go with it).
    """
    allocator = device.allocator
    memory = int(rt.MemoryType.DEVICE_LOCAL)
    usage = int(rt.BufferUsage.DEFAULT)

    def operand(ref, flags: int, bit: int, dtype: np.dtype) -> tuple[list[int], object]:
        """An operand's logical shape, and a function giving it as an array (a transposed
        view where its flag says so)."""
        view = ref.deref(rt.HalBufferView)
        stored = list(view.shape)
        if flags & bit:
            return stored[::-1], lambda: view.map().asarray(stored, dtype).T
        return stored, lambda: view.map().asarray(stored, dtype)

    def matmul(dtype: np.dtype, element: rt.HalElementType, a_ref, b_ref, flags):
        (a_shape, a), (b_shape, b) = (operand(a_ref, flags, TRANSPOSED[0], dtype),
                                      operand(b_ref, flags, TRANSPOSED[1], dtype))
        shape = [a_shape[0], b_shape[1]]
        size = shape[0] * shape[1]
        buffer = allocator.allocate_buffer(memory, usage, max(size, 1) * dtype.itemsize)
        if size:
            out = buffer.map().asarray(shape, dtype)
            if a_shape[1]:
                np.matmul(a(), b(), out=out)
            else:  # nothing to contract (and no memory to map): zeros, as numpy.matmul
                out[...] = 0
        return rt.HalBufferView(buffer, shape, element).ref

    class Host:
        def __init__(self, iface):
            del iface

    interface = rt.PyModuleInterface(HOST_MODULE, Host)
    for name, (dtype, element) in _ELEMENTS.items():
        interface.export(name, "0rri_r",
                         lambda _self, a, b, flags, dtype=dtype, element=element:
                         matmul(dtype, element, a, b, flags))
    return interface.create(), interface
