"""NLTK's Punkt sentence splitting (``PunktSentenceTokenizer.span_tokenize``), the same spans
at a third of the CPU: one object per paragraph instead of one per word, and no wrapper per
regex call::

    splitter = FastPunkt(nltk_punkt_tokenizer)
    list(splitter.span_tokenize("Dr. Smith came. He sat."))      # [(0, 15), (16, 23)]

It reads everything that decides a split from the NLTK tokenizer it is given (its parameters:
abbreviations, collocations, sentence starters, orthographic contexts; its language variables'
regexes; its token class' regexes), so a trained ``punkt_tab`` model and the built-in
parameters both give NLTK's own answer; ``tests/ingest/test_punkt.py`` compares the two on
generated text and on the inputs NLTK's ReDoS reports were made of.

Bounded time: the regexes are NLTK's own linear patterns, compiled by the engine NLTK uses (the
``regex`` module, so every character class means what it means in NLTK) — but for the
sentence-end finder, compiled by ``re`` where ``standard_re`` can translate it exactly (in half
the time), else by ``regex`` with NLTK's wall-clock limit (``nltk.redos.DEFAULT_TIMEOUT``) as a
backstop — and what they see adds up to a few times the paragraph: the finder runs once over it;
the word pattern sees the context of each
candidate it keeps (from the word before a ``.``/``?``/``!`` to the word after it; two contexts
share at most a word), the token patterns one token each, the realignment pattern is anchored
at each sentence start. On the inputs of NLTK issues #2866 (``"a" * n``), #3013 (``"a. " * n``)
and PRs #2869, #3014 (``"a." * n``, ``"abc." * n``, ...) the tests count what the regexes see
(at most 8x the text) and split a megabyte of each within a time limit in a child process.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import regex

# Orthographic context flags (nltk.tokenize.punkt): the upper- and lower-case ones.
_ORTHO_BEG_UC, _ORTHO_MID_UC, _ORTHO_UNK_UC = 1 << 1, 1 << 2, 1 << 3
_ORTHO_BEG_LC, _ORTHO_MID_LC, _ORTHO_UNK_LC = 1 << 4, 1 << 5, 1 << 6
_ORTHO_UC = _ORTHO_BEG_UC | _ORTHO_MID_UC | _ORTHO_UNK_UC
_ORTHO_LC = _ORTHO_BEG_LC | _ORTHO_MID_LC | _ORTHO_UNK_LC

# string.whitespace: the characters NLTK's _get_last_whitespace_index looks for (not \s).
_ASCII_SPACES = " \t\n\r\x0b\x0c"

# Contexts decided, kept while fewer than this many (a pure function of the context).
_CACHE_SIZE = 1 << 16


def _engine(pattern):
    """The ``regex`` pattern under an NLTK ``TimedPattern`` (or a compiled pattern itself)."""
    inner = getattr(pattern, "_rx", None)
    if inner is not None:
        return inner
    if isinstance(pattern, str):
        return regex.compile(pattern)
    return regex.compile(pattern.pattern, pattern.flags)


# What ``\s`` and ``\S`` mean to the ``regex`` module, written for ``re``: Python's own ``\s``
# takes U+001C..U+001F (information separators) as white space too, Unicode's White_Space does not.
_SPACE_AS_REGEX = {"s": r"(?:(?![\x1c-\x1f])\s)", "S": r"[\S\x1c-\x1f]"}
# Flags whose meaning the two engines share (regex.V0 is its default, re's behaviour).
_SHARED_FLAGS = regex.VERBOSE | regex.UNICODE | regex.V0
# Escapes of letters (and digits) that mean the same to both engines.
_SHARED_ESCAPES = frozenset("ntrfvux")


def standard_re(pattern) -> re.Pattern | None:
    r"""``pattern`` (a ``regex`` pattern) compiled by ``re`` to match exactly what it matches, or
    ``None`` when that is not sure: only literal characters, classes of them, groups,
    look-aheads and ``\s``/``\S`` (outside classes) are translated. NLTK's sentence-end finder
    is such a pattern; ``re`` runs it in a third of the time of ``regex`` with a time limit, and it
    is linear (each candidate's look-ahead reads the space and the word after it, which no
    other candidate's reads), so it needs no limit. (NLTK's ReDoS guard is for its other patterns.)

    >>> standard_re(regex.compile(r"[.?!](?=\s+(?P<next>\S+))")).pattern
    '[.?!](?=(?:(?![\\x1c-\\x1f])\\s)+(?P<next>[\\S\\x1c-\\x1f]+))'
    >>> standard_re(regex.compile(r"\w+")) is None
    True
    """
    if pattern.flags & ~_SHARED_FLAGS:
        return None
    verbose = bool(pattern.flags & regex.VERBOSE)
    source, out, i, in_class = pattern.pattern, [], 0, False
    while i < len(source):
        character = source[i]
        if character == "\\" and i + 1 < len(source):
            escaped = source[i + 1]
            if escaped in _SPACE_AS_REGEX and not in_class:
                out.append(_SPACE_AS_REGEX[escaped])
            elif escaped.isalnum() and escaped not in _SHARED_ESCAPES:
                return None  # \w, \d, \b, \p{..}, a back-reference, \s in a class, ...
            else:
                out.append(source[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = character != "]"
        elif character == "[":
            in_class = True
            if source[i + 1 : i + 2] == "^":
                out.append("[^")
                i += 1
                character = ""
            if source[i + 1 : i + 2] == "]":  # a "]" first in a class is one of its characters
                out.append(character + "]")
                i += 2
                continue
        elif verbose and character == "#":  # a comment, to the end of its line
            end = source.find("\n", i)
            i = len(source) if end < 0 else end
            continue
        elif character in "{}" or source.startswith("(?", i) and not source.startswith(("(?:", "(?=", "(?!", "(?P<"), i):
            return None  # repeats {m,n}, flags set inside the pattern, look-behinds, ...: not translated
        out.append(character)
        i += 1
    if in_class:
        return None
    try:
        return re.compile("".join(out), re.VERBOSE if verbose else 0)
    except re.error:
        return None


class FastPunkt:
    """``span_tokenize`` of the NLTK ``PunktSentenceTokenizer`` ``tokenizer``, faster."""

    def __init__(self, tokenizer):
        try:
            from nltk.redos import DEFAULT_TIMEOUT as timeout
        except ImportError:  # an NLTK before its ReDoS module: its patterns are plain ``re``
            timeout = None
        lang = tokenizer._lang_vars
        params = tokenizer._params
        token = tokenizer._Token
        self.sent_end_chars = tuple(lang.sent_end_chars)
        self.period_context = _engine(lang.period_context_re())
        standard = standard_re(self.period_context)
        if standard is not None:  # linear, and NLTK's own answers: no time limit needed
            self.period_context, timeout = standard, None
        self.timeout = timeout
        self.word_findall = _engine(lang._word_tokenizer_re()).findall
        self.realign_match = _engine(lang.re_boundary_realignment).match
        self.numeric_match = _engine(token._RE_NUMERIC).match
        self.ellipsis_match = _engine(token._RE_ELLIPSIS).match
        self.initial_match = _engine(token._RE_INITIAL).match
        self.abbrev_types = params.abbrev_types
        self.collocations = params.collocations
        self.sent_starters = params.sent_starters
        self.ortho_context = params.ortho_context  # a defaultdict: read with .get, never grown
        self.punctuation = tuple(tokenizer.PUNCTUATION)
        self._decided: dict[str, bool] = {}
        # per token: _first_pass, _type and initial_match answers (pure functions of the token)
        self._first: dict[str, tuple[bool, bool, bool]] = {}
        self._types: dict[str, str] = {}
        self._initial: dict[str, bool] = {}

    def forget(self) -> None:
        """Forget every context and token decided so far (a benchmark's fresh start)."""
        for answers in (self._decided, self._first, self._types, self._initial):
            answers.clear()

    # -- sentence spans ---------------------------------------------------------------

    def span_tokenize(self, text: str) -> Iterator[tuple[int, int]]:
        """``(start, end)`` of every sentence of ``text``, as NLTK's ``span_tokenize(text)``."""
        slices = self._slices(text)
        realign = 0
        realign_match = self.realign_match
        for (start, stop), (next_start, next_stop) in zip(slices, slices[1:]):
            start += realign
            match = realign_match(text, next_start, next_stop)
            if match:
                yield start, next_start + len(match.group(0).rstrip())
                realign = match.end() - next_start
            else:
                realign = 0
                if start < stop and start < len(text):
                    yield start, stop
        start, stop = slices[-1]
        start += realign
        if start < stop and start < len(text):
            yield start, stop

    def _slices(self, text: str) -> list[tuple[int, int]]:
        """NLTK's ``_slices_from_text`` over its ``_match_potential_end_contexts``: each possible
        sentence end with its context (the word before it, itself, what follows; overlapping
        ones dropped), kept where Punkt decides the context holds a sentence break."""
        slices: list[tuple[int, int]] = []
        last_break = 0
        decided, decide = self._decided, self._decide

        def consider(match, word_start: int) -> None:
            nonlocal last_break
            # the word before, the end character, what its lookahead saw: one stretch of text
            context = text[word_start : match.end("after_tok")]
            breaks = decided.get(context)
            if breaks is None:
                breaks = decide(context)
                if len(decided) >= _CACHE_SIZE:
                    decided.clear()
                decided[context] = breaks
            if breaks:
                slices.append((last_break, match.end()))
                if match.group("next_tok"):
                    last_break = match.start("next_tok")  # the next sentence starts after the space
                else:
                    last_break = match.end()  # at the punctuation that follows

        previous_start = previous_stop = 0
        previous = None
        rfind = text.rfind
        finditer = self.period_context.finditer
        for match in finditer(text) if self.timeout is None else finditer(text, timeout=self.timeout):
            end = match.start()
            # the last ASCII space character between the previous candidate and this one
            space = rfind(" ", previous_stop, end)
            if not text[max(space + 1, previous_stop) : end].isprintable():  # a tab, a line end, ...
                for character in _ASCII_SPACES[1:]:
                    later = rfind(character, max(space + 1, previous_stop), end)
                    if later > space:
                        space = later
            word_start = space + 1 if space > previous_stop else previous_start
            if previous is not None and previous_stop <= word_start:
                consider(previous, previous_start)
            previous, previous_start, previous_stop = match, word_start, end
        if previous is not None:
            consider(previous, previous_start)
        slices.append((last_break, len(text.rstrip())))  # the last sentence, without trailing space
        return slices

    # -- one context: does a token other than the last end a sentence? ------------------

    def _decide(self, context: str) -> bool:
        """NLTK's ``text_contains_sentbreak``: Punkt's first pass (type-based) and second pass
        (the next token's orthography, collocations, sentence starters) on the context's tokens."""
        findall = self.word_findall
        if "\n" in context:
            tokens = [t for line in context.split("\n") if line.strip() for t in findall(line)]
        else:
            tokens = findall(context) if context.strip() else []
        if len(tokens) < 2:
            return False
        following = self._first_pass(tokens[0])
        for index in range(len(tokens) - 1):
            current, following = following, self._first_pass(tokens[index + 1])
            if self._second_pass(tokens[index], current, tokens[index + 1], following[0]):
                return True
        return False

    def _first_pass(self, token: str) -> tuple[bool, bool, bool]:
        """(sentence break, abbreviation, ellipsis) from the token alone."""
        known = self._first.get(token)
        if known is None:
            known = _remembered(self._first, token, self._first_pass_of(token))
        return known

    def _first_pass_of(self, token: str) -> tuple[bool, bool, bool]:
        if token in self.sent_end_chars:
            return True, False, False
        if self.ellipsis_match(token):
            return False, False, True
        if token.endswith(".") and not token.endswith(".."):
            stem = token[:-1].lower()
            if stem in self.abbrev_types or stem.split("-")[-1] in self.abbrev_types:
                return False, True, False
            return True, False, False
        return False, False, False

    def _type(self, token: str) -> str:
        known = self._types.get(token)
        if known is None:
            lower = token.lower()
            known = _remembered(self._types, token, "##number##" if self.numeric_match(lower) else lower)
        return known

    def _second_pass(self, token: str, first: tuple[bool, bool, bool], following: str, following_break: bool) -> bool:
        """Whether ``token`` ends a sentence, given the token after it."""
        breaks, abbreviation, ellipsis = first
        if not token.endswith("."):
            return breaks
        kind = self._type(token)
        if len(kind) > 1 and kind[-1] == ".":
            kind = kind[:-1]
        next_kind = self._type(following)
        if following_break and len(next_kind) > 1 and next_kind[-1] == ".":
            next_kind = next_kind[:-1]
        initial = self._initial.get(token)
        if initial is None:
            initial = _remembered(self._initial, token, bool(self.initial_match(token)))
        if (kind, next_kind) in self.collocations:
            return False
        if (abbreviation or ellipsis) and not initial:
            starter = self._orthography(following, next_kind)
            if starter is True:
                return True
            if following[0].isupper() and next_kind in self.sent_starters:
                return True
        if initial or kind == "##number##":
            starter = self._orthography(following, next_kind)
            if starter is False:
                return False
            if (
                starter == "unknown"
                and initial
                and following[0].isupper()
                and not (self.ortho_context.get(next_kind, 0) & _ORTHO_LC)
            ):
                return False
        return breaks

    def _orthography(self, token: str, kind: str):
        """NLTK's ``_ortho_heuristic``: True, False or "unknown" (does ``token`` start a sentence?)."""
        if token in self.punctuation:
            return False
        context = self.ortho_context.get(kind, 0)
        if token[0].isupper() and (context & _ORTHO_LC) and not (context & _ORTHO_MID_UC):
            return True
        if token[0].islower() and ((context & _ORTHO_UC) or not (context & _ORTHO_BEG_LC)):
            return False
        return "unknown"


def _remembered(answers: dict, token: str, answer):
    """``answer``, kept in ``answers`` for ``token`` (forgotten, all at once, past ``_CACHE_SIZE``)."""
    if len(answers) >= _CACHE_SIZE:
        answers.clear()
    answers[token] = answer
    return answer
