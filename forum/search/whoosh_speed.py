"""Faster versions of parts of Whoosh (pure Python), each measured on a large index
(see bench/RESULTS.md): text analysis in one loop, postings built from plain
(term, position) pairs, a C stem cache shared by the process, and, once `speed_up()` has
run, sorted postings written to disk in chunks, posting blocks written as arrays (quick
to read back), a binary search inside them, field lengths read into memory once per
segment, index files written in large steps and read in place from their memory map
instead of copied into each process's heap.

The index stores its analyzer and format classes by their import path: moving or
renaming TextAnalyzer, CachedStemFilter or FastPositions needs a reindex.
"""
import functools
import marshal
import sys
from array import array
from bisect import bisect_left
from collections import defaultdict
from itertools import accumulate, islice
from weakref import WeakKeyDictionary

from whoosh.analysis import (
    CompositeAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3LeafMatcher,
    W3PerDocReader,
    W3PostingsWriter,
    _lenfield,
)
from whoosh.fields import TEXT
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.formats import Positions
from whoosh.lang import stemmer_for_language
from whoosh.matching import ReadTooFar
from whoosh.util.numeric import byte_to_length
from whoosh.system import _INT_SIZE
from whoosh.util.numlists import delta_encode
from whoosh.writing import PostingPool

STEM_CACHE = 100_000  # distinct words whose stems a process remembers
# Posting lists this long (about 60 blocks) skip through a block index built once...
INDEXED_POSTINGS_BYTES = 64 * 1024
MAX_BLOCK_INDEXES = 4_096  # ... for at most this many words per postings file
_BLOCK_INDEXES: WeakKeyDictionary = WeakKeyDictionary()  # postings file -> offset -> index
WRITE_BUFFER_BYTES = 1 << 20  # an index file is written in steps this large
PEEK_BYTES = 256  # read ahead for pickles: more than a block header, less than a copy costs


class CachedStemFilter(StemFilter):
    """Snowball stemming behind functools' LRU cache (in C) rather than Whoosh's LFU cache
    (in Python), which alone took a twentieth of a rebuild.

    The cache is the process's, one per language: every index writer and searcher
    unpickles the schema, and with it a new filter, so a cache of the filter's own
    started empty with each batch of index updates and stemmed its words again."""

    def clear(self):
        self._stem = _cached_stemmer(self.lang)


@functools.cache
def _cached_stemmer(language: str):
    return functools.lru_cache(maxsize=STEM_CACHE)(stemmer_for_language(language))


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
    words spent most of a query there. Long posting lists skip blocks through their
    block index (_block_index) where Whoosh reads every header on the way."""
    if not self.is_active():
        raise ReadTooFar
    if targetid <= self.id():
        return
    if targetid > self._maxid:
        if _postings_bytes(self) >= INDEXED_POSTINGS_BYTES:
            _skip_to_block_of(self, targetid)
        else:
            self._skip_to_block(lambda: targetid > self._maxid)
        if not self.is_active():
            return
    if self._ids is None:
        self._read_ids()
    self._i = bisect_left(self._ids, targetid, self._i)  # the block holds an id >= targetid


def _postings_bytes(self) -> int:
    """The length of the matcher's posting list on disk (a term read from a segment's
    terms file has it as a 1-tuple, unpacked by Whoosh with struct.unpack)."""
    length = self._length
    return length[0] if isinstance(length, tuple) else length


def _skip_to_block_of(self, targetid) -> None:
    """Go to the first block holding an id >= targetid (or past the end)."""
    maxids, offsets = _block_index(self)
    block = bisect_left(maxids, targetid)
    if block == len(maxids):
        self._atend = True
    else:
        self._goto(offsets[block])


def _block_index(self) -> tuple[array, array]:
    """(highest id, offset) of each block of a leaf matcher's posting list, read once per
    open postings file: a query that starts at the newest documents (a window) or
    leapfrogs another word skips most blocks of a common word, and Whoosh reads each
    block's header on the way (3 ms a word at 100,000 documents)."""
    known = _BLOCK_INDEXES.setdefault(self._postfile, {})
    found = known.get(self._startoffset)
    if found is None:
        if len(known) >= MAX_BLOCK_INDEXES:
            known.clear()
        maxids, offsets = array("q"), array("q")
        postfile, position = self._postfile, self._baseoffset
        while True:
            postfile.seek(position)
            length = postfile.read_int()
            maxids.append(postfile.read_pickle()[1])
            offsets.append(position)
            if length < 0:  # the last block
                break
            position += _INT_SIZE + length
        found = known[self._startoffset] = (maxids, offsets)
    return found


