"""The exercise tests catch the mistakes learners make, and say what is wrong.

For each exercise, plain solutions (``learner_solutions.py``) with one deliberate mistake
each are plugged into the exercise's own tests. For every case the correct plain solution
passes the test, and the mistaken one fails it with a message that names the problem:
the words checked here are part of what the learner reads.
"""
import importlib

import pytest
from _pytest.outcomes import Failed

from learner_solutions import solution

MARKS = {"ex1_sharing": pytest.mark.ex_sharing, "ex2_beaver": pytest.mark.ex_beaver,
         "ex3_truncation": pytest.mark.ex_truncation,
         "ex4_private_compare": pytest.mark.ex_private_compare, "ex5_drelu": pytest.mark.ex_drelu,
         "ex6_mul_backward": pytest.mark.ex_mul_backward,
         "ex7_matmul_backward": pytest.mark.ex_matmul_backward}

# exercise, mistake, the test that catches it (and its parameters), words of the message
CASES = [
    ("ex1_sharing", "missing mask", "test_shares_are_fresh_each_time", {},
     "a share equals the secret"),
    ("ex1_sharing", "sign", "test_shares_reconstruct_to_the_secret",
     {"n_parties": 3, "shape": (7,)}, "reconstruct(share(x)) for 3 parties is wrong at element"),
    ("ex1_sharing", "masks too small", "test_every_single_share_is_uniform",
     {"n_parties": 2, "secret_value": 0}, "is not uniform on the ring"),
    ("ex1_sharing", "no wrap modulo 2^64", "test_reconstruct_wraps_modulo_2_64", {},
     "it wraps modulo 2^64"),
    ("ex1_sharing", "zero-sharing that does not sum to zero",
     "test_refresh_keeps_the_secret_and_changes_the_shares", {}, "sum to 0 over the parties"),
    ("ex2_beaver", "missing mask", "test_only_the_masked_differences_are_opened", {},
     "open revealed the secret x itself"),
    ("ex2_beaver", "sign", "test_elementwise_product", {"n_parties": 2, "shape": (5,)},
     "e = x - a and f = y - b (not a - x)"),
    ("ex2_beaver", "public term added by every party", "test_public_term_added_once", {},
     "added by exactly one party"),
    ("ex2_beaver", "wrong order", "test_matrix_product_keeps_the_order", {"n_parties": 2},
     "a matrix product does not commute"),
    ("ex3_truncation", "both parties round the same way",
     "test_truncation_is_right_within_one_unit", {}, "party 1 rounds up"),
    ("ex3_truncation", "sign", "test_small_and_negative_values", {}, "outside [0, 1]"),
    ("ex3_truncation", "both parties round the same way", "test_divide_by_a_public_integer",
     {"d": 10}, "-((-x_1) // d)"),
    ("ex4_private_compare", "missing mask z", "test_each_message_alone_is_uniform", {},
     "party 0 adds a common random z_i"),
    ("ex4_private_compare", "missing multiplier s", "test_what_the_helper_sees_is_masked", {},
     "multiply every c_i by a common random s_i"),
    ("ex4_private_compare", "missing permutation", "test_what_the_helper_sees_is_masked", {},
     "shuffle the 64 positions"),
    ("ex4_private_compare", "sign", "test_mixed_beta", {}, "sigma = -1"),
    ("ex4_private_compare", "public term added by every party", "test_random_values",
     {"beta_value": 0}, "added by party 1 only"),
    ("ex4_private_compare", "missing modular reduction", "test_one_message_each_in_z_p", {},
     "reduce every entry mod 67"),
    ("ex5_drelu", "no doubling", "test_drelu_signs", {}, "double the shares first"),
    ("ex5_drelu", "sign", "test_drelu_signs", {}, "DReLU(a) = 1 - MSB"),
    ("ex5_drelu", "public term added by every party", "test_drelu_signs", {},
     "add the 1 at party 0 only"),
    ("ex5_drelu", "missing modular reduction", "test_compute_msb", {},
     "plain + wraps modulo 2^64"),
    ("ex6_mul_backward", "forgotten unbroadcast", "test_float_gradients_match_central_differences",
     {"shape_a": (3, 4), "shape_b": (4,)}, "(unbroadcast)"),
    ("ex6_mul_backward", "sign", "test_float_gradients_match_central_differences",
     {"shape_a": (3, 4), "shape_b": (3, 4)}, "the gradient for a, against central differences"),
    ("ex6_mul_backward", "inputs swapped", "test_float_gradients_match_central_differences",
     {"shape_a": (3, 4), "shape_b": (3, 4)}, "d(a*b)/da = grad * b"),
    ("ex6_mul_backward", "gradient nobody needs", "test_on_shares_a_gradient_nobody_needs_costs_nothing",
     {}, "a gradient nobody needs was computed"),
    ("ex7_matmul_backward", "missing transpose", "test_two_dimensional_formulas", {},
     "grad_a = grad @ b^T"),
    ("ex7_matmul_backward", "wrong order", "test_two_dimensional_formulas", {},
     "keep the order"),
    ("ex7_matmul_backward", "forgotten unbroadcast",
     "test_float_gradients_match_central_differences",
     {"shape_a": (5, 3, 4), "shape_b": (4, 2)}, "(unbroadcast)"),
    ("ex7_matmul_backward", "gradient nobody needs", "test_only_the_needed_gradient_is_computed",
     {}, "a gradient nobody needs was computed"),
]


def _case(exercise, mistake, test, kwargs, words):
    return pytest.param(exercise, mistake, test, kwargs, words, marks=MARKS[exercise],
                        id=f"{exercise}-{mistake.replace(' ', '_')}-{test}")


@pytest.mark.parametrize("exercise, mistake, test, kwargs, words", [_case(*c) for c in CASES])
def test_a_wrong_solution_fails_with_a_message_that_says_what_is_wrong(exercise, mistake, test,
                                                                       kwargs, words):
    test_function = getattr(importlib.import_module(f"test_{exercise}"), test)
    test_function(solution(exercise), **kwargs)                  # the plain solution passes
    with pytest.raises(Failed) as failed:
        test_function(solution(exercise, mistake), **kwargs)
    message = str(failed.value)
    assert words in message, (f"the mistake {mistake!r} fails {test}, but its message does not "
                              f"say {words!r}:\n{message}")
    assert len(message) < 1500, f"the message is {len(message)} characters long:\n{message}"


def test_every_exercise_has_its_mistakes_tested():
    assert {case[0] for case in CASES} == set(MARKS)
    assert all(sum(case[0] == exercise for case in CASES) >= 3 for exercise in MARKS)
