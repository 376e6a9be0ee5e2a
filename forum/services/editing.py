"""Reads that the edit form needs: the post to edit, if the editor may."""
from ..models import Post, User
from ..permissions import require
from .threads import get_post


def post_for_edit(editor: User | None, post_id) -> Post:
    """The post (with its thread) when `editor` may edit it, else the domain error."""
    post = get_post(post_id, editor)
    require(editor, "edit_post", post)
    return post