def _read_ids(self):
    """Whoosh's W3LeafMatcher._read_ids, adding up the block's id gaps with
    itertools.accumulate (in C) instead of a Python generator, a third of the time of
    reading a block; and reading the packed form of _packed_ids."""
    if self._data is None:
        self._read_data()
    ids = self._data[0]
    if isinstance(ids, bytes):
        ids = _unpacked(ids)
    self._ids = ids if self._byteids else tuple(accumulate(ids))


def _packed(numbers, typecode: str | None = None) -> bytes:
    """Numbers as one bytes object: a typecode byte, then a little-endian array of them
    (smallest unsigned integers that fit, unless `typecode` says otherwise). Whoosh
    pickles blocks with protocol 2, which writes an array as a list: one object each."""
    numbers = array(typecode, numbers) if typecode else list(numbers)
    if typecode is None:
        top = max(numbers, default=0)
        numbers = array("B" if top < 1 << 8 else "H" if top < 1 << 16 else "I", numbers)
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers.typecode.encode() + numbers.tobytes()


def _unpacked(data: bytes) -> array:
    numbers = array(chr(data[0]))
    numbers.frombytes(data[1:])
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


def _packed_ids(self):
    """W3PostingsWriter._mini_ids, the gaps between ids packed (see _packed_values)."""
    if self._byteids:
        return tuple(self._ids)
    return _packed(delta_encode(self._ids))


def _packed_weights(self):
    """W3PostingsWriter._mini_weights, packed when they differ (see _packed_values)."""
    weights = self._weights
    if all(w == 1.0 for w in weights):
        return None
    if all(w == weights[0] for w in weights):
        return weights[0]
    return _packed(weights, "f")


def _packed_values(self):
    """W3PostingsWriter._mini_values, with variable-size values (positions) as a list of
    their bytes joined and their lengths, rather than a tuple of one bytes per posting.

    A query reads (unpickles) every block of its words' postings it looks into, positions
    included even when it needs only ids and weights: with one object per posting, that
    took much of the time of searching common words. Packed parts are bytes objects or a
    list, where Whoosh writes tuples, so indexes written before read as they did.
    """
    fixedsize = self._format.fixed_value_size()
    if fixedsize is None or fixedsize < 0:
        values = self._values
        return [b"".join(values), _packed(len(v) for v in values)]
    return whoosh_own(W3PostingsWriter, "_mini_values")(self)


def _read_weights(self):
    """W3LeafMatcher._read_weights, reading the packed form of _packed_weights too."""
    if self._data is None:
        self._read_data()
    if not isinstance(self._data[1], bytes):
        return whoosh_own(W3LeafMatcher, "_read_weights")(self)
    self._weights = _unpacked(self._data[1])


def _read_values(self):
    """W3LeafMatcher._read_values, reading the packed form of _packed_values too."""
    if self._data is None:
        self._read_data()
    values = self._data[2]
    if not isinstance(values, list):
        return whoosh_own(W3LeafMatcher, "_read_values")(self)
    joined, lengths = values
    ends = accumulate(_unpacked(lengths))
    self._values = tuple(joined[end - length:end] for end, length in zip(ends, _unpacked(lengths)))


def field_lengths(perdoc, fieldname: str) -> bytes | None:
    """A segment's lengths of a field, a byte per document (whoosh.util.numeric's
    length_to_byte), read into memory once: None where the field stores none."""
    columns = perdoc.__dict__.setdefault("_lengths_in_memory", {})
    if fieldname not in columns:
        reader = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        columns[fieldname] = (
            None if reader is None else bytes(reader._dbfile.get(reader._basepos, reader._count))
        )
    return columns[fieldname]


def _doc_field_length(self, docnum, fieldname, default=0):
    """Whoosh's W3PerDocReader.doc_field_length, from field_lengths() instead of a file
    read per call: BM25 asks for every match, and writing a segment for every posting."""
    if docnum > self._doccount:
        raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
    lengths = field_lengths(self, fieldname)
    if lengths is None:
        return default
    lbyte = lengths[docnum] if docnum < len(lengths) else 0
    return byte_to_length(lbyte) if lbyte else None  # None for 0, as Whoosh does


def column_array(reader, fieldname: str) -> array:
    """Every document's value of a NumericColumn field, read into one array: a column
    reader makes a file read per document (plus two wrappers), which ranking every match
    of a broad query paid for each one."""
    column = reader.schema[fieldname].column_type
    values = array(column._typecode)
    for leaf, _offset in reader.leaf_readers():
        doccount = leaf.doc_count_all()
        stored = array(column._typecode)
        if leaf.has_column(fieldname):
            found = leaf.column_reader(fieldname, translate=False)
            stored.frombytes(found._dbfile.get(found._basepos, found._count * found._fixedlen))
            if sys.byteorder == "little":  # stored big-endian ("!" in struct terms)
                stored.byteswap()
        values.extend(stored)
        values.extend([column._default] * (doccount - len(stored)))
    return values


