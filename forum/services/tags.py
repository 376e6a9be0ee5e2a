"""Tags: the vocabulary threads are labelled with."""
from ..models import Tag, User
from ..permissions import require
from ..transactions import transactional
from . import content


@transactional
def create_tags(actor: User, names) -> list[Tag]:
    """Make sure the tags exist (users with the create-tags privilege, moderators).

    Staff use it to set up a board's vocabulary before customers ask; asking a
    question with a new tag creates it the same way.
    """
    require(actor, "create_tags")
    return content.tags_for(content.tag_names(names, limit=None))
