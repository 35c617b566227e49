"""From files to a cached corpus, one stage a module, in the order they run::

    discover.py   the files under the paths given (links, hidden files, sizes)
    shard.py      one file → a Shard: read (io/), clean (cleaning.py), sections.py, quality.py,
                  tokenize.py — what the cache keeps per file content
    store.py      the cache folder: shard packs, snapshot publishing and reading
    assemble.py   shards → one corpus vocabulary, written into a snapshot as they come
    snapshot.py   the snapshot folder's files, written piece by piece
    load.py       load_corpus(): all of the above, or a warm snapshot when nothing changed
"""
