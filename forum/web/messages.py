"""German (and any other) wording for the English messages that services raise.

Services speak English so that the API and the CLI have one wording; pages
show the message in the reader's language. Fixed messages are looked up,
parametrised ones (from services.inputs and friends) are matched by pattern.
A message this module does not know is shown as it came.
"""
import re

from flask_babel import lazy_gettext as _l

_FIXED = {
    # accounts
    "Wrong username, email or password.": _l("Wrong username, email or password."),
    "Username must be 3-30 letters, digits, '_', '-' or '.'.":
        _l("Username must be 3-30 letters, digits, '_', '-' or '.'."),
    "Enter a valid email address.": _l("Enter a valid email address."),
    "Password must be text of at most 1024 characters.":
        _l("Password must be text of at most 1024 characters."),
    "Password must not contain your username.": _l("Password must not contain your username."),
    "That username is taken.": _l("That username is taken."),
    "That email is already registered.": _l("That email is already registered."),
    "Your current password is not right.": _l("Your current password is not right."),
    "Your password is not right.": _l("Your password is not right."),
    "This reset link is not valid.": _l("This reset link is not valid."),
    "This reset link has expired.": _l("This reset link has expired."),
    "This reset link was already used.": _l("This reset link was already used."),
    "No such user.": _l("No such user."),
    # content and threads
    "Use at most 5 tags.": _l("Use at most 5 tags."),
    "Tags must be a list of names.": _l("Tags must be a list of names."),
    "Only a question has a title.": _l("Only a question has a title."),
    "No such answer in this thread.": _l("No such answer in this thread."),
    "No such thread.": _l("No such thread."),
    "No such post.": _l("No such post."),
    "No such board.": _l("No such board."),
    "No such page.": _l("No such page."),
    "No such comment on this post.": _l("No such comment on this post."),
    "Not found.": _l("Not found."),
    "page is out of range.": _l("The page number is out of range."),
    # boards (administrators)
    "A board with that slug exists.": _l("A board with that slug exists."),
    "Boards nest one level deep only.": _l("Boards nest one level deep only."),
    "Slug must be lower-case letters, digits and single hyphens.":
        _l("Slug must be lower-case letters, digits and single hyphens."),
    "Vote value must be 1, -1 or 0.": _l("Vote value must be 1, -1 or 0."),
    # permissions
    "Please sign in first.": _l("Please sign in first."),
    "Sign in to ask a question.": _l("Sign in to ask a question."),
    "You cannot answer this thread.": _l("You cannot answer this thread."),
    "You cannot comment here.": _l("You cannot comment here."),
    "You cannot vote on this post.": _l("You cannot vote on this post."),
    "Only the asker or staff can accept an answer.":
        _l("Only the asker or staff can accept an answer."),
    "You cannot edit this post.": _l("You cannot edit this post."),
    "You cannot delete this post.": _l("You cannot delete this post."),
    "This thread is not available.": _l("This thread is not available."),
    "Only administrators can create boards.": _l("Only administrators can create boards."),
}

_LABELS = {
    "Username": _l("Username"),
    "Email": _l("Email"),
    "Password": _l("Password"),
    "Title": _l("Title"),
    "Body": _l("Body"),
    "Comment": _l("Comment"),
    "Edit summary": _l("Edit summary"),
    "Slug": _l("Slug"),
    "Name": _l("Name"),
    "Description": _l("Description"),
}

_PATTERNS = [
    (re.compile(r"(?P<label>[\w ]+) is required\."), _l("%(label)s is required.")),
    (re.compile(r"(?P<label>[\w ]+) must be at least (?P<n>\d+) characters\."),
     _l("%(label)s must be at least %(n)s characters.")),
    (re.compile(r"(?P<label>[\w ]+) must be at most (?P<n>\d+) characters\."),
     _l("%(label)s must be at most %(n)s characters.")),
    (re.compile(r"(?P<label>[\w ]+) must be text\."), _l("%(label)s must be text.")),
    (re.compile(r"(?P<label>[\w ]+) is not valid text\."), _l("%(label)s is not valid text.")),
    (re.compile(r"(?P<label>[\w ]+) contains control characters\."),
     _l("%(label)s contains control characters.")),
    (re.compile(r"(?P<label>[\w ]+) must be an integer\."),
     _l("%(label)s must be a whole number.")),
    (re.compile(r"'(?P<name>.*)' is not a valid tag: use 1-35 letters, digits or \+ # \. -"),
     _l("'%(name)s' is not a valid tag: use 1-35 letters, digits or + # . -")),
]


def translate(message: str) -> str:
    """The message in the current language, or unchanged if it is not a known one."""
    fixed = _FIXED.get(message)
    if fixed is not None:
        return str(fixed)
    for pattern, template in _PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            values = match.groupdict()
            if "label" in values:
                values["label"] = str(_LABELS.get(values["label"], values["label"]))
            return str(template) % values
    return message
