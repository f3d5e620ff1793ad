"""Where an officer's powers reach, for schools, teachers, contests and statistics."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.auth import Role
from bot.core.context import Context
from bot.domain.profile import commune_label

EDUCATION_AGENCY = "so-gddt"


@dataclass(frozen=True)
class Area:
    """Where an officer's powers reach: one commune, or the whole province (None)."""

    commune: str | None


def education_area(ctx: Context) -> Area | None:
    """Where this person may add schools and decide teacher registrations, if anywhere."""
    if ctx.role is Role.ADMIN:
        return Area(None)
    if ctx.role is not Role.OFFICER:
        return None
    if ctx.user.officer_commune:
        return Area(ctx.user.officer_commune)
    return Area(None) if ctx.user.officer_agency == EDUCATION_AGENCY else None


def area_label(ctx: Context, area: Area) -> str:
    if area.commune is None:
        return ctx._("the whole province")
    return commune_label(ctx, ctx.deps.content.commune(area.commune))


def not_education_staff(ctx: Context) -> str:
    return ctx._(
        "Schools and teachers are managed by officers of the Department of Education and "
        "Training, officers of a commune, and admins."
    )


def stats_area(ctx: Context) -> Area | None:
    """Whose figures this person may see: admins and province officers the province, an
    officer scoped to a commune that commune; nobody else any."""
    if ctx.role is Role.ADMIN:
        return Area(None)
    if ctx.role is Role.OFFICER:
        return Area(ctx.user.officer_commune or None)
    return None
