"""Relevance on real data: questions closed as duplicates on Stack Exchange should find
their original among the 5 similar threads. The floors are the figures measured (see
bench/RESULTS.md); a change that finds fewer originals fails here."""
from forum.services import search, stackexchange
from tests.conftest import shared_path
from tests.factories import make_board

# Originals found in the top 5, of the 19 duplicate pairs in the IoT and Beer dumps.
FLOOR = {"whoosh": 13, "postgres": 11}


def test_similar_finds_originals_of_duplicates(app, search_backend):
    for site in ("iot", "beer"):
        dump = shared_path("data", f"stackexchange-{site}")
        make_board(site)
        stackexchange.import_dump(dump, site)
    hits, total = search.duplicate_hit_rate()
    assert total == 19
    assert hits >= FLOOR[search_backend], f"{hits}/{total} originals in the top 5"
