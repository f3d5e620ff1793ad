"""The stored form of timestamps (`iso`), which nearly every statement writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.core.clock import LOCAL_TZ, iso, parse_iso

ZONES = st.sampled_from(
    [UTC, LOCAL_TZ, ZoneInfo("UTC"), timezone(timedelta(hours=-3, minutes=-30))]
)


@given(st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=ZONES))
def test_iso_is_utc_to_the_second_whatever_the_zone(moment: datetime) -> None:
    assert iso(moment) == moment.astimezone(UTC).replace(microsecond=0).isoformat()
    assert parse_iso(iso(moment)) == moment.replace(microsecond=0)


def test_a_local_time_is_stored_in_utc() -> None:
    assert iso(datetime(2026, 12, 1, 7, 0, 30, 999_999, tzinfo=LOCAL_TZ)) == (
        "2026-12-01T00:00:30+00:00"
    )
