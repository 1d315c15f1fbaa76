"""Fixed-point encoding: round to the nearest ulp, refuse what does not fit."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import smpc
from smpc.errors import FixedPointRangeError
from smpc.fixed_point import DEFAULT_ENCODER, FixedPointEncoder, encoder_from_setting
from strategies import ENCODER_IDS, ENCODERS, SETTINGS, float_arrays, small_shapes


@pytest.mark.parametrize("encoder", ENCODERS, ids=ENCODER_IDS)
def test_constants_of_both_encoders(encoder):
    assert encoder.ulp == 1 / encoder.scale
    assert encoder.max_value * encoder.scale == 2 ** 31
    # The product of two largest encodings fits 2^62 (SecureNN's comparison range).
    assert (encoder.max_value * encoder.scale) ** 2 <= 2 ** 62


def test_the_default_is_base_2_with_16_bits_and_the_reference_is_base_10_with_3_digits():
    assert (DEFAULT_ENCODER.base, DEFAULT_ENCODER.precision, DEFAULT_ENCODER.scale) == (2, 16, 65536)
    ref = FixedPointEncoder(base=10, precision=3)
    assert ref.scale == 1000 and ref.max_value == 2147483.648
    assert encoder_from_setting("10:3") == ref and encoder_from_setting(16) == DEFAULT_ENCODER


@pytest.mark.parametrize("encoder", ENCODERS, ids=ENCODER_IDS)
@SETTINGS
@given(data=st.data())
def test_round_trip_within_half_an_ulp(encoder, data):
    x = data.draw(float_arrays(data.draw(small_shapes()), encoder.max_value, encoder.ulp))
    encoded = encoder.encode(x)
    assert encoded.dtype == np.int64 and encoded.shape == np.shape(x)
    assert np.all(np.abs(encoder.decode(encoded) - x) <= encoder.ulp / 2 * (1 + 1e-9))


@pytest.mark.parametrize("encoder", ENCODERS, ids=ENCODER_IDS)
def test_edges_encode_exactly(encoder):
    edges = np.array([0.0, -0.0, encoder.ulp, -encoder.ulp, encoder.max_value, -encoder.max_value])
    encoded = encoder.encode(edges)
    np.testing.assert_array_equal(encoded, [0, 0, 1, -1, 2 ** 31, -(2 ** 31)])
    np.testing.assert_allclose(encoder.decode(encoded), edges, rtol=1e-15)


@pytest.mark.parametrize("encoder", ENCODERS, ids=ENCODER_IDS)
@pytest.mark.parametrize("sign", [1, -1])
def test_one_ulp_beyond_the_range_is_refused_with_the_range(encoder, sign):
    too_big = sign * (encoder.max_value + encoder.ulp)
    with pytest.raises(FixedPointRangeError, match=r"outside the fixed-point range \[-") as info:
        encoder.encode(np.array([0.0, too_big]))
    assert f"{encoder.max_value:g}" in str(info.value)
    assert isinstance(info.value, ValueError)  # catchable as a ValueError too


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_infinity_are_refused(bad):
    with pytest.raises(FixedPointRangeError, match="NaN or infinity"):
        DEFAULT_ENCODER.encode([1.0, bad])
    with pytest.raises(FixedPointRangeError, match="NaN or infinity"):
        smpc.fix_precision(np.array([bad]))


@pytest.mark.parametrize("kwargs, message", [
    (dict(base=3), "base must be 2 or 10"),
    (dict(precision=-1), "non-negative integer"),
    (dict(precision=2.5), "non-negative integer"),
    (dict(base=2, precision=31), "no room for the integer part"),
    (dict(base=10, precision=10), "no room for the integer part"),
])
def test_bad_encoder_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FixedPointEncoder(**kwargs)


def test_fixed_precision_tensor_public_arithmetic():
    x = smpc.fix_precision(np.array([1.5, -2.25]))
    np.testing.assert_array_equal((x + 1).float_precision(), [2.5, -1.25])
    np.testing.assert_array_equal((x * 2.0).float_precision(), [3.0, -4.5])
    np.testing.assert_array_equal((x / 2).float_precision(), [0.75, -1.125])
    np.testing.assert_array_equal((-x).float_precision(), [-1.5, 2.25])
    with pytest.raises(ValueError, match="cannot combine encodings"):
        x + smpc.fix_precision(np.array([1.0]), FixedPointEncoder(10, 3))
