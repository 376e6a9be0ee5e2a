"""Snippets of Whoosh results, marked in one pass over the analyzer's words.

Whoosh's highlighter (`Hit.highlights`) collects the query's terms again for every
hit, checking each against the index, then walks the excerpt's tokens through three
generators, copying each matched token: a quarter to a third of a search's CPU. This
module gives the same snippets from plain tuples: Whoosh's ContextFragmenter (a
fragment opens at a matched word with up to `surround` characters before it, grows
while matches follow within `surround` characters, and stays under `maxchars`),
BasicFragmentScorer's choice of the best `top` fragments, and Formatter's marking.
tests/search/test_whoosh_snippets.py compares the two on generated texts.
"""
from collections import deque
from collections.abc import Iterable, Iterator
from heapq import nlargest
from typing import NamedTuple

from .documents import MARK_END, MARK_START

BETWEEN = " … "  # joins the fragments of one snippet


class _Fragment(NamedTuple):
    start: int
    end: int
    matches: list[tuple[int, int, str]]  # (startchar, endchar, term) of matched words

    def score(self) -> int:
        """BasicFragmentScorer: matches times 100 per different word among them."""
        return len(self.matches) * len({term for _s, _e, term in self.matches}) * 100


def query_words(results, fieldname: str) -> frozenset[str]:
    """The terms of `fieldname` that Whoosh's highlighter would mark in `results`."""
    if results.has_matched_terms():
        terms = (term for term in results.matched_terms() if term[0] == fieldname)
    else:
        terms = results.query_terms(expand=True, fieldname=fieldname)
    from_bytes = results.searcher.schema[fieldname].from_bytes
    return frozenset(from_bytes(term[1]) for term in terms)


def marked(text: str, words: frozenset[str], analyzer, *, maxchars: int, surround: int,
           charlimit: int, top: int) -> str:
    """The best `top` fragments of `text`, in text order, matched words marked; "" when
    no word matched."""
    if not words:
        return ""
    tokens = ((t.startchar, t.endchar, t.text)
              for t in analyzer(text, chars=True, removestops=False, mode="index"))
    fragments = _fragments(tokens, words, maxchars, surround, charlimit)
    # As top_fragments does with (score, Fragment) pairs: ties go to the later start.
    best = nlargest(top, fragments, key=lambda f: (f.score(), f.start))
    return BETWEEN.join(_format(text, f) for f in sorted(best, key=lambda f: f.start))


def _fragments(tokens: Iterable[tuple[int, int, str]], words: frozenset[str], maxchars: int,
               surround: int, charlimit: int) -> Iterator[_Fragment]:
    """ContextFragmenter.fragment_tokens, step for step, leaving out the fragments
    without a match (their score of 0 keeps them out of every snippet)."""
    first = None  # where the open fragment starts
    before = deque()  # starts of the unmatched words within `surround` of the next one
    countdown = -1  # characters left before the open fragment ends; < 0: none is open
    matches = []
    length = 0
    endchar = None
    for startchar, endchar, term in tokens:
        if charlimit and endchar > charlimit:
            break
        size = endchar - startchar
        matched = term in words
        if countdown < 0 and not matched:
            before.append(startchar)
            while before and endchar - before[0] > surround:
                before.popleft()
        elif length + size > maxchars:
            countdown = 0
        elif matched:
            countdown = surround
            if first is None:
                if before:
                    first = before[0]
                else:
                    first = startchar
                    countdown += surround  # the context it could not have before
            matches.append((startchar, endchar, term))
        if countdown >= 0:
            length += size
            countdown -= size
            if countdown <= 0:
                if matches:
                    yield _Fragment(first, endchar, matches)
                first, before, matches, length = None, deque(), [], 0
    if matches:
        yield _Fragment(first, endchar, matches)


def _format(text: str, fragment: _Fragment) -> str:
    out = []
    index = fragment.start
    for startchar, endchar, _term in fragment.matches:  # in order, never overlapping
        out.append(text[index:startchar])
        out.append(f"{MARK_START}{text[startchar:endchar]}{MARK_END}")
        index = endchar
    out.append(text[index:fragment.end])
    return "".join(out)
