"""What may be done to budget objects now."""

from __future__ import annotations


def project_takes_comments(project) -> bool:
    """People discuss a project on its public page; a withdrawn one takes no more comments."""
    from hamkke.budget.models import ProjectStatus

    return project.status != ProjectStatus.WITHDRAWN
