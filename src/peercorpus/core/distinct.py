"""The distinct values of an integer array, by sorting.

``np.unique(values)`` with no other argument is hash-based in numpy 2.4, and 10–16× slower on
integer arrays than sorting them (a million values: 0.17 s against 0.011 s); with
``return_counts`` or ``return_inverse`` it sorts already. Counting passes over a large corpus
call it on every chunk (``freq``'s document frequencies: 12 of ``keyness``' 16 s on BBC ×50)::

    distinct(np.array([3, 1, 3, 2]))      # array([1, 2, 3]): what np.unique gives
"""

from __future__ import annotations

import numpy as np


def distinct(values) -> np.ndarray:
    """The sorted distinct values of an integer array (flattened), as ``np.unique(values)``.

    >>> distinct(np.array([[5, 1], [5, 0]])).tolist()
    [0, 1, 5]
    """
    ordered = np.sort(np.asarray(values).ravel())
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]
