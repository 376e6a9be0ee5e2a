"""Faster versions of parts of Whoosh (pure Python), each measured on a large index
(see bench/RESULTS.md): text analysis in one loop, postings built from plain
(term, position) pairs, a C stem cache, sorted postings
written to disk in chunks, and, once `speed_up_reading()` has run, a binary search
inside posting blocks and field lengths read into memory once per segment.

The index stores its analyzer and format classes by their import path: moving or
renaming TextAnalyzer, CachedStemFilter or FastPositions needs a reindex.
"""
import functools
import marshal
from bisect import bisect_left
from collections import defaultdict
from itertools import islice

from whoosh.analysis import (
    CompositeAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, W3PerDocReader, _lenfield
from whoosh.fields import TEXT
from whoosh.formats import Positions
from whoosh.lang import stemmer_for_language
from whoosh.matching import ReadTooFar
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool

STEM_CACHE = 100_000  # distinct words whose stems a process remembers


class CachedStemFilter(StemFilter):
    """Snowball stemming behind functools' LRU cache (in C) rather than Whoosh's LFU cache
    (in Python), which alone took a twentieth of a rebuild."""

    def clear(self):
        self._stem = functools.lru_cache(maxsize=STEM_CACHE)(stemmer_for_language(self.lang))


class TextAnalyzer(CompositeAnalyzer):
    """Whoosh's LanguageAnalyzer (words, lower case, stop words, Snowball stems) in one
    loop: the same tokens as the chain of generators it replaces, in a third of the time
    (analysis was a third of a rebuild). Rare options still go through the chain."""

    def __init__(self, language: str):
        super().__init__(RegexTokenizer(), LowercaseFilter(), StopFilter(lang=language),
                         CachedStemFilter(lang=language))

    def __call__(self, value, no_morph=False, keeporiginal=False, tokenize=True, **kwargs):
        if keeporiginal or not tokenize:
            return super().__call__(value, no_morph=no_morph, keeporiginal=keeporiginal,
                                    tokenize=tokenize, **kwargs)
        return self._tokens(value, no_morph=no_morph, **kwargs)

    def _words(self, value: str, no_morph: bool = False):
        """(number, match, lower-cased word, indexed term or None for a stop word)."""
        tokenizer, _lower, stop, stem = self.items
        stops, minsize, maxsize = stop.stops, stop.min, stop.max
        stem_word = None if no_morph else stem._stem
        for number, match in enumerate(tokenizer.expression.finditer(value)):
            text = match.group(0).lower()
            if len(text) < minsize or (maxsize is not None and len(text) > maxsize) \
                    or text in stops:
                yield number, match, text, None
            elif stem_word is None or text in stem.ignore:
                yield number, match, text, text
            else:
                yield number, match, text, stem_word(text)

    def _tokens(self, value, no_morph=False, positions=False, chars=False, removestops=True,
                start_pos=0, start_char=0, mode="", **kwargs):
        renumber = self.items[2].renumber
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        kept_pos = None  # StopFilter's renumbering: kept words get consecutive positions
        for number, match, text, term in self._words(value, no_morph):
            if term is None and removestops:
                continue
            token.boost = 1.0
            if positions:
                token.pos = start_pos + number
            if chars:
                token.startchar, token.endchar = start_char + match.start(), start_char + match.end()
            if term is None:
                token.stopped, token.text = True, text
            else:
                if positions and renumber:
                    kept_pos = token.pos if kept_pos is None else kept_pos + 1
                    token.pos = kept_pos
                token.stopped, token.text = False, term
            yield token

    def term_positions(self, value: str):
        """(term, position) of each indexed word of `value`, as the tokens would give."""
        renumber = self.items[2].renumber
        kept = None
        for number, _match, _text, term in self._words(value):
            if term is not None:
                kept = number if kept is None or not renumber else kept + 1
                yield term, kept


class FastPositions(Positions):
    """Whoosh's Positions format (words with where they are, for phrases), reading a
    TextAnalyzer's (term, position) pairs instead of its tokens: the same postings."""

    def word_values(self, value, analyzer, **kwargs):
        if not isinstance(analyzer, TextAnalyzer) or not isinstance(value, str) \
                or set(kwargs) - {"mode"}:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        positions = defaultdict(list)
        for term, position in analyzer.term_positions(value):
            positions[term].append(position)
        for term, found in positions.items():
            yield term, len(found), float(len(found)) * self.field_boost, self.encode(found)


def text_field(analyzer: TextAnalyzer, **options) -> TEXT:
    """A TEXT field (with positions) whose postings FastPositions builds."""
    field = TEXT(analyzer=analyzer, **options)
    field.format = FastPositions(field_boost=field.format.field_boost)
    return field


def _skip_to(self, targetid):
    """Whoosh's W3LeafMatcher.skip_to, with a binary search inside the block where Whoosh
    steps through it one posting (three method calls) at a time: intersecting common
    words spent most of a query there."""
    if not self.is_active():
        raise ReadTooFar
    if targetid <= self.id():
        return
    if targetid > self._maxid:
        self._skip_to_block(lambda: targetid > self._maxid)
        if not self.is_active():
            return
    if self._ids is None:
        self._read_ids()
    self._i = bisect_left(self._ids, targetid, self._i)  # the block holds an id >= targetid


def _doc_field_length(self, docnum, fieldname, default=0):
    """Whoosh's W3PerDocReader.doc_field_length, reading a segment's field lengths (a byte
    per document) into memory once instead of with a file read per call: BM25 asks for
    every match, and writing a segment asks for every posting."""
    if docnum > self._doccount:
        raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
    columns = self.__dict__.setdefault("_lengths_in_memory", {})
    lengths = columns.get(fieldname)
    if lengths is None:
        reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        lengths = columns[fieldname] = (
            False if reader is None else bytes(reader._dbfile.get(reader._basepos, reader._count))
        )
    if lengths is False:
        return default
    lbyte = lengths[docnum] if docnum < len(lengths) else 0
    return byte_to_length(lbyte) if lbyte else None  # None for 0, as Whoosh does


class ChunkedPostingPool(PostingPool):
    """Whoosh's pool of postings sorted on disk, writing each sorted run as marshalled
    chunks of postings instead of one pickle per posting (a fifth of a rebuild's time)."""

    chunk = 10_000

    def _write_run(self, f, items):
        items = iter(items)
        while chunk := list(islice(items, self.chunk)):
            marshal.dump(chunk, f)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = marshal.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


def speed_up_reading() -> None:
    """Replace Whoosh's skip_to and doc_field_length, for every index of the process."""
    W3LeafMatcher.skip_to = _skip_to
    W3PerDocReader.doc_field_length = _doc_field_length
