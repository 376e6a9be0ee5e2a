"""Staff and admin actions outside moderation leave audit rows too: KB, promotion,
tickets, board creation and role changes on the command line."""
from sqlalchemy import select

from forum.extensions import db
from forum.services import accounts, boards, escalation, kb, kb_promotion, tickets
from moderation.models import AuditEntry
from tests.factories import make_answer, make_article, make_board, make_thread, make_user
from tests.ticket_factories import make_ticket


def _rows(target_type):
    return db.session.execute(
        select(AuditEntry.actor_id, AuditEntry.action, AuditEntry.target_id, AuditEntry.before,
               AuditEntry.after)
        .where(AuditEntry.target_type == target_type).order_by(AuditEntry.id)).all()


def test_article_lifecycle_is_audited(app):
    staff = make_user(role="staff")
    article = make_article(staff, publish=False)
    kb.edit_article(staff, article.slug, article.title, article.body)  # no change: no row
    kb.edit_article(staff, article.slug, "A clearer title for the article", article.body)
    kb.publish_article(staff, article.slug)
    kb.archive_article(staff, article.slug)
    rows = _rows("article")
    assert [row.action for row in rows] == ["create", "edit", "publish", "archive"]
    assert {row.actor_id for row in rows} == {staff.id}
    assert rows[1].before == {"revision": 1} and rows[1].after == {"revision": 2}
    assert rows[2].before == {"status": "draft"} and rows[3].after["status"] == "archived"


def test_promotion_is_audited(app):
    staff, answer = make_user(role="staff"), make_answer(make_thread())
    article = kb_promotion.promote_answer(staff, answer.id)
    assert _rows("post") == [(staff.id, "promote", answer.id, None, {"article": article.slug})]


def test_board_creation_by_an_admin_and_the_cli_is_audited(app):
    admin = make_user(role="admin")
    board = boards.create_board(admin, "routers", "Routers", "All about routers.")
    cli_board = make_board()
    rows = _rows("board")
    assert rows[-2][:3] == (admin.id, "create", board.id)
    assert rows[-1][:3] == (None, "create", cli_board.id)


def test_ticket_changes_by_staff_are_audited_but_not_the_requesters(app):
    staff = make_user(role="staff")
    ticket = make_ticket()
    tickets.update_ticket(staff, ticket.id, priority="high", status="pending")
    tickets.reply(ticket.requester, ticket.id, "Here is the extra information you asked.")
    thread = make_thread()
    converted = escalation.convert_thread(staff, thread.id)
    rows = _rows("ticket")
    assert [(row.action, row.target_id) for row in rows] == [
        ("ticket_priority", ticket.id), ("ticket_status", ticket.id),
        ("ticket_escalated", converted.id)]
    assert rows[0].before == {"priority": "normal"} and rows[0].after == {"priority": "high"}


def test_role_change_on_the_command_line_is_audited(app, runner):
    user = make_user()
    result = runner.invoke(args=["askdesk", "users", "set-role", user.username, "moderator"])
    assert result.exit_code == 0, result.output
    assert _rows("user") == [(None, "set_role", user.id, {"role": "user"},
                              {"role": "moderator"})]
    accounts.set_role(user.username, "moderator")  # no change: no row
    assert len(_rows("user")) == 1
