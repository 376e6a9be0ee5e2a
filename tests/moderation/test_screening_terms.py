"""The admin page for blocked words and domains."""
import pytest
from sqlalchemy import func, select

from forum.errors import PermissionDenied
from forum.extensions import db
from moderation.models import AuditEntry, ScreeningTerm
from moderation.services import screening_terms
from tests.conftest import login
from tests.factories import make_user


def test_admin_blocks_and_unblocks_with_audit_rows(client):
    admin = make_user(role="admin")
    login(client, admin)
    response = client.post("/moderation/screening",
                           data={"kind": "domain", "value": "https://www.Spam.example/path"})
    assert response.status_code == 302
    term = db.session.scalar(select(ScreeningTerm))
    assert (term.kind, term.value) == ("domain", "spam.example")
    page = client.get("/moderation/screening").get_data(as_text=True)
    assert "spam.example" in page
    assert client.post(f"/moderation/screening/{term.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count(ScreeningTerm.id))) == 0
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["screening_add", "screening_remove"]


@pytest.mark.parametrize("kind,value,status", [
    ("word", "two words", 422), ("domain", "not a domain", 422), ("colour", "x", 422),
    ("word", "", 422), ("word", "casino", 409),
])
def test_bad_or_duplicate_terms_come_back_filled_in(client, kind, value, status):
    admin = make_user(role="admin")
    screening_terms.add_term(admin, "word", "casino")
    login(client, admin)
    response = client.post("/moderation/screening", data={"kind": kind, "value": value})
    assert response.status_code == status
    if value:
        assert f'value="{value}"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ScreeningTerm.id))) == 1


def test_only_admins_see_or_change_the_lists(client):
    with pytest.raises(PermissionDenied):
        screening_terms.list_terms(make_user(role="staff"))
    login(client, make_user(role="moderator"))
    assert client.get("/moderation/screening").status_code == 403
    assert client.post("/moderation/screening/1/delete").status_code == 403


def test_removing_an_unknown_term_is_404(client):
    login(client, make_user(role="admin"))
    assert client.post("/moderation/screening/999/delete").status_code == 404
