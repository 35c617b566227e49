"""Outputs never destroy inputs or special files."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from .conftest import one_line_error


def _corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Peer support helps. Peers listen.\n")
    (corpus / "b.txt").write_text("Another text about peer workers.\n")
    return corpus


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_output_into_a_fifo_writes_into_it(run, tmp_path):
    corpus = _corpus(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    result = run("freq", str(corpus), "-f", "csv", "-o", str(fifo))
    reader.join(10)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO was replaced by a file"
    assert received and received[0].startswith("rank,term,")


def test_output_into_a_character_device_writes_into_it(run, tmp_path):
    corpus = _corpus(tmp_path)
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    except (PermissionError, OSError):
        pytest.skip("cannot make a device node here (not root)")
    result = run("freq", str(corpus), "-f", "csv", "-o", str(null))
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(os.stat(null).st_mode), "the device was replaced by a file"


def test_output_an_existing_folder_is_a_one_line_error(run, tmp_path):
    corpus = _corpus(tmp_path)
    (tmp_path / "out").mkdir()
    line = one_line_error(run("freq", str(corpus), "-f", "csv", "-o", str(tmp_path / "out")))
    assert "is a folder" in line


def test_output_over_the_sidecar_of_a_file_given_alone_is_refused(run, tmp_path):
    corpus = _corpus(tmp_path)
    sidecar = corpus / "metadata.csv"
    sidecar.write_text("file,genre\na.txt,blog\n")
    outside = tmp_path / "alone.txt"
    outside.write_text("Peer text given by itself.\n")
    sidecar2 = tmp_path / "metadata.csv"
    sidecar2.write_text("file,genre\nalone.txt,news\n")
    line = one_line_error(run("freq", str(outside), "-f", "csv", "-o", str(sidecar2)))
    assert "which the corpus reads" in line
    assert sidecar2.read_text() == "file,genre\nalone.txt,news\n"


def test_output_over_a_link_target_is_refused(run, tmp_path):
    corpus = _corpus(tmp_path)
    ext = corpus / "ext"
    ext.mkdir()
    (ext / "doc.txt").write_text("The real document.\n")
    (corpus / "link.txt").symlink_to(ext / "doc.txt")
    # through a link to the corpus' own file: a different spelling of the same input
    other = tmp_path / "alias"
    other.symlink_to(ext)
    line = one_line_error(run("freq", str(corpus), "-f", "csv", "-o", str(other / "doc.txt")))
    assert "corpus" in line
    assert (ext / "doc.txt").read_text() == "The real document.\n"


def test_output_into_a_folder_reached_through_a_link_is_refused(run, tmp_path):
    corpus = _corpus(tmp_path)
    shared = corpus / "shared"
    shared.mkdir()
    (shared / "c.txt").write_text("Shared text about peers.\n")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "more").symlink_to(shared)
    result = run("freq", str(corpus / "sub"), "--set", "read.follow_links=true", "-f", "csv", "-o", str(shared / "freq.csv"))
    line = one_line_error(result)
    assert "which the corpus reads" in line
    assert not (shared / "freq.csv").exists()


def test_save_compounds_over_a_linked_document_is_refused(run, tmp_path):
    corpus = _corpus(tmp_path)
    ext = tmp_path / "ext"
    ext.mkdir()
    (ext / "doc.txt").write_text("Lived experience matters. Lived experience again.\n")
    (corpus / "doc.txt").symlink_to(ext / "doc.txt")
    result = run("collocations", str(corpus), "--set", "read.follow_links=true", "--save-compounds", str(ext / "doc.txt"))
    one_line_error(result)
    assert (ext / "doc.txt").read_text().startswith("Lived experience matters.")


def test_links_out_of_the_corpus_are_not_followed_by_default(run, tmp_path):
    corpus = _corpus(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("Private words nobody meant to share.\n")
    (corpus / "passwd.txt").symlink_to(secret)
    result = run("freq", str(corpus), "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert "private" not in result.stdout
    assert "outside the corpus folder; not followed" in result.stderr
    allowed = run("freq", str(corpus), "-f", "csv", "--set", "read.follow_links=true")
    assert allowed.exit_code == 0 and "private" in allowed.stdout
