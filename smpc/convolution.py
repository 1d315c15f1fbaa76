"""Two-dimensional convolution and its two gradients as exact maps on arrays.

A convolution layer computes three products, each linear in both of its operands
(bilinear), and each is what a Beaver triple must match on shares:

==========================  ===========================  ==========================
map                         operands                     result
==========================  ===========================  ==========================
``conv2d``                  input (N, C, H, W),          output (N, O, H', W')
                            weight (O, C, kh, kw)
``conv2d_input_grad``       output grad (N, O, H', W'),  input grad (N, C, H, W)
                            weight (O, C, kh, kw)        (a transposed convolution)
``conv2d_weight_grad``      input (N, C, H, W),          weight grad (O, C, kh, kw)
                            output grad (N, O, H', W')
==========================  ===========================  ==========================

with ``H' = (H + 2 p - kh) // s + 1`` (and the same for ``W'``) for stride ``s`` and
zero padding ``p``.  NCHW layout, as in PyTorch.

All three go through the *im2col* view: the input is unfolded so that every output
position sees its ``C kh kw`` input values as one row, and the convolution becomes one
matrix product with the weight reshaped to ``(C kh kw, O)``.  The matrix product is a
parameter: ``numpy.matmul`` for floats, :func:`smpc.ring.matmul` for exact products in
Z_2^64 (int64 wraps, float64 BLAS on limbs).  The unfolding is local work on each
party's own array; on shares only the masked operands in their own shapes are ever
opened (:mod:`smpc.beaver_conv`).

Leading axes before the four NCHW axes (the party axis of stacked shares, say) broadcast
between the two operands, as batch axes do in ``matmul``.
"""
import numpy as np

KINDS = ("conv2d", "conv2d_input_grad", "conv2d_weight_grad")


def pair(value, name, minimum):
    """``value`` as a pair of ints (an int means the same for height and width)."""
    values = (value, value) if isinstance(value, (int, np.integer)) else (
        tuple(value) if isinstance(value, (tuple, list)) else (value,))
    if len(values) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                   for v in values):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(values) < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return int(values[0]), int(values[1])


def output_size(input_size, kernel_size, stride, padding):
    """``(H', W')`` of a convolution, or a ValueError when the kernel does not fit."""
    sizes = []
    for n, k, s, p in zip(input_size, kernel_size, stride, padding):
        if n + 2 * p < k:
            raise ValueError(f"a {kernel_size[0]}x{kernel_size[1]} kernel does not fit an input of "
                             f"{input_size[0]}x{input_size[1]} with padding {padding}; "
                             "use a smaller kernel or more padding")
        sizes.append((n + 2 * p - k) // s + 1)
    return tuple(sizes)


def _require_nchw(shape, what):
    if len(shape) < 4:
        raise ValueError(f"conv2d needs a 4-d {what} (NCHW / OCkk), got shape {tuple(shape)}")


def unfold(x, kernel_size, stride, padding):
    """im2col: ``(..., N, C, H, W) -> (..., N * H' * W', C * kh * kw)`` (a copy)."""
    kh, kw = kernel_size
    (sh, sw), (ph, pw) = stride, padding
    *lead, n, c, h, w = x.shape
    ho, wo = output_size((h, w), kernel_size, stride, padding)
    if ph or pw:
        x = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)])
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(-2, -1))
    windows = windows[..., :(ho - 1) * sh + 1:sh, :(wo - 1) * sw + 1:sw, :, :]
    # (..., N, C, H', W', kh, kw) -> (..., N, H', W', C, kh, kw)
    k = len(lead)
    windows = windows.transpose(*range(k), k, k + 2, k + 3, k + 1, k + 4, k + 5)
    return windows.reshape(tuple(lead) + (n * ho * wo, c * kh * kw))


def fold(columns, input_shape, kernel_size, stride, padding):
    """col2im, the adjoint of :func:`unfold`: overlapping windows add up.

    ``(..., N * H' * W', C * kh * kw) -> (..., N, C, H, W)`` for ``input_shape = (N, C, H, W)``.
    """
    n, c, h, w = input_shape
    kh, kw = kernel_size
    (sh, sw), (ph, pw) = stride, padding
    ho, wo = output_size((h, w), kernel_size, stride, padding)
    lead = columns.shape[:-2]
    cols = columns.reshape(lead + (n, ho, wo, c, kh, kw))
    k = len(lead)
    cols = cols.transpose(*range(k), k, k + 3, k + 4, k + 5, k + 1, k + 2)  # (.., N, C, kh, kw, H', W')
    out = np.zeros(lead + (n, c, h + 2 * ph, w + 2 * pw), dtype=columns.dtype)
    with np.errstate(over="ignore"):  # int64 ring elements wrap on purpose
        for i in range(kh):
            for j in range(kw):
                out[..., i:i + (ho - 1) * sh + 1:sh, j:j + (wo - 1) * sw + 1:sw] += cols[..., i, j, :, :]
    return out[..., ph:ph + h, pw:pw + w]


def _weight_matrix(weight):
    """``(..., O, C, kh, kw) -> (..., C * kh * kw, O)``."""
    o, c, kh, kw = weight.shape[-4:]
    return np.swapaxes(weight.reshape(weight.shape[:-4] + (o, c * kh * kw)), -1, -2)


def _lead(*shapes):
    return np.broadcast_shapes(*(s[:-4] for s in shapes))


