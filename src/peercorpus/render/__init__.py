"""Renderers: terminal tables, file exports (CSV/TSV/JSON/Markdown/HTML), reports and plots."""
