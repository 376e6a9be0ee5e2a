"""Ranking queries of plain words by reading their postings directly.

Whoosh ranks a query by walking a tree of matchers: an intersection of one union
per word (its title, body and tag postings), with several method calls per match
and per skip. On a large index that walk was two thirds of a search's time. For
the queries people mostly type, words without phrases, `rank()` reads the same
postings itself. The clause expected to match least is read first. Each other
clause is then read in bulk too, or, when its postings outnumber the candidates
left many times over, probed candidate by candidate (a binary search in its
blocks). Scores are Whoosh's BM25F term by term, summed as its matchers sum them,
so results rank as the matcher tree ranks them; the tests compare the two.
"""
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain

from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

from .whoosh_speed import field_lengths

# A clause is probed, not read, when its postings outnumber the candidates this many
# times: a probe costs about as much as reading this many postings.
PROBE_RATIO = 8


@dataclass(frozen=True)
class Alternative:
    """Documents with every one of `tokens` in `field`."""

    field: str
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Clause:
    """Documents matching any of `alternatives`, scored by the sum of those they match;
    a clause that is not `scored` (board, tag, solved) only filters."""

    alternatives: tuple[Alternative, ...]
    scored: bool = True


def rank(searcher, clauses: list[Clause], excluded: list[Clause], first: int = 0,
         scored: bool = True) -> list[tuple[float, int]]:
    """(BM25F score, docnum) of each document from docnum `first` on that matches every
    clause and no excluded one; without `scored`, every score is 0 (found faster)."""
    found = []
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        start = max(0, first - offset)
        if start < reader.doc_count_all():
            segment = _Segment(searcher, reader, start, scored)
            scores = segment.matches(clauses, excluded)
            found += [(score, offset + docnum) for docnum, score in scores.items()]
    return found


class _Segment:
    """One segment's postings from docnum `start` on, scored with the whole index's
    statistics (`top`, the searcher of all segments)."""

    def __init__(self, top, reader, start: int, scored: bool):
        self.top, self.reader, self.start, self.scored = top, reader, start, scored
        self.share = (reader.doc_count_all() - start) / reader.doc_count_all()

    def matches(self, clauses: list[Clause], excluded: list[Clause]) -> dict[int, float]:
        found: dict[int, float] | None = None
        for clause in sorted(clauses, key=self._size):
            if found is None:
                found = self._read(clause)
            elif self._size(clause) > PROBE_RATIO * len(found):
                found = self._probe(clause, found)
            else:
                found = _both(found, self._read(clause))
            if not found:
                return {}
        for clause in excluded:
            for docnum in self._probe(clause, found):
                del found[docnum]
        for docnum in self.reader.deleted_docs_set & found.keys():
            del found[docnum]
        return found

    def _size(self, clause: Clause) -> float:
        """About how many postings of the clause lie from `start` on."""
        frequency = self.reader.doc_frequency
        return self.share * sum(min(frequency(alt.field, token) for token in alt.tokens)
                                for alt in clause.alternatives)

    def _read(self, clause: Clause) -> dict[int, float]:
        """Every document of the clause from `start` on."""
        scored = clause.scored and self.scored
        found: dict[int, float] = {}
        for alt in clause.alternatives:
            matched = None
            for token in alt.tokens:
                postings = self._postings(alt.field, token, scored)
                matched = postings if matched is None else _both(matched, postings)
            if not scored:
                found.update(matched or {})
                continue
            for docnum, score in (matched or {}).items():
                found[docnum] = found.get(docnum, 0.0) + score
        return found

    def _probe(self, clause: Clause, candidates: dict[int, float]) -> dict[int, float]:
        """The candidates that match the clause, their scores with the clause's added."""
        ordered = sorted(candidates)
        added: dict[int, float] = {}
        for alt in clause.alternatives:
            matched = None
            for token in alt.tokens:
                docs = ordered if matched is None else sorted(matched)
                postings = self._probed(alt.field, token, docs, clause.scored and self.scored)
                matched = postings if matched is None else _both(matched, postings)
            for docnum, score in (matched or {}).items():
                added[docnum] = added.get(docnum, 0.0) + score
        return {docnum: candidates[docnum] + score for docnum, score in added.items()}

    # --- one term's postings ------------------------------------------------------
    def _leaf(self, field: str, token: str):
        """The term's leaf matcher in this segment (deletions are left out later), or
        None where the segment lacks the term."""
        text = self.reader.schema[field].to_bytes(token)
        if (field, text) not in self.reader:
            return None
        matcher = self.reader.postings(field, text)
        return matcher.child if isinstance(matcher, FilterMatcher) else matcher

    def _scorer(self, field: str, token: str, scored: bool):
        """weight, docnum -> the term's BM25F score, as Whoosh's BM25FScorer computes it
        (a filter's terms score 0)."""
        if not scored:
            return lambda weight, docnum: 0.0
        weighting = self.top.weighting
        b = weighting._field_B.get(field, weighting.B)
        k1 = weighting.K1
        idf = self.top.idf(field, token)
        average = self.top.avg_field_length(field) or 1
        norms = [k1 * ((1 - b) + b * byte_to_length(n) / average) for n in range(256)]
        # Documents past the stored lengths count as empty, as Whoosh counts them.
        lengths = (field_lengths(self.reader._perdoc, field) or b"").ljust(
            self.reader.doc_count_all(), b"\0")
        k1_plus_1 = k1 + 1
        return lambda weight, docnum: idf * ((weight * k1_plus_1)
                                             / (weight + norms[lengths[docnum]]))

    def _postings(self, field: str, token: str, scored: bool) -> dict[int, float]:
        leaf = self._leaf(field, token)
        if leaf is None:
            return {}
        if not scored:  # the ids alone, read in C
            return dict.fromkeys(chain.from_iterable(ids for ids, _ in _blocks(leaf, self.start)),
                                 0.0)
        score = self._scorer(field, token, scored)
        return {docnum: score(weight, docnum)
                for ids, weights in _blocks(leaf, self.start)
                for docnum, weight in zip(ids, weights)}

    def _probed(self, field: str, token: str, docs: list[int],
                scored: bool) -> dict[int, float]:
        leaf = self._leaf(field, token)
        if leaf is None:
            return {}
        score = self._scorer(field, token, scored)
        found = {}
        for docnum in docs:
            if not leaf.is_active():
                break
            leaf.skip_to(docnum)
            if leaf.is_active() and leaf.id() == docnum:
                found[docnum] = score(leaf.weight(), docnum)
        return found


def _blocks(leaf, start: int) -> Iterator[tuple[Iterable[int], Iterable[float]]]:
    """(ids, weights) of a W3LeafMatcher's posting blocks, from docnum `start` on."""
    if start and leaf.is_active():
        leaf.skip_to(start)
    while leaf.is_active():
        if leaf._ids is None:
            leaf._read_ids()
        if leaf._weights is None:
            leaf._read_weights()
        i = leaf._i
        yield leaf._ids[i:], leaf._weights[i:]
        leaf._next_block()


def _both(these: dict[int, float], those: dict[int, float]) -> dict[int, float]:
    """The documents in both, their scores added."""
    if len(those) < len(these):
        these, those = those, these
    return {docnum: score + those[docnum] for docnum, score in these.items()
            if docnum in those}
