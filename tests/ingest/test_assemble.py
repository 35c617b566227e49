"""The assembler's shortcuts give what the long way gives (issue 18: the parent's CPU)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from peercorpus.ingest.assemble import given_by_first_tokens


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=30), st.integers(0, 4), st.integers(0, 8))
def test_unit_numbers_in_order_are_taken_as_given_exactly_when_derivation_gives_them(numbers, first_unit, n_units):
    numbers = np.asarray(numbers, dtype=np.int64)
    # each unit's first token as Assembler._add_units finds it
    local_first = np.searchsorted(numbers, np.arange(first_unit, first_unit + n_units), side="left")
    derived = np.maximum(np.searchsorted(local_first, np.arange(len(numbers)), side="right") - 1 + first_unit, 0)
    assert given_by_first_tokens(numbers, local_first, first_unit) == np.array_equal(derived, numbers)
