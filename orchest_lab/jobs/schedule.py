"""When a job runs: now (no schedule), once at a time, or on a cron expression in a time zone.

Times are kept as aware datetimes and stored as ISO 8601 strings with their offset. Cron times
are computed in the job's time zone, so that "every day at 03:00" stays at 03:00 across
daylight saving changes (a time that does not exist that day runs at the next that does).
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from typing import Any

from croniter import croniter

from ..pipeline import IssueError

UTC = datetime.timezone.utc


class ScheduleError(IssueError):
    code = "invalid-schedule"


@dataclass(frozen=True)
class Schedule:
    """`cron` with `timezone`, or `at`, or neither (run once, now)."""

    cron: str | None = None
    timezone: str = "UTC"
    at: datetime.datetime | None = None

    @property
    def recurring(self) -> bool:
        return self.cron is not None

    def to_json(self) -> dict[str, Any] | None:
        if self.cron is not None:
            return {"cron": self.cron, "timezone": self.timezone}
        if self.at is not None:
            return {"at": self.at.isoformat()}
        return None

    def next_after(self, moment: datetime.datetime) -> datetime.datetime | None:
        """The first time strictly after `moment` (None: no more)."""
        if self.cron is not None:
            local = moment.astimezone(zoneinfo.ZoneInfo(self.timezone))
            following: datetime.datetime = croniter(self.cron, local).get_next(datetime.datetime)
            return following
        if self.at is not None and self.at > moment:
            return self.at
        return None

    def upcoming(self, moment: datetime.datetime, count: int) -> list[datetime.datetime]:
        times: list[datetime.datetime] = []
        following = self.next_after(moment)
        while following is not None and len(times) < count:
            times.append(following)
            following = self.next_after(following)
        return times

    def due(
        self, last: datetime.datetime | None, moment: datetime.datetime
    ) -> datetime.datetime | None:
        """The occurrence to fire at `moment`, `last` being the last one fired: the latest time
        that has come since `last` (after downtime, the missed times are caught up once, not
        each), or None when none came."""
        start = last or self._origin(moment)
        if start is None:
            return None
        latest = None
        following = self.next_after(start)
        while following is not None and following <= moment:
            latest = following
            following = self.next_after(following)
        return latest

    def _origin(self, moment: datetime.datetime) -> datetime.datetime | None:
        # A job without any fired occurrence counts from a minute before its `at` time; a cron
        # job from when it was made (the caller stores that as its first `last`).
        if self.at is not None:
            return self.at - datetime.timedelta(minutes=1)
        return None


def parse_schedule(raw: Any, now: datetime.datetime, where: str = "/schedule") -> Schedule:
    """A schedule from a request: null, {cron, timezone?} or {at}. An `at` time must be in the
    future and say its offset (or be UTC with Z)."""
    if raw is None:
        return Schedule()
    if not isinstance(raw, dict):
        raise ScheduleError("schedule must be null, {cron, timezone} or {at}", where)
    unknown = sorted(set(raw) - {"cron", "timezone", "at"})
    if unknown:
        raise ScheduleError(
            f"schedule has an unknown field '{str(unknown[0])[:40]}' "
            "(use cron and timezone, or at)",
            f"{where}/{unknown[0]}",
        )
    if "at" in raw and ("cron" in raw or "timezone" in raw):
        raise ScheduleError("give either cron (with timezone) or at, not both", where)
    if "at" in raw:
        return Schedule(at=_parse_at(raw["at"], now, f"{where}/at"))
    cron = raw.get("cron")
    if not isinstance(cron, str) or not cron.strip():
        raise ScheduleError(
            "schedule.cron must be a cron expression such as '0 3 * * *'", f"{where}/cron"
        )
    cron = " ".join(cron.split())
    if len(cron.split()) != 5 or not croniter.is_valid(cron):
        raise ScheduleError(
            f"'{cron[:60]}' is not a cron expression: five fields (minute hour day month "
            "weekday), such as '0 3 * * *' for every day at 03:00",
            f"{where}/cron",
        )
    timezone = raw.get("timezone", "UTC")
    if not isinstance(timezone, str) or not _known_zone(timezone):
        raise ScheduleError(
            f"'{str(timezone)[:60]}' is not a time zone; use an IANA name such as "
            "'Europe/Amsterdam' or 'UTC'",
            f"{where}/timezone",
        )
    return Schedule(cron=cron, timezone=timezone)


def _parse_at(value: Any, now: datetime.datetime, where: str) -> datetime.datetime:
    if not isinstance(value, str):
        raise ScheduleError(
            "schedule.at must be a date and time, such as 2026-12-01T03:00:00Z", where
        )
    try:
        at = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ScheduleError(
            f"'{value[:60]}' is not a date and time; use ISO 8601, such as 2026-12-01T03:00:00Z",
            where,
        ) from None
    if at.tzinfo is None:
        raise ScheduleError(
            f"'{value[:60]}' says no time zone; add its offset (+01:00) or Z for UTC", where
        )
    if at <= now:
        raise ScheduleError(f"{value[:60]} is in the past; choose a time to come", where)
    return at


def _known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(UTC)


def parse_time(text: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(text) if text else None
