"""The cache's compressed bytes are zlib streams whichever library made them (ingest/deflate.py)."""

import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peercorpus.ingest import deflate


@pytest.fixture(params=["isal", "zlib"])
def library(request, monkeypatch):
    """Each test with ISA-L (where installed) and with the standard library's zlib alone."""
    if request.param == "isal":
        pytest.importorskip("isal.isal_zlib")
    else:
        monkeypatch.setattr(deflate, "_isal", None)
    return request.param


# the fixture sets the library once for all the examples, which is what is meant
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=5000))
def test_what_is_compressed_is_a_zlib_stream_both_ways(library, data):
    packed = deflate.compress(data)
    assert deflate.decompress(packed) == data
    assert zlib.decompress(packed) == data  # a cache written with ISA-L is read without it
    assert deflate.decompress(zlib.compress(data, 6)) == data  # and the other way round


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage"])
def test_a_damaged_stream_raises_zlibs_error(library, damage):
    packed = deflate.compress(b"peer support work in the NHS " * 200)
    broken = {
        "flip": packed[:20] + bytes([packed[20] ^ 0xFF]) + packed[21:],
        "truncate": packed[: len(packed) // 2],
        "garbage": b"not a zlib stream at all",
    }[damage]
    with pytest.raises(zlib.error):
        deflate.decompress(broken)


def test_isal_is_used_where_it_is_installed():
    isal = pytest.importorskip("isal.isal_zlib")
    data = b"peer support " * 1000
    assert deflate.compress(data) == isal.compress(data, deflate.ISAL_LEVEL)
