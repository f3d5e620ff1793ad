"""Who decides a teacher's registration: the rule of `areas.education_area`, as people.

Officers of the education department for the whole province, and any officer scoped to the
school's commune, may decide; admins (named in the settings) may too, but are not people of
the database and get no digest.
"""

from __future__ import annotations

from bot.content.model import Content
from bot.core.i18n import Translator
from bot.domain.areas import EDUCATION_AGENCY
from bot.storage.db import Transaction

_APPROVERS = """SELECT id, officer_commune FROM users
                WHERE officer_agency IS NOT NULL AND consent_at IS NOT NULL AND reachable = 1
                  AND (officer_commune = ? OR (officer_agency = ? AND
                       (officer_commune IS NULL OR officer_commune = '')))"""


async def approvers(tx: Transaction, commune_code: str) -> list[int]:
    """The officers who may decide a registration of a school in this commune."""
    rows = await tx.fetch_all(_APPROVERS + " ORDER BY id", (commune_code, EDUCATION_AGENCY))
    return [int(r[0]) for r in rows]


async def all_approvers(tx: Transaction) -> list[tuple[int, str | None]]:
    """Every officer who may decide some registration, with their commune (None: province)."""
    rows = await tx.fetch_all(
        """SELECT id, officer_commune FROM users
           WHERE officer_agency IS NOT NULL AND consent_at IS NOT NULL AND reachable = 1
             AND ((officer_commune IS NOT NULL AND officer_commune <> '') OR officer_agency = ?)
           ORDER BY id""",
        (EDUCATION_AGENCY,),
    )
    return [(int(r[0]), str(r[1]) if r[1] else None) for r in rows]


def who_decides(_: Translator, content: Content, commune_code: str, count: int) -> str:
    """One sentence for the waiting teacher: who decides, and whether anyone can yet."""
    agency = content.agency(EDUCATION_AGENCY)
    commune = content.commune(commune_code)
    text = _(
        "It is decided by an officer of {agency} or of {commune}.",
        agency=agency.name.get(_.locale) if agency else "-",
        commune=commune.name if commune else "-",
    )
    if count:
        return (
            text
            + " "
            + _(
                "{count} officer(s) who can decide get a daily list of the registrations waiting.",
                count=_.number(count),
            )
        )
    return text + " " + _("No such officer uses the bot yet: the bot's administrators will decide.")
