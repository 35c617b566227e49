"""core/distinct: what np.unique gives, value for value and dtype for dtype."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from peercorpus.core.distinct import distinct


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.integers(-(2**40), 2**40), max_size=200), dtype=st.sampled_from([np.int64, np.int32, np.uint16]))
def test_distinct_is_np_unique(values, dtype):
    array = np.array(values, dtype=np.int64)
    array = array.astype(dtype) if dtype is np.int64 else (array % 60000).astype(dtype)
    expected = np.unique(array)
    got = distinct(array)
    assert got.dtype == expected.dtype and got.tolist() == expected.tolist()


def test_distinct_flattens_as_np_unique_does():
    grid = np.array([[3, 1], [3, 0]], dtype=np.int32)
    assert distinct(grid).tolist() == np.unique(grid).tolist() == [0, 1, 3]
    assert distinct(np.zeros(0, dtype=np.int64)).dtype == np.int64
