"""/stats as text: a short overview with the units furthest behind first."""

from __future__ import annotations

from bot.content.model import AUDIENCES, Content
from bot.core.i18n import Translator
from bot.domain.campaigns import percent
from bot.domain.profile import audience_label
from bot.stats.campaigns import Tally, behind_first
from bot.stats.overview import COMMUNE, DISTRICT, PLEDGE_METRICS, PROVINCE, SCHOOL, Overview
from bot.stats.render import activity_quota, reach_text, student_target

BEHIND_SHOWN = 5
MARKETS_SHOWN = 5


def overview_text(content: Content, _: Translator, overview: Overview, area_name: str) -> str:
    period = overview.period
    lines = [
        "📊 "
        + _(
            "Figures for {area}: year {year} (school year {school_year})",
            area=area_name,
            year=period.calendar,
            school_year=period.school_year,
        )
    ]
    if overview.scope.kind != SCHOOL:
        lines += [
            "",
            _("People who joined the bot in {year} · reached by a quiz:", year=period.calendar),
        ]
        for audience in AUDIENCES:
            lines.append(
                f"• {audience_label(_, audience)}: "
                + _(
                    "{joined} · {reached}",
                    joined=_.number(overview.joined.get(audience, 0)),
                    reached=_.number(overview.reached.get(audience, 0)),
                )
            )
        lines.append(
            _(
                "Daily-tip subscribers: {subscribers} · tips delivered in {year}: {tips}",
                subscribers=_.number(overview.subscribers),
                year=period.calendar,
                tips=_.number(overview.tips),
            )
        )
        pledged = overview.pledges
        lines.append(
            _(
                "Pledges in {year}: taken {taken} · weeks kept {kept} · completed {completed} · "
                "dropped {dropped}",
                year=period.calendar,
                **{k: _.number(pledged.get(k, 0)) for k in PLEDGE_METRICS},
            )
        )
        lines += _reports(_, overview)
    lines += ["", *_students(content, _, overview)]
    return "\n".join(lines)


def _reports(_: Translator, overview: Overview) -> list[str]:
    if overview.reports is None:
        return []
    received = sum(m.received for m in overview.reports)
    approved = sum(m.approved for m in overview.reports)
    lines = [
        _(
            "Market reports in {year}: received {received} · approved {approved}",
            year=overview.period.calendar,
            received=_.number(received),
            approved=_.number(approved),
        )
    ]
    for market in overview.reports[:MARKETS_SHOWN]:
        lines.append(
            f"  – {market.name}: "
            + _(
                "received {received} · approved {approved}",
                received=_.number(market.received),
                approved=_.number(market.approved),
            )
        )
    return lines


def _students(content: Content, _: Translator, overview: Overview) -> list[str]:
    tally, target = overview.tally, student_target(content.plan)
    lines = [
        _("Students reached in class campaigns: {reach}", reach=reach_text(_, tally)),
    ]
    if target:
        lines.append(_("The plan's target: {target}% of students.", target=target))
    quota = activity_quota(content.plan)
    count = _.number(tally.activities)
    if quota and overview.scope.kind == PROVINCE:
        lines.append(
            _(
                "School activities: {count}; the plan asks {low} to {high} a year.",
                count=count,
                low=quota[0],
                high=quota[1],
            )
        )
    else:
        lines.append(_("School activities: {count}.", count=count))
    if target:
        for heading, units in behind_groups(content, _, overview):
            if units:
                lines += ["", heading.format(target=target)]
                lines += [f"• {name}: " + _unit(_, unit) for name, unit in units[:BEHIND_SHOWN]]
    return lines


def _unit(_: Translator, unit: Tally) -> str:
    return _(
        "{percent} ({reached} of {enrolled})",
        percent=percent(_, unit.reached, unit.enrolled),
        reached=_.number(unit.reached),
        enrolled=_.number(unit.enrolled),
    )


def behind_groups(
    content: Content, _: Translator, overview: Overview
) -> list[tuple[str, list[tuple[str, Tally]]]]:
    """The units one level down, the furthest behind first: former districts and communes of
    the province, communes of a former district, schools of a commune."""
    report = overview.campaigns
    if report is None or overview.scope.kind == SCHOOL:
        return []
    kind, code = overview.scope.kind, overview.scope.code
    districts = [
        (d.name, report.districts[d.code]) for d in content.districts if d.code in report.districts
    ]
    communes = [
        (c.name, report.communes[c.code])
        for c in content.communes
        if c.code in report.communes and (kind == PROVINCE or c.former_district == code)
    ]
    district_of = {c.code: c.former_district for c in content.communes}
    schools = [
        (s.name, report.schools[s.id])
        for s in report.school_list
        if kind == COMMUNE or (kind == DISTRICT and district_of.get(s.commune_code) == code)
    ]
    by_district = _("Former districts furthest behind the {target}% target:")
    by_commune = _("Communes furthest behind the {target}% target:")
    by_school = _("Schools furthest behind the {target}% target:")
    if kind == PROVINCE:
        return [(by_district, behind_first(districts)), (by_commune, behind_first(communes))]
    if kind == DISTRICT:
        return [(by_commune, behind_first(communes)), (by_school, behind_first(schools))]
    return [(by_school, behind_first(schools))]
