"""Exercise 6: MulBackward, the gradient of an elementwise product.

Read first: ``tutorials/06_autograd_on_shares.py`` ("MulBackward by hand").
Test your code with::

    pytest tests/exercises -m ex_mul_backward --implementation=learner

The same code must work on float NumPy arrays *and* on secret-shared tensors
(:class:`smpc.SharedTensor`): use only the operators both have (``*``, ``+``, ``-``,
``.sum(axis=..., keepdims=...)``, ``.shape``, ``.ndim``). On shares, every product of two
shared values is a Beaver multiplication (tutorial 02), one round of communication.
"""
from exercises import ExerciseNotDone


def mul_backward(grad, a, b, needs=(True, True)):
    """The gradients of ``out = a * b`` with respect to ``a`` and ``b``.

    Parameters
    ----------
    grad : array or SharedTensor, of the shape of ``out``
        d(loss)/d(out), arriving from the layers above.
    a, b : arrays or SharedTensors
        The two factors, as saved by the forward pass. They may have different shapes
        that NumPy broadcasting combined, e.g. ``(64, 10) * (10,)`` or ``(3, 1) * (1, 4)``.
    needs : (bool, bool)
        Which gradients are wanted. Return ``None`` for one that is not: on shares each
        gradient costs a Beaver multiplication, so do not compute what nobody needs.

    Returns
    -------
    ``(grad_a, grad_b)``, each of the shape of its input (or None).

    The derivative of a product is the other factor: grad_a = grad * b and
    grad_b = grad * a (this is PySyft's ``MulBackward.gradient`` in the reference).
    Then undo broadcasting: where an input was stretched along an axis, the gradients of
    all its copies add up. Sum over the leading axes the input did not have, and (keeping
    the axis) over every axis where the input had size 1 and ``grad`` does not. You may
    write that yourself or use ``autograd.broadcast.unbroadcast``.
    """
    raise ExerciseNotDone(6, "mul_backward")
