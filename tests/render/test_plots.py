"""Plots are paper-ready: 300 dpi PNG, print-size figures with no text under 8 pt, readable
document labels, keyness bars ordered by the value plotted, stop words out by default."""

from __future__ import annotations

import pytest

from peercorpus.render import figure as figure_module


@pytest.fixture
def captured(monkeypatch):
    """The figures plot functions draw (saved as usual too)."""
    figures = []
    original = figure_module.save_figure

    def keep(fig, path):
        fig.canvas.draw()
        figures.append((fig, [(t.get_text(), t.get_fontsize()) for t in fig.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text")) if t.get_text().strip() and t.get_visible()], fig.get_size_inches().tolist()))
        original(fig, path)

    for module in ("keyness_plot", "dispersion_plot", "topic_plots"):
        monkeypatch.setattr(f"peercorpus.render.{module}.save_figure", keep)
    return figures


def _check(figures):
    assert figures
    for _, texts, (width, _) in figures:
        small = [(text, size) for text, size in texts if size < figure_module.MIN_FONT]
        assert not small, small
        assert width <= figure_module.PAGE + 0.01


@pytest.mark.print_dpi
def test_keyness_plot_is_ordered_by_log_ratio_without_stop_words(run, sample_corpus, tmp_path, captured):
    from PIL import Image

    plot = tmp_path / "k.png"
    assert run("keyness", str(sample_corpus), "--target", "genre=blog", "--plot", str(plot), "-f", "csv", "-o", str(tmp_path / "k.csv")).exit_code == 0
    assert round(Image.open(plot).info["dpi"][0]) == 300
    _check(captured)
    fig = captured[0][0]
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "the" not in labels and "i" not in labels and "my" not in labels
    bars = sorted(ax.patches, key=lambda p: -p.get_y())  # top to bottom
    values = [b.get_width() for b in bars]
    positive = [v for v in values if v > 0]
    negative = [v for v in values if v < 0]
    assert positive == sorted(positive, reverse=True) and negative == sorted(negative, reverse=True)
    # asked for stop words (none): they may be plotted
    captured.clear()
    run("keyness", str(sample_corpus), "--target", "genre=blog", "--plot", str(plot), "--stopwords", "none", "-f", "csv", "-o", str(tmp_path / "k.csv"))
    assert "i" in [t.get_text() for t in captured[0][0].axes[0].get_yticklabels()]


def test_dispersion_and_topic_plots_are_print_size_with_wrapped_labels(run, sample_corpus, tmp_path, captured):
    assert run("dispersion", str(sample_corpus), "peer", "--plot", str(tmp_path / "d.svg")).exit_code == 0
    assert (tmp_path / "d.svg").read_text().lstrip().startswith("<?xml")
    _check(captured)
    labels = [t.get_text() for t in captured[0][0].axes[0].get_yticklabels()]
    assert "more-milk-than-psychology-\nhealth-expectations" in labels  # wrapped, suffix dropped, nothing cut


def test_topic_plots_name_topics_and_keep_fonts(run, planted_corpus, tmp_path, captured):
    folder, _ = planted_corpus
    assert run("topics", str(folder), "--k", "3", "-o", str(tmp_path / "t")).exit_code == 0
    _check(captured)
    heatmap = captured[-1][0].axes[0]
    assert all(":" in t.get_text() for t in heatmap.get_xticklabels())  # "0: label", not a bare number


def test_wrap_label():
    from peercorpus.render.figure import wrap_label

    assert wrap_label("a.txt") == "a"
    assert wrap_label("x" * 70).endswith("…") and wrap_label("x" * 70).count("\n") == 1
