"""Exercise 7: MatmulBackward, the gradients of a matrix product.

Read first: ``tutorials/06_autograd_on_shares.py`` (the matrix product section).
Test your code with::

    pytest tests/exercises -m ex_matmul_backward --implementation=learner

As in exercise 6, the same code must work on float NumPy arrays and on secret-shared
tensors (:class:`smpc.SharedTensor`): use ``@``, ``.transpose(...)``, ``.sum(...)``,
``.reshape(...)``, ``.shape`` and ``.ndim`` only. On shares each ``@`` of two shared
matrices is one Beaver matrix multiplication.
"""
from exercises import ExerciseNotDone


def matmul_backward(grad, a, b, needs=(True, True)):
    """The gradients of ``out = a @ b`` with respect to ``a`` and ``b``.

    Parameters
    ----------
    grad : array or SharedTensor, of the shape of ``out``
    a, b : arrays or SharedTensors with at least two dimensions
        Shapes ``(..., m, k)`` and ``(..., k, n)``; the leading "batch" axes broadcast as
        in NumPy, e.g. a batch ``(5, 3, 4)`` times one weight matrix ``(4, 2)``.
    needs : (bool, bool)
        Which gradients are wanted; return ``None`` for one that is not (each costs a
        Beaver matrix multiplication on shares).

    Returns
    -------
    ``(grad_a, grad_b)``, each of the shape of its input (or None).

    For 2-D matrices: grad_a = grad @ b^T and grad_b = a^T @ grad. Check the shapes:
    ``(m, n) @ (n, k)`` gives ``(m, k)``, the shape of a, and ``(k, m) @ (m, n)`` gives
    ``(k, n)``, the shape of b; the shapes leave no other choice. With batch axes,
    "transpose" means swapping the last two axes, and a gradient of an operand that was
    broadcast along batch axes is summed over them (as in exercise 6).
    """
    raise ExerciseNotDone(7, "matmul_backward")
