"""Published KB articles in search: indexed by the KB services, never drafts or archived."""
from forum import search as search_index
from forum.services import indexing, kb, kb_feedback, kb_promotion, search, threads
from tests.factories import make_answer, make_article, make_board, make_thread, make_user


def found(text, viewer=None, **filters):
    return [(r.doc_type, r.doc_id) for r in search.search_page(viewer, text, **filters).items]


def kb_ids(text, viewer=None, **filters):
    return [doc_id for doc_type, doc_id in found(text, viewer, **filters) if doc_type == "kb"]


def test_search_finds_published_article_by_body_word(kb_site):
    results = search.search_page(None, "choosing")
    assert [(r.doc_type, r.doc_id) for r in results.items] == [("kb", kb_site["guide"].id)]
    result = results.items[0]
    assert result.article.slug == kb_site["guide"].slug and result.thread is None
    assert result.title == "Set a fixed Wi-Fi channel" and not result.is_solved
    assert "<mark>" in result.snippet_html and "##" not in result.snippet_html


def test_search_never_shows_drafts_to_anyone(kb_site):
    staff = kb_site["staff"]
    draft = make_article(staff, kb_site["board"], title="Reset the router to factory state",
                         body="Hold the pinhole button for thirty seconds.", publish=False)
    kb.edit_article(staff, draft.slug, "Reset the router to factory defaults",
                    "Hold the pinhole button for thirty seconds, then wait.")
    for viewer in (None, make_user(), staff, make_user(role="admin")):
        assert kb_ids("pinhole", viewer) == []
        assert search.similar(viewer, "reset router factory defaults").articles == []


def test_search_never_shows_promoted_drafts(kb_site):
    answer = make_answer(kb_site["thread"], body="Pick channel 36 in the advanced radio menu.")
    kb_promotion.promote_answer(kb_site["staff"], answer.id)
    assert kb_ids("radio") == []
    assert found("radio") == [("thread", kb_site["thread"].id)]


def test_publish_adds_and_archive_removes_the_article(kb_site):
    staff = kb_site["staff"]
    draft = make_article(staff, kb_site["board"], title="Update firmware from a computer",
                         body="Download the image and upload it under System.", publish=False)
    assert kb_ids("firmware") == []
    kb.publish_article(staff, draft.slug)
    assert kb_ids("firmware") == [draft.id]
    kb.archive_article(staff, draft.slug, replacement=kb_site["guide"].slug)
    assert kb_ids("firmware") == []
    assert search.similar(None, "update firmware from a computer").articles == []
    kb.publish_article(staff, draft.slug)
    assert kb_ids("firmware") == [draft.id]


def test_edit_and_rename_are_reflected(kb_site):
    guide = kb.edit_article(kb_site["staff"], kb_site["guide"].slug,
                            "Avoid radar channels on 5 GHz",
                            "## Steps\n\nChoose a non-DFS channel such as 36 or 48.")
    assert kb_ids("radar") == [guide.id] and kb_ids("dfs") == [guide.id]
    assert kb_ids("fixed") == [] and kb_ids("wireless") == []
    result = search.search_page(None, "radar").items[0]
    assert result.title == "Avoid radar channels on 5 GHz" and result.article.slug == guide.slug


def test_restore_revision_is_reflected(kb_site):
    kb.edit_article(kb_site["staff"], kb_site["guide"].slug, "Avoid radar channels on 5 GHz",
                    "## Steps\n\nChoose a non-DFS channel such as 36 or 48.")
    kb.restore_revision(kb_site["staff"], "avoid-radar-channels-on-5-ghz", 1)
    assert kb_ids("fixed channel") == [kb_site["guide"].id]
    assert kb_ids("radar") == []


def test_type_filters_split_threads_and_articles(kb_site):
    thread_id, guide_id = kb_site["thread"].id, kb_site["guide"].id
    assert set(found("wireless")) == {("thread", thread_id), ("kb", guide_id)}
    assert found("wireless type:kb") == [("kb", guide_id)]
    assert found("wireless", doc_type="kb") == [("kb", guide_id)]
    assert found("type:thread wireless") == [("thread", thread_id)]
    assert found("", doc_type="kb") == [("kb", guide_id)]
    assert found("board:router-x200 type:kb") == [("kb", guide_id)]
    assert found("type:kb", board="smart-plugs") == []