class ViewFile:
    """A read-only file over a memoryview (of the index's memory map), without a copy.

    Whoosh reads every part of a segment through a BufferFile, which wraps its slice of
    the map in a BytesIO: a private copy of the whole part. On a large index the first
    search copied the 750 MB of postings into each worker's heap.
    """

    def __init__(self, view: memoryview):
        self._view, self._pos = view, 0

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else self._pos + size
        data = bytes(self._view[self._pos:end])
        self._pos += len(data)
        return data

    def peek(self, size: int = 1) -> bytes:
        """What read() would give, without moving: pickle reads ahead with it, instead
        of calling read() for each of a pickle's few bytes (reading a posting block's
        header is a pickle)."""
        return bytes(self._view[self._pos:self._pos + min(max(size, 1), PEEK_BYTES)])

    def readline(self, size: int | None = -1) -> bytes:
        """Up to and including the next newline (pickles of protocol 0 read lines)."""
        line = bytearray()
        while (size is None or size < 0 or len(line) < size) and self._pos < len(self._view):
            byte = self.read(1)
            line += byte
            if byte == b"\n":
                break
        return bytes(line)

    def seek(self, position: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: len(self._view)}[whence]
        self._pos = max(0, base + position)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view = memoryview(b"")


def _buffer_file_init(self, buf, name=None, onclose=None):
    """BufferFile.__init__ reading `buf` in place (see ViewFile)."""
    self._buf = buf
    self._name = name
    self.file = ViewFile(memoryview(buf))
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


class CountingFile:
    """A file being written front to back that keeps count of its position.

    Whoosh's postings writer asks for the position twice per term, and a buffered file's
    tell() asks the kernel each time (lseek). In a web worker each such call gives up the
    GIL to the request thread and waits to get it back: a sixth of the task thread's
    samples. Everything but writing, seeking and telling goes to the file itself."""

    def __init__(self, file):
        self._file = file
        self._position = file.tell()

    def write(self, data) -> int:
        written = self._file.write(data)
        self._position += written
        return written

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = 0) -> int:
        self._position = self._file.seek(offset, whence)
        return self._position

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self._file.close()


def _create_file(self, name, excl=False, mode="wb", **kwargs):
    """FileStorage.create_file with a larger buffer and its position counted (see
    CountingFile)."""
    if excl or mode != "wb" or self.readonly:
        return whoosh_own(FileStorage, "create_file")(self, name, excl, mode, **kwargs)
    file = open(self._fpath(name), "wb", buffering=WRITE_BUFFER_BYTES)  # noqa: SIM115
    return StructFile(CountingFile(file), name=name, **kwargs)


# Whoosh's pool of postings sorted on disk pickles each posting of a sorted run; these
# write and read a run as marshalled chunks of postings (a fifth of a rebuild's time, and
# two thirds of the time of the processes of a parallel rebuild, whose writers Whoosh makes).
RUN_CHUNK = 10_000


def _write_run(self, f, items):
    items = iter(items)
    while chunk := list(islice(items, RUN_CHUNK)):
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


def whoosh_own(cls, name: str):
    """Whoosh's own version of a method speed_up() replaced."""
    return getattr(cls, f"_whoosh_own_{name}")


REPLACED = [  # (class, method, ours); Whoosh's own is kept for whoosh_own()
    (W3LeafMatcher, "skip_to", _skip_to),
    (W3LeafMatcher, "_read_ids", _read_ids),
    (W3LeafMatcher, "_read_weights", _read_weights),
    (W3LeafMatcher, "_read_values", _read_values),
    (W3PostingsWriter, "_mini_ids", _packed_ids),
    (W3PostingsWriter, "_mini_weights", _packed_weights),
    (W3PostingsWriter, "_mini_values", _packed_values),
    (W3PerDocReader, "doc_field_length", _doc_field_length),
    (BufferFile, "__init__", _buffer_file_init),
    (PostingPool, "_write_run", _write_run),
    (PostingPool, "_read_run", _read_run),
    (FileStorage, "create_file", _create_file),
]


def speed_up() -> None:
    """Replace Whoosh's skip_to, the reading and writing of posting blocks,
    doc_field_length, BufferFile's copy of its buffer, the posting pool's sorted runs and
    the files a writer creates, for every index of the process (and the writer processes
    it starts)."""
    for cls, name, ours in REPLACED:
        if not hasattr(cls, f"_whoosh_own_{name}"):
            setattr(cls, f"_whoosh_own_{name}", getattr(cls, name))
        setattr(cls, name, ours)
