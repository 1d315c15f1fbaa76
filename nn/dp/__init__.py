"""Differentially private training (DP-SGD) whose clipping and noise happen on shares.

Secret sharing hides the data from the parties that compute; what the trained model
itself tells about its training data (membership, memorised examples) it does not
hide.  Differential privacy bounds that: with DP-SGD the returned model is
``(epsilon, delta)``-DP with respect to adding or removing one training example.

Read in this order:

* ``per_example``  per-example gradient norms of linear layers without per-example
                   gradients, and the clipped sum
* ``clipping``     the clip factors ``min(1, C / norm)`` on shares
* ``noise``        Gaussian noise that no party which sees the result knows
* ``sampling``     Poisson sampling, as the accountant assumes
* ``accounting``   epsilon with Google's ``dp-accounting`` (RDP)
* ``dp_sgd``       one DP-SGD step: everything above, for an optimiser
"""
from .clipping import MAX_SQUARED_NORM, check_clip, clip_factors
from .dp_sgd import DPSGD
from .noise import NOISE_SCHEMES, draw_gaussian_noise, shared_gaussian_noise
from .per_example import clipped_gradient_sums, summed_squared_error
from .sampling import PoissonSampler, rate_for_batch_size, steps_for

__all__ = ["DPSGD", "PoissonSampler", "rate_for_batch_size", "steps_for", "clip_factors",
           "check_clip", "MAX_SQUARED_NORM", "NOISE_SCHEMES", "draw_gaussian_noise",
           "shared_gaussian_noise", "clipped_gradient_sums", "summed_squared_error"]
