"""DP-SGD: clipped per-example gradients plus Gaussian noise, on floats or on shares.

One step (Abadi et al., CCS 2016, Algorithm 1), for a batch drawn by Poisson sampling
with rate ``q`` from ``N`` examples (expected size ``L = q N``):

1. per-example gradient norms and the clipped sum ``S = sum_i c_i grad_i``,
   ``c_i = min(1, C / |grad_i|)`` (:mod:`nn.dp.per_example`, :mod:`nn.dp.clipping`);
2. ``S + z`` with ``z ~ N(0, sigma^2 C^2)`` per coordinate, added on shares so that no
   one who may see the result knows ``z`` (:mod:`nn.dp.noise`);
3. the gradient ``(S + z) / L`` goes to the optimiser as ``p.grad``; what the optimiser
   then does (SGD, momentum) is post-processing and costs no privacy.

In encrypted mode everything stays shared; with a public model the noised gradient
is what the model owner receives.  Neither the unclipped gradient nor the clipped,
un-noised sum is ever revealed to anyone (``tests/test_dp_views.py`` checks each
party's view).  The revealed training loss of ordinary training would leak outside
the guarantee, so a DP step reveals nothing.
"""
import numpy as np

from autograd import values as V
from smpc.fixed_point import DEFAULT_ENCODER
from smpc.sharing import fresh_zero_shares
from smpc.shared_tensor import SharedTensor

from .clipping import check_clip
from .noise import add_noise, check_scheme
from .per_example import check_supported, clipped_gradient_sums, summed_squared_error


class DPSGD:
    """Sets each parameter's ``grad`` to its differentially private value for a batch.

    ``noise_multiplier`` is ``sigma``; ``expected_batch_size`` is ``q N``;
    ``noise_source`` is the generator of the party that draws the noise (see
    :mod:`nn.dp.noise`); ``parties = (holders, crypto_provider)`` when the batches are
    shared (needed when a batch is empty, with ``encoder`` for the empty sums).
    """

    def __init__(self, model, clip, noise_multiplier, expected_batch_size, noise_source,
                 noise="dealer", parties=None, loss=summed_squared_error, encoder=None):
        check_supported(model)
        if not noise_multiplier >= 0:
            raise ValueError(f"the noise multiplier must be at least 0, got {noise_multiplier!r}")
        if not expected_batch_size > 0:
            raise ValueError(f"the expected batch size must be above 0, got {expected_batch_size!r}")
        self.model = model
        self.clip = check_clip(clip)
        self.noise_multiplier = float(noise_multiplier)
        self.expected_batch_size = float(expected_batch_size)
        self.noise_source = noise_source
        self.noise = check_scheme(noise)
        self.parties = parties
        self.loss = loss
        self.encoder = encoder or DEFAULT_ENCODER

    @property
    def noise_std(self):
        return self.noise_multiplier * self.clip

    def _empty_sums(self):
        """Zero sums for a batch with no example (its update is noise alone)."""
        sums = {}
        for name, p in self.model.named_parameters():
            if V.is_shared(p.value):
                sums[name] = p.value.new_zeros(p.shape)
            elif self.parties is not None:
                holders, cp = self.parties
                sums[name] = SharedTensor(fresh_zero_shares(len(holders), p.shape), holders, cp,
                                          self.encoder)
            else:
                sums[name] = np.zeros(p.shape)
        return sums

    def private_gradients(self, x, y):
        """Compute the private gradients of batch ``(x, y)`` into ``p.grad``; reveal nothing."""
        if x.shape[0] == 0:
            sums = self._empty_sums()
        else:
            _, _, sums = clipped_gradient_sums(self.model, x, y, self.clip, self.loss)
        for name, p in self.model.named_parameters():
            noised = add_noise(sums[name], self.noise_std, self.noise_source, self.noise,
                               self.parties)
            p.grad = V.divide(noised, self.expected_batch_size)
