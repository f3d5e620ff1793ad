"""The plans and the agencies they name: periods, report recipients, successors.

`content/agencies.yaml` holds every body with the period it exists under its name and who took
over its work; `content/plan.yaml` (and any `content/plans/*.yaml`) hold the plans, each with
its period, so that the one in force on a day, or the last one, can be found.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from bot.content.model import AUDIENCES, Agency, Plan, Quota, ReportRecipient, Target, Task
from bot.content.nodes import ContentError, Node, day_rule, iso_day, load_yaml, members

AGENCY_LEVELS = ("central", "province", "commune")
CONFIDENCE = ("sourced", "unconfirmed")
MAX_AGENCY_SOURCE = 120


def load_agencies(path: Path) -> tuple[Agency, ...]:
    root = load_yaml(path).child("agencies")
    agencies = tuple(_agency(n) for n in root.items())
    codes = [a.key for a in agencies]
    for index, agency in enumerate(agencies):
        node = root.child(index)
        if codes.index(agency.key) != index:
            raise node.child("code").fail(f"duplicate agency code {agency.key!r}")
        for heir in agency.successors:
            if heir not in codes:
                raise node.child("successors").fail(f"unknown agency {heir!r}")
        if agency.successors and agency.valid_to is None:
            raise node.child("valid_to").fail("an agency with successors needs its last day")
    return agencies


def _agency(node: Node) -> Agency:
    level, confidence = node.child("level"), node.child("confidence")
    if level.value not in AGENCY_LEVELS:
        raise level.fail(f"expected one of {', '.join(AGENCY_LEVELS)}")
    if confidence.value not in CONFIDENCE:
        raise confidence.fail(f"expected one of {', '.join(CONFIDENCE)}")
    valid_from, valid_to = iso_day(node.child("valid_from")), iso_day(node.child("valid_to"))
    if valid_from and valid_to and valid_to < valid_from:
        raise node.child("valid_to").fail("ends before it starts")
    heirs = node.child("successors")
    if not isinstance(heirs.value, list):
        raise heirs.fail("expected a list of agency codes ([] for none)")
    note = node.child("note", required=False)
    return Agency(
        key=node.child("code").ident(),
        short=node.child("short").text(60),
        name=node.child("name").localized(),
        level=level.text(),
        valid_from=valid_from,
        valid_to=valid_to,
        successors=tuple(heirs.child(i).ident() for i in range(len(heirs.value))),
        confidence=confidence.text(),
        source=node.child("source").text(MAX_AGENCY_SOURCE),
        note=note.text() if note.value is not None else "",
    )


def load_plans(directory: Path, agencies: tuple[Agency, ...]) -> tuple[Plan, tuple[Plan, ...]]:
    """content/plan.yaml, and every plan in content/plans/, oldest first."""
    main = load_plan(directory / "plan.yaml", agencies)
    extra = [load_plan(p, agencies) for p in sorted((directory / "plans").glob("*.yaml"))]
    plans = sorted([main, *extra], key=lambda p: p.period)
    for earlier, later in itertools.pairwise(plans):
        if later.starts <= earlier.ends:
            raise ContentError(f"{directory}: plans {earlier.period} and {later.period} overlap")
    return main, tuple(plans)


def load_plan(path: Path, agencies: tuple[Agency, ...]) -> Plan:
    root = load_yaml(path)
    plan = root.child("plan")
    period = plan.child("period")
    start, end = period.child("start"), period.child("end")
    if not all(isinstance(n.value, int) and 2000 <= n.value <= 2100 for n in (start, end)):
        raise period.fail("expected start and end years, e.g. {start: 2021, end: 2025}")
    if end.value < start.value:
        raise end.fail("ends before it starts")
    deadline = day_rule(plan.child("report_deadline"))
    by_code = {a.key: a for a in agencies}
    listed = root.child("agencies")
    for node in listed.items():
        if node.text() not in by_code:
            raise node.fail(f"unknown agency {node.value!r} (see content/agencies.yaml)")
    chosen = tuple(by_code[n.text()] for n in listed.items())
    keys = {a.key for a in chosen}
    return Plan(
        title=plan.child("title").localized(),
        instrument=plan.child("instrument").text(),
        period=(start.value, end.value),
        report_deadline=(deadline.month, deadline.day),
        source=plan.child("source").text(),
        agencies=chosen,
        targets=tuple(_target(n) for n in root.child("targets").items()),
        tasks=tuple(_task(n, keys) for n in root.child("tasks").items()),
        report_recipient=_recipient(plan.child("report_recipient", required=False), keys),
    )


def _recipient(node: Node, keys: set[str]) -> ReportRecipient | None:
    if node.value is None:
        return None
    agency, confirmed = node.child("agency"), node.child("confirmed")
    if agency.text() not in keys:
        raise agency.fail(f"unknown agency {agency.value!r} (list it under agencies)")
    if not isinstance(confirmed.value, bool):
        raise confirmed.fail("expected true or false")
    return ReportRecipient(agency.text(), confirmed.value, node.child("source").text(200))


def _target(node: Node) -> Target:
    percent = node.child("percent").value
    if percent is not None and not (isinstance(percent, int) and 0 < percent <= 100):
        raise node.child("percent").fail("expected a whole percentage from 1 to 100, or null")
    return Target(
        id=node.child("id").ident(),
        percent=percent,
        audiences=members(node.child("audiences"), AUDIENCES),
        text=node.child("text").localized(),
        source=node.child("source").text(),
    )


def _task(node: Node, agency_keys: set[str]) -> Task:
    lead = node.child("lead")
    if lead.text() not in agency_keys:
        raise lead.fail(f"unknown agency {lead.value!r}")
    return Task(
        id=node.child("id").text(),
        number=node.child("number").text(),
        text=node.child("text").localized(),
        lead=lead.text(),
        quota=_quota(node.child("quota")),
        source=node.child("source").text(),
    )


def _quota(node: Node) -> Quota:
    if not isinstance(node.value, dict):
        raise node.fail("expected a mapping")
    if "kind" in node.value:
        kind = node.child("kind").text()
        if kind not in ("regular", "yearly"):
            raise node.child("kind").fail("expected 'regular' or 'yearly'")
        return Quota(kind=kind)
    low, high = node.child("min").value, node.child("max").value
    if not (isinstance(low, int) and isinstance(high, int) and 0 < low <= high):
        raise node.fail("expected whole numbers with 0 < min <= max")
    return Quota("count", low, high, node.child("per").text(), node.child("unit").text())
