"""The version of peercorpus, in a module of its own so that any module can import it without
importing the package's front door (``peercorpus/__init__.py``) first."""

__version__ = "0.1.0"
