"""Conv2d: a two-dimensional convolution (NCHW) and its two gradients.

With ``out = conv2d(x, w)`` (stride ``s``, zero padding ``p``), both gradients are
convolutions again, each linear in both of its operands:

* ``grad_x = conv2d_input_grad(grad, w)``: the *transposed* convolution, every output
  gradient spread back over the window it came from, weighted by ``w``;
* ``grad_w = conv2d_weight_grad(x, grad)``: every window of the input weighted by the
  gradient of the output it made, summed over the batch and the positions.

On floats each is one NumPy matrix product through the im2col view
(:mod:`smpc.convolution`). On shares each is a SPDZ product with its own convolution
triple, in the shapes of its own operands (:mod:`smpc.beaver_conv`); a gradient nobody
needs is not computed. A public operand next to shares (a public model on private data)
is applied locally by every holder.
"""

from smpc.convolution import Bilinear

from autograd import values as V
from autograd.function import Function
from autograd.registry import register


def apply_bilinear(bilinear, left, right):
    """``bilinear(left, right)`` for floats or shares (at least one shared, the other public)."""
    if V.is_shared(left) or V.is_shared(right):
        from smpc.beaver_conv import bilinear_product
        return bilinear_product(left, right, bilinear)
    if V.is_float(left) and V.is_float(right):
        return bilinear(left, right)
    raise TypeError(f"{bilinear.kind}: public fixed-point operands are not supported; use float "
                    "arrays (.float_precision()) or share one of them")


@register
class Conv2d(Function):
    """out = conv2d(x, w);  grad_x = transposed convolution of grad with w, grad_w = conv of x with grad."""

    @staticmethod
    def forward(ctx, x, weight, stride=1, padding=0):
        forward_map = Bilinear("conv2d", stride, padding)
        forward_map.output_shape(x.shape, weight.shape)  # a clear error for wrong shapes
        ctx.save_for_backward(x, weight)
        ctx.stride, ctx.padding = forward_map.stride, forward_map.padding
        return apply_bilinear(forward_map, x, weight)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_values
        need_x, need_w = ctx.needs_input_grad
        grad_x = grad_w = None
        if need_x:
            input_grad = Bilinear("conv2d_input_grad", ctx.stride, ctx.padding,
                                  input_size=x.shape[-2:])
            grad_x = apply_bilinear(input_grad, grad, weight)
        if need_w:
            weight_grad = Bilinear("conv2d_weight_grad", ctx.stride, ctx.padding,
                                   kernel_size=weight.shape[-2:])
            grad_w = apply_bilinear(weight_grad, x, grad)
        return grad_x, grad_w