class Bilinear:
    """One of the three convolution maps (``KINDS``) with its geometry fixed.

    ``bilinear(left, right, matmul)`` computes it; ``output_shape(left_shape, right_shape)``
    checks the operands' shapes (a ValueError that names them) and gives the result's.
    ``input_size`` (H, W) is needed by ``conv2d_input_grad`` (a stride may drop the last
    rows, so H is not determined by H'); ``kernel_size`` by ``conv2d_weight_grad``.
    """

    def __init__(self, kind, stride=1, padding=0, input_size=None, kernel_size=None):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        self.kind = kind
        self.stride = pair(stride, "stride", 1)
        self.padding = pair(padding, "padding", 0)
        self.input_size = None if input_size is None else pair(input_size, "input_size", 1)
        self.kernel_size = None if kernel_size is None else pair(kernel_size, "kernel_size", 1)
        if kind == "conv2d_input_grad" and self.input_size is None:
            raise ValueError("conv2d_input_grad needs the input's (H, W) as input_size")
        if kind == "conv2d_weight_grad" and self.kernel_size is None:
            raise ValueError("conv2d_weight_grad needs the kernel's (kh, kw) as kernel_size")

    def __repr__(self):
        return f"Bilinear({self.kind!r}, stride={self.stride}, padding={self.padding})"

    def output_shape(self, left_shape, right_shape):
        left_shape, right_shape = tuple(left_shape), tuple(right_shape)
        _require_nchw(left_shape, "first operand")
        _require_nchw(right_shape, "second operand")
        try:
            lead = _lead(left_shape, right_shape)
        except ValueError:
            raise ValueError(f"{self.kind}: leading axes of {left_shape} and {right_shape} "
                             "do not broadcast") from None
        if self.kind == "conv2d":
            (n, c, h, w), (o, c_w, kh, kw) = left_shape[-4:], right_shape[-4:]
            if c != c_w:
                raise ValueError(f"conv2d: the input has {c} channels (shape {left_shape}) but the "
                                 f"weight expects {c_w} (shape {right_shape}, (out, in, kh, kw))")
            return lead + (n, o) + output_size((h, w), (kh, kw), self.stride, self.padding)
        if self.kind == "conv2d_input_grad":
            (n, o, ho, wo), (o_w, c, kh, kw) = left_shape[-4:], right_shape[-4:]
            expected = output_size(self.input_size, (kh, kw), self.stride, self.padding)
            if o != o_w or (ho, wo) != expected:
                raise ValueError(f"conv2d_input_grad: gradient of shape {left_shape} does not fit a "
                                 f"weight of shape {right_shape} and an input of {self.input_size}")
            return lead + (n, c) + self.input_size
        (n, c, h, w), (n_g, o, ho, wo) = left_shape[-4:], right_shape[-4:]
        expected = output_size((h, w), self.kernel_size, self.stride, self.padding)
        if n != n_g or (ho, wo) != expected:
            raise ValueError(f"conv2d_weight_grad: input of shape {left_shape} and gradient of "
                             f"shape {right_shape} do not fit a {self.kernel_size} kernel")
        return lead + (o, c) + self.kernel_size

    def __call__(self, left, right, matmul=np.matmul):
        left, right = np.asarray(left), np.asarray(right)
        out_shape = self.output_shape(left.shape, right.shape)
        geometry = (self.stride, self.padding)
        if self.kind == "conv2d":
            n, o = left.shape[-4], right.shape[-4]
            columns = unfold(left, right.shape[-2:], *geometry)          # (.., N L, K)
            product = matmul(columns, _weight_matrix(right))               # (.., N L, O)
            ho, wo = out_shape[-2:]
            product = product.reshape(product.shape[:-2] + (n, ho * wo, o))
            return np.swapaxes(product, -1, -2).reshape(out_shape)
        if self.kind == "conv2d_input_grad":
            grad = _rows(left)                                              # (.., N L, O)
            columns = matmul(grad, np.swapaxes(_weight_matrix(right), -1, -2))  # (.., N L, K)
            return fold(columns, out_shape[-4:], right.shape[-2:], *geometry)
        columns = unfold(left, self.kernel_size, *geometry)                 # (.., N L, K)
        product = matmul(np.swapaxes(columns, -1, -2), _rows(right))       # (.., K, O)
        return np.swapaxes(product, -1, -2).reshape(out_shape)


def _rows(grad):
    """``(..., N, O, H', W') -> (..., N H' W', O)``: one row per output position."""
    n, o, h, w = grad.shape[-4:]
    rows = np.moveaxis(grad, -3, -1)
    return rows.reshape(grad.shape[:-4] + (n * h * w, o))   # explicit: a leading axis may be 0


def conv2d(x, weight, stride=1, padding=0, matmul=np.matmul):
    """The convolution of ``x`` (N, C, H, W) with ``weight`` (O, C, kh, kw): (N, O, H', W')."""
    return Bilinear("conv2d", stride, padding)(x, weight, matmul)


def unfolded_elements(x_shape, kernel_size, stride=1, padding=0):
    """Elements of the im2col matrix of an input: what an unfolded opening would send."""
    n, c, h, w = x_shape[-4:]
    ho, wo = output_size((h, w), pair(kernel_size, "kernel_size", 1), pair(stride, "stride", 1),
                         pair(padding, "padding", 0))
    kh, kw = pair(kernel_size, "kernel_size", 1)
    return n * ho * wo * c * kh * kw
