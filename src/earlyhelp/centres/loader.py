"""Loading the centres configuration (``lancashire_centres.yaml``): programme settings,
offers and their tables, age bands, the group programme catalogue and the centres.
Idempotent: everything is matched by its code, so a second load changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from earlyhelp.centres.models import (
    POST_FIELDS,
    WEEKDAYS,
    AgeBand,
    Centre,
    CoLocatedPartner,
    GroupProgramme,
    Offer,
    OfferRequirement,
    OpeningTime,
    ProgrammeSettings,
    Room,
    SessionType,
)
from earlyhelp.configuration.models import District, ServiceOutcome, TargetGroup

DEFAULT_PATH = Path(__file__).resolve().parent / "lancashire_centres.yaml"
DAY_KEYS = {name[:3].lower(): number for number, name in WEEKDAYS}


class CentresConfigurationError(Exception):
    """The centres file refers to something that is not configured, or is malformed."""


@dataclass(frozen=True)
class LoadSummary:
    offers: int
    centres: int
    offer_holders: int
    sessions_per_week: int
    programmes: int


def _time(value: str, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise CentresConfigurationError(f"{where}: {value!r} is not a time like 09:30") from None


def _saved(instance):
    instance.full_clean()
    instance.save()
    return instance


def _load_settings(raw: dict[str, Any], version: str) -> None:
    settings = ProgrammeSettings.objects.order_by("pk").first() or ProgrammeSettings()
    settings.weeks_open_per_year = int(raw.get("weeks_open_per_year", 46))
    settings.twilight_starts_at = _time(raw.get("twilight_starts_at", "15:30"), "settings")
    settings.evening_starts_at = _time(raw.get("evening_starts_at", "18:00"), "settings")
    settings.configuration_version = version
    _saved(settings)


def _load_offers(raw: list[dict[str, Any]]) -> dict[str, Offer]:
    offers = {}
    for order, item in enumerate(raw):
        offer = Offer.objects.filter(code=item["code"]).first() or Offer(code=item["code"])
        offer.name = item["name"]
        offer.description = item.get("description", "")
        offer.sort_order = order
        offers[offer.code] = _saved(offer)
        for row in item["requirements"]:
            if row["session_type"] not in SessionType.values:
                raise CentresConfigurationError(
                    f"offer {offer.code}: no session type {row['session_type']!r}"
                )
            requirement = OfferRequirement.objects.filter(
                offer=offer, session_type=row["session_type"]
            ).first() or OfferRequirement(offer=offer, session_type=row["session_type"])
            requirement.sessions_per_week = int(row["sessions_per_week"])
            for name in POST_FIELDS.values():
                setattr(requirement, name, int(row.get(name, 0)))
            _saved(requirement)
    return offers


def _load_age_bands(raw: list[dict[str, Any]]) -> None:
    for order, item in enumerate(raw):
        AgeBand.objects.update_or_create(
            code=str(item["code"]),
            defaults={
                "name": item["name"],
                "min_age": item["min_age"],
                "max_age": item.get("max_age"),
                "sort_order": order,
            },
        )


def _load_programmes(raw: list[dict[str, Any]]) -> int:
    outcomes = {o.number: o for o in ServiceOutcome.objects.all()}
    groups = {g.code: g for g in TargetGroup.objects.all()}
    for item in raw:
        programme = GroupProgramme.objects.filter(code=item["code"]).first() or GroupProgramme(
            code=item["code"]
        )
        for name in ("name", "kind", "theme", "number_of_sessions", "completion_sessions"):
            setattr(programme, name, item[name])
        programme.min_age = item.get("min_age", 0)
        programme.max_age = item.get("max_age")
        programme.is_drop_in = bool(item.get("is_drop_in", False))
        programme.facilitator_requirements = item.get("facilitator_requirements", "")
        _saved(programme)
        try:
            programme.outcomes.set([outcomes[n] for n in item.get("outcomes", [])])
            programme.target_groups.set([groups[c] for c in item.get("target_groups", [])])
        except KeyError as missing:
            raise CentresConfigurationError(
                f"programme {programme.code}: {missing} is not configured "
                "(load the service configuration first)"
            ) from None
    return len(raw)


def _load_centre(item: dict[str, Any], offers: dict[str, Offer], districts) -> Centre:
    where = f"centre {item['code']}"
    if item["district"] not in districts:
        raise CentresConfigurationError(
            f"{where}: no district {item['district']!r} (load the service configuration first)"
        )
    centre = Centre.objects.filter(code=item["code"]).first() or Centre(code=item["code"])
    centre.name = item["name"]
    centre.address_line_1 = item["address"]
    centre.address_line_2 = item.get("address_line_2", "")
    centre.town = item["town"]
    centre.postcode = item["postcode"]
    centre.district = districts[item["district"]]
    if "shares_offer_of" in item:
        holder = Centre.objects.filter(code=item["shares_offer_of"]).first()
        if holder is None:
            raise CentresConfigurationError(
                f"{where}: shares the offer of {item['shares_offer_of']!r}, listed after it "
                "or not at all"
            )
        centre.offer, centre.shares_offer_of = None, holder
    else:
        if item.get("offer") not in offers:
            raise CentresConfigurationError(f"{where}: no offer {item.get('offer')!r}")
        centre.offer, centre.shares_offer_of = offers[item["offer"]], None
    _saved(centre)
    for room in item.get("rooms", []):
        Room.objects.update_or_create(
            centre=centre, name=room["name"], defaults={"capacity": room["capacity"]}
        )
    opening = item.get("opening", {})
    days = {}
    for key, hours in opening.items():
        if key not in DAY_KEYS:
            raise CentresConfigurationError(f"{where}: {key!r} is not a day (mon ... sun)")
        opens, _, closes = str(hours).partition("-")
        days[DAY_KEYS[key]] = (_time(opens, where), _time(closes, where))
    OpeningTime.objects.filter(centre=centre).exclude(weekday__in=days).delete()
    for weekday, (opens, closes) in days.items():
        OpeningTime.objects.update_or_create(
            centre=centre, weekday=weekday, defaults={"opens_at": opens, "closes_at": closes}
        )
    for partner in item.get("partners", []):
        CoLocatedPartner.objects.update_or_create(
            centre=centre, name=partner["name"], defaults={"kind": partner["kind"]}
        )
    return centre


@transaction.atomic
def load_centres(path: Path | str = DEFAULT_PATH) -> LoadSummary:
    """Load (or update) the centres configuration from a YAML file, in one transaction."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CentresConfigurationError(f"Cannot read {path}: {error}") from None
    if not isinstance(data, dict):
        raise CentresConfigurationError(f"{path} is not a centres configuration")
    try:
        _load_settings(data.get("settings", {}), str(data.get("version", "")))
        offers = _load_offers(data["offers"])
        _load_age_bands(data.get("age_bands", []))
        programmes = _load_programmes(data.get("programmes", []))
        districts = {d.code: d for d in District.objects.all()}
        centres = [_load_centre(item, offers, districts) for item in data["centres"]]
    except KeyError as missing:
        raise CentresConfigurationError(f"{path}: missing {missing}") from None
    holders = [c for c in centres if c.offer_id]
    per_offer = {
        code: sum(r.sessions_per_week for r in offer.requirements.all())
        for code, offer in offers.items()
    }
    return LoadSummary(
        offers=len(offers),
        centres=len(centres),
        offer_holders=len(holders),
        sessions_per_week=sum(per_offer[c.offer.code] for c in holders),
        programmes=programmes,
    )
