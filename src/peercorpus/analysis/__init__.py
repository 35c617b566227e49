"""Analyses: pure functions of a corpus (or its tokens) and parameters, returning tidy DataFrames."""
