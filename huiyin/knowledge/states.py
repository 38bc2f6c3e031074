"""An article version's state machine: one status class and one transition table.

draft (草稿) → in_review (待审核) → published (已发布) → superseded (已被新版替代) when a later version is
published; in_review → draft again when the reviewer rejects it (with a note); a published article is
withdrawn (archived, 已下线) as a whole and can be restored. Anything not in this table is a 409 naming what is
allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from huiyin.core.roles import MANAGERS, Role


class VersionState(StrEnum):
    draft = "draft"
    in_review = "in_review"
    published = "published"
    superseded = "superseded"


class ArticleState(StrEnum):
    draft = "draft"  # never published
    published = "published"
    archived = "archived"


class KbAction(StrEnum):
    submit = "submit"
    approve = "approve"  # publishes
    reject = "reject"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[VersionState]
    to: VersionState


TRANSITIONS: dict[KbAction, Transition] = {
    KbAction.submit: Transition(frozenset({VersionState.draft}), VersionState.in_review),
    KbAction.approve: Transition(frozenset({VersionState.in_review}), VersionState.published),
    KbAction.reject: Transition(frozenset({VersionState.in_review}), VersionState.draft),
}

KINDS = ("faq", "policy", "procedure", "script")
"""常见问题, 政策制度, 业务流程, 话术."""

VISIBILITIES = ("internal", "public")
"""internal: agents only (内部); public: the customers too (the bot, the self-service site)."""

EDITORS = frozenset({Role.qa_inspector, *MANAGERS, Role.admin})
"""Who writes drafts and files them: the quality team keeps the scripts, the managers the rest."""

REVIEWERS = frozenset({*MANAGERS, Role.admin})
"""Who publishes, rejects, withdraws: not the author of the version they review (四眼原则)."""
