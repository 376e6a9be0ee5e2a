"""Readable line differences between the revisions of a post."""
import difflib
from dataclasses import dataclass

CONTEXT_LINES = 3


@dataclass
class DiffLine:
    """One line of a diff: op is " " (same), "+" (added), "-" (removed) or "…" (skipped)."""

    op: str
    text: str


@dataclass
class RevisionView:
    """A revision with what changed since the one before it."""

    revision: object
    is_original: bool
    old_title: str | None
    new_title: str | None
    lines: list[DiffLine]

    @property
    def title_changed(self) -> bool:
        return self.old_title != self.new_title


def line_diff(old: str, new: str, context: int = CONTEXT_LINES) -> list[DiffLine]:
    """The changed lines of `new` against `old`, with a little unchanged context."""
    a, b = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    lines: list[DiffLine] = []
    groups = list(matcher.get_grouped_opcodes(context))
    for index, group in enumerate(groups):
        if index or group[0][1] > 0:
            lines.append(DiffLine("…", ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(DiffLine(" ", text) for text in a[i1:i2])
                continue
            lines.extend(DiffLine("-", text) for text in a[i1:i2])
            lines.extend(DiffLine("+", text) for text in b[j1:j2])
    if groups and groups[-1][-1][2] < len(a):
        lines.append(DiffLine("…", ""))
    return lines


def revision_views(revisions: list) -> list[RevisionView]:
    """Each revision (newest first) with its diff against the previous one."""
    views = []
    previous = None
    for revision in revisions:
        if previous is None:
            lines = [DiffLine(" ", text) for text in revision.body.splitlines()]
            views.append(RevisionView(revision, True, revision.title, revision.title, lines))
        else:
            views.append(RevisionView(
                revision, False, previous.title, revision.title,
                line_diff(previous.body, revision.body),
            ))
        previous = revision
    return list(reversed(views))
