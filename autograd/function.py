"""Function and Context: the shape of every differentiable operation.

An operation is written as a class with two static methods, exactly as in minitorch or
PyTorch's ``torch.autograd.Function``::

    class Mul(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)    # remember what backward will need
            return a * b

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_values
            return grad * b, grad * a      # one gradient per input

``forward`` and ``backward`` see *raw values*: float NumPy arrays or ``smpc.SharedTensor``
objects, never :class:`~autograd.tensor.Tensor` wrappers. That is the whole trick of
training on secret shares: ``grad * b`` is a NumPy product when ``b`` is a float array and
a SPDZ (Beaver-triple) product when ``b`` is shared, and the gradient function does not
need to know which. Nobody differentiates *through* the Beaver trick; we differentiate the
multiplication it computes.

``Function.apply`` is the glue: it unwraps the input Tensors, runs ``forward``, wraps the
result in a new Tensor and, when a gradient will be needed, appends a record of the call
to the tape (:mod:`autograd.tape`) so that ``backward`` can be called later.
"""

from autograd import values as V
from autograd.tape import TAPE, is_grad_enabled


class Context:
    """What one call of ``forward`` leaves behind for its ``backward``.

    Attributes:
        needs_input_grad: one bool per tensor input; backward may return ``None`` for an
            input that does not need a gradient (and so skip, say, a costly shared product).
        saved_values: the values given to :meth:`save_for_backward`, in order.

    ``forward`` may also set other attributes (shapes, axes, a divisor); they are plain
    Python objects and cost nothing to keep.
    """

    def __init__(self, needs_input_grad=()):
        self.needs_input_grad = tuple(needs_input_grad)
        self.saved_values = ()

    def save_for_backward(self, *values):
        """Keep ``values`` (raw arrays or shares) for the backward pass."""
        self.saved_values = values

    def free(self):
        """Drop the saved values once backward has used them (they may be large)."""
        self.saved_values = ()


class Function:
    """Base class of differentiable operations. Subclass, write forward and backward.

    ``forward(ctx, *values, **params)`` gets one raw value per tensor input, plus keyword
    parameters that are not differentiated (an axis, a shape, an index, a divisor).
    ``backward(ctx, grad)`` gets the gradient of the output (a raw value of the output's
    shape) and returns one gradient per tensor input, each of that input's shape, or
    ``None`` where ``ctx.needs_input_grad`` says none is needed. A single-input Function
    may return the gradient itself instead of a 1-tuple.
    """

    #: The name under which the class is registered and printed on the tape.
    name = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__

    @staticmethod
    def forward(ctx, *values, **params):
        raise TypeError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, grad):
        raise TypeError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *inputs, **params):
        """Run the operation on Tensors; record it on the tape if a gradient may be needed."""
        # Imported here, not at the top, because tensor.py itself imports the Functions.
        from autograd.tensor import Tensor

        for x in inputs:
            if not isinstance(x, Tensor):
                raise TypeError(
                    f"{cls.name}.apply expects Tensors as inputs, got {type(x).__name__}; "
                    f"wrap constants with autograd.Tensor(value) first"
                )
        raw = [x.value for x in inputs]
        V.check_compatible(raw, cls.name)

        recording = is_grad_enabled() and any(x.requires_grad for x in inputs)
        needs = tuple(recording and x.requires_grad for x in inputs)
        ctx = Context(needs)
        output = Tensor(cls.forward(ctx, *raw, **params), requires_grad=recording)
        if recording:
            output._record = TAPE.record(cls, ctx, inputs, output)
        return output
