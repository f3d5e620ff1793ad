"""Roles and the one authorisation check that decides every command for every role."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from bot.storage.users import User


class Role(StrEnum):
    GUEST = "guest"  # has not agreed and finished onboarding yet
    RESIDENT = "resident"
    STUDENT = "student"
    TEACHER = "teacher"
    WORKER = "worker"  # civil servant or enterprise worker
    MEDIA = "media"  # press, radio or TV staff
    TRADER = "trader"  # sells at a market
    OFFICER = "officer"  # invited by an admin; moderates and reports
    ADMIN = "admin"  # named in the settings


AUDIENCE_ROLES = (
    Role.RESIDENT,
    Role.STUDENT,
    Role.TEACHER,
    Role.WORKER,
    Role.MEDIA,
    Role.TRADER,
)
EVERYONE = frozenset(Role)
MEMBERS = EVERYONE - {Role.GUEST}
STAFF = frozenset({Role.OFFICER, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})


def role_of(user: User, admins: Collection[str], *, approved_teacher: bool = False) -> Role:
    """The role that decides what this person may do right now.

    Saying "I am a teacher" at onboarding only chooses the tips; the TEACHER role (class
    campaigns) comes with a registration an officer approved. Until then they act as a resident.
    """
    if user.address in admins and user.consented:
        return Role.ADMIN  # an admin agrees first too: nothing of theirs is kept before
    if not user.consented or not user.onboarded:
        return Role.GUEST
    if user.is_officer:
        return Role.OFFICER
    if approved_teacher:
        return Role.TEACHER
    if user.audience in (None, "teacher"):
        return Role.RESIDENT
    return Role(user.audience)


def address_of(user: User, *, private: bool = True) -> str:
    """How the bot addresses this person in Vietnamese: their choice in /settings; by default
    "ông/bà" for officers, "bạn" for everyone else; "quý vị" in a group chat."""
    if not private:
        return "quyvi"
    if user.address_form:
        return user.address_form
    return "ongba" if user.is_officer else "ban"


def allowed(role: Role, roles: frozenset[Role]) -> bool:
    """Admins may do anything a member may; everyone else only what their role lists."""
    if role is Role.ADMIN and roles & MEMBERS:
        return True
    return role in roles