def test_solved_filters_concern_threads_only(kb_site):
    assert found("wireless is:unsolved") == [("thread", kb_site["thread"].id)]
    assert found("wireless", solved="false") == [("thread", kb_site["thread"].id)]
    assert found("wireless is:solved") == []
    assert found("wireless type:kb is:unsolved") == []
    threads.accept_answer(kb_site["thread"].author, kb_site["thread"].id,
                          make_answer(kb_site["thread"]).id)
    assert found("is:solved") == [("thread", kb_site["thread"].id)]


def test_kb_article_ranks_above_solved_thread_at_equal_relevance(app):
    board = make_board()
    text = "The printer jams when I print on thick paper."
    thread = make_thread(board=board, title="Printer jams on thick paper", body=text)
    threads.accept_answer(thread.author, thread.id, make_answer(thread).id)
    article = make_article(board=board, title="Printer jams on thick paper", body=text)
    assert found("printer jams")[:2] == [("kb", article.id), ("thread", thread.id)]


def test_helpfulness_is_the_articles_score(app):
    board = make_board()
    first = make_article(board=board, title="Pair the plug with the app")
    second = make_article(board=board, title="Pair the plug without the app")
    kb_feedback.give_feedback(make_user(), first.slug, True)
    assert kb_ids("pair", sort="votes") == [first.id, second.id]
    assert kb_ids("pair", sort="newest") == [second.id, first.id]
    kb_feedback.give_feedback(make_user(), first.slug, False)
    kb_feedback.give_feedback(make_user(), first.slug, False)
    assert kb_ids("pair", sort="votes") == [second.id, first.id]


def test_similar_lists_up_to_five_articles(app):
    board = make_board()
    staff = make_user(role="staff")
    made = [make_article(staff, board, title=f"Clean the printer print head, method {n}",
                         body=f"Method {n}: run the cleaning cycle from the printer menu.")
            for n in range(6)]
    make_article(staff, board, title="Clean the printer print head by hand",
                 body="Take the print head out and clean it with a swab.", publish=False)
    found_ = search.similar(None, "how to clean the printer head")
    assert len(found_.articles) == 5
    assert {r.doc_id for r in found_.articles} <= {a.id for a in made}
    assert all(r.article is not None and r.doc_type == "kb" for r in found_.articles)


def test_related_to_article_excludes_itself(kb_site):
    other = make_article(kb_site["staff"], kb_site["board"],
                         title="Choose the Wi-Fi channel by hand")
    related = search.related_to_article(None, kb_site["guide"])
    assert [r.doc_id for r in related.articles] == [other.id]


def test_results_drop_articles_unpublished_since_indexing(kb_site, monkeypatch):
    monkeypatch.setattr(kb, "index_article", lambda article_id: None)  # the index goes stale
    kb.archive_article(kb_site["staff"], kb_site["guide"].slug)
    hits = search_index.backend().search(search_index.parse("wireless type:kb"),
                                         sort="relevance", page=1, per_page=5)
    assert [h.doc_id for h in hits.hits] == [kb_site["guide"].id]  # still in the index...
    assert kb_ids("wireless") == []  # ...but never shown
    assert search.similar(None, "fixed wifi channel").articles == []


def test_reindex_writes_published_articles_only(kb_site):
    make_article(kb_site["staff"], kb_site["board"], publish=False)
    archived = make_article(kb_site["staff"], kb_site["board"])
    kb.archive_article(kb_site["staff"], archived.slug)
    guide_id = kb_site["guide"].id
    search_index.backend().rebuild([], lambda n: None)
    assert indexing.document_count() == 2
    assert indexing.reindex() == 2  # the guide and the thread
    assert search_index.backend().count() == 2
    assert kb_ids("wireless") == [guide_id]


def test_failed_article_write_is_queued_and_retried(kb_site, locked_index, retry_tasks):
    article = make_article(kb_site["staff"], kb_site["board"], title="Mount the router on a wall")
    assert article.is_published and indexing.queued_count() == 1
    locked_index()  # unlocked
    assert retry_tasks() == 1
    assert kb_ids("mount") == [article.id]
