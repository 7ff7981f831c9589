"""Talkzone staffing by Erlang C: how many workers each opening hour needs so that enough
contacts are answered within the target time. No Django here.

The M/M/N model (Poisson arrivals, exponential handling, no abandonment) that Erlang C
assumes overstates the staff a little when callers give up, so its answer is a safe
upper bound. The probability of waiting is computed from the Erlang B recursion, which
stays within floating point for hundreds of agents where A**N / N! would overflow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

# Talkzone is open 14:00-22:00 every day of the year: the hours starting 14, 15, ... 21.
OPENING_START_HOUR = 14
OPENING_END_HOUR = 22
SECONDS_PER_HOUR = 3600
SECONDS_PER_MINUTE = 60


@dataclass(frozen=True)
class HourStaffing:
    """One opening hour: the contacts offered, the workers needed and what they achieve."""

    hour: int
    contacts: float
    offered_load: float
    agents: int
    service_level: float
    occupancy: float


def offered_load(arrivals_per_hour: float, handling_minutes: float) -> float:
    """Traffic in Erlangs: contacts an hour x handling time in hours."""
    return arrivals_per_hour * handling_minutes / SECONDS_PER_MINUTE


def erlang_b(agents: int, offered_load: float) -> float:
    """Probability that all agents are busy in a loss system (Erlang B), by its recursion."""
    _check_agents(agents)
    if offered_load < 0:
        raise ValueError(f"offered load must not be negative, not {offered_load}")
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = offered_load * blocking / (n + offered_load * blocking)
    return blocking


def erlang_c(agents: int, offered_load: float) -> float:
    """Probability that a contact waits (Erlang C); 1 when the load reaches the agents."""
    blocking = erlang_b(agents, offered_load)
    if offered_load == 0:
        return 0.0
    if agents <= offered_load:
        # No steady state: the queue grows without end, so every contact waits.
        return 1.0
    return agents * blocking / (agents - offered_load * (1 - blocking))


def service_level(
    agents: int, arrivals_per_hour: float, handling_minutes: float, target_seconds: float
) -> float:
    """Share of contacts answered within target_seconds: 1 - P(wait) e^(-(N - A) T / AHT)."""
    _check_traffic(arrivals_per_hour, handling_minutes)
    if target_seconds < 0:
        raise ValueError(f"target seconds must not be negative, not {target_seconds}")
    load = offered_load(arrivals_per_hour, handling_minutes)
    waiting = erlang_c(agents, load)
    if agents <= load:
        return 0.0 if load > 0 else 1.0
    handling_seconds = handling_minutes * SECONDS_PER_MINUTE
    return 1 - waiting * math.exp(-(agents - load) * target_seconds / handling_seconds)


def average_speed_of_answer(
    agents: int, arrivals_per_hour: float, handling_minutes: float
) -> float:
    """Mean wait in seconds over all contacts: P(wait) x AHT / (N - A); infinite if N <= A."""
    _check_traffic(arrivals_per_hour, handling_minutes)
    load = offered_load(arrivals_per_hour, handling_minutes)
    if load == 0:
        return 0.0
    if agents <= load:
        return math.inf
    return erlang_c(agents, load) * handling_minutes * SECONDS_PER_MINUTE / (agents - load)


def agents_needed(
    arrivals_per_hour: float,
    handling_minutes: float,
    target_service_level: float = 0.8,
    target_seconds: float = 20,
    max_occupancy: float | None = None,
) -> int:
    """The fewest agents answering target_service_level of contacts within target_seconds,
    and, if given, keeping occupancy (load / agents) at or under max_occupancy."""
    _check_traffic(arrivals_per_hour, handling_minutes)
    if not 0 < target_service_level < 1:
        raise ValueError(
            f"target service level must be between 0 and 1, not {target_service_level}"
        )
    if target_seconds < 0:
        raise ValueError(f"target seconds must not be negative, not {target_seconds}")
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise ValueError(f"max occupancy must be above 0 and at most 1, not {max_occupancy}")
    load = offered_load(arrivals_per_hour, handling_minutes)
    if load == 0:
        return 0
    # Fewer agents than the load never reach a steady state; start just above it.
    agents = math.floor(load) + 1
    if max_occupancy is not None:
        agents = max(agents, math.ceil(load / max_occupancy))
    while (
        service_level(agents, arrivals_per_hour, handling_minutes, target_seconds)
        < target_service_level
    ):
        agents += 1
    return agents


def staffing_by_hour(
    contacts_by_hour: Mapping[int, float],
    handling_minutes: float,
    *,
    target_service_level: float = 0.8,
    target_seconds: float = 20,
    max_occupancy: float | None = None,
    opening_start_hour: int = OPENING_START_HOUR,
    opening_end_hour: int = OPENING_END_HOUR,
) -> dict[int, HourStaffing]:
    """Workers needed in each opening hour for its contacts; an hour with no figure has no
    contacts, and contacts given for an hour when Talkzone is closed raise ValueError."""
    if not 0 <= opening_start_hour < opening_end_hour <= 24:
        raise ValueError(
            f"opening hours must run forward within a day, not "
            f"{opening_start_hour}:00-{opening_end_hour}:00"
        )
    hours = range(opening_start_hour, opening_end_hour)
    for hour in contacts_by_hour:
        if hour not in hours:
            raise ValueError(
                f"hour {hour} is outside the opening hours "
                f"{opening_start_hour}:00-{opening_end_hour}:00"
            )
    plan = {}
    for hour in hours:
        contacts = contacts_by_hour.get(hour, 0.0)
        agents = agents_needed(
            contacts,
            handling_minutes,
            target_service_level=target_service_level,
            target_seconds=target_seconds,
            max_occupancy=max_occupancy,
        )
        load = offered_load(contacts, handling_minutes)
        plan[hour] = HourStaffing(
            hour=hour,
            contacts=contacts,
            offered_load=load,
            agents=agents,
            service_level=(
                service_level(agents, contacts, handling_minutes, target_seconds) if agents else 1.0
            ),
            occupancy=load / agents if agents else 0.0,
        )
    return plan


def _check_agents(agents: int) -> None:
    if agents < 0:
        raise ValueError(f"agents must not be negative, not {agents}")


def _check_traffic(arrivals_per_hour: float, handling_minutes: float) -> None:
    if arrivals_per_hour < 0:
        raise ValueError(f"contacts an hour must not be negative, not {arrivals_per_hour}")
    if handling_minutes <= 0:
        raise ValueError(f"handling minutes must be more than zero, not {handling_minutes}")
