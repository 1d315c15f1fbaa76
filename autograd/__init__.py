"""autograd: tape-based reverse-mode automatic differentiation over floats and shares.

Read in this order (each file is one idea):

1. ``values.py``    what flows: float arrays, shares, public fixed-point arrays
2. ``function.py``  Function (forward/backward) and Context (save_for_backward)
3. ``tape.py``      the tape, backward, gradient accumulation, no_grad
4. ``broadcast.py`` unbroadcast, the one helper every broadcasting op uses
5. ``functions/``   the operations: arithmetic (MulBackward!), matmul, reductions,
                    shape, activations (ReLU keeps its DReLU bit), division
6. ``tensor.py``    the Tensor users hold, with the reference's vocabulary
7. ``gradcheck.py`` checking a backward pass against central differences
"""

from autograd.function import Context, Function
from autograd.registry import REGISTRY, FunctionRegistry, register
from autograd.tape import TAPE, is_grad_enabled, no_grad
from autograd.tensor import Tensor, concatenate
from autograd.broadcast import unbroadcast
from autograd.gradcheck import GradcheckError, gradcheck

__all__ = [
    "Tensor", "concatenate", "no_grad", "is_grad_enabled", "Function", "Context",
    "FunctionRegistry", "REGISTRY", "register", "TAPE", "unbroadcast", "gradcheck",
    "GradcheckError",
]
