"""Planning scenarios: the resource model's inputs (domain/resource_model.py) kept as
named, versioned scenarios that planners change, copy and compare."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class ExactJSONEncoder(json.JSONEncoder):
    """Decimals as JSON numbers: whole ones as integers, others by their shortest float,
    whose text is the decimal's own for the amounts a scenario holds (3.8 stays 3.8)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)


class ExactJSONDecoder(json.JSONDecoder):
    """Numbers with a decimal point come back as Decimals, so FTE and pounds stay exact."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("parse_float", Decimal)
        super().__init__(*args, **kwargs)


class PlanningScenario(models.Model):
    """A named set of resource-model inputs. ``inputs`` is exactly what the domain's
    ``scenario_to_dict`` gives; ``version`` rises by one with every saved change, so a
    form opened on an older version cannot overwrite a newer one. The seed's scenario
    (``is_default``) is made on first use and never changed by anyone: it is copied."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=2000)
    inputs = models.JSONField(encoder=ExactJSONEncoder, decoder=ExactJSONDecoder)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="planning_scenarios",
    )
    is_default = models.BooleanField(default=False, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The last simulated year of this version of the inputs (cleared when they change).
    simulation = models.JSONField(
        null=True, blank=True, encoder=ExactJSONEncoder, decoder=ExactJSONDecoder
    )
    simulated_at = models.DateTimeField(null=True, blank=True)
    simulation_replications = models.PositiveSmallIntegerField(null=True, blank=True)
    simulation_seed = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-is_default", Lower("name")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="planning_scenario_name_unique",
                violation_error_message="A scenario with this name already exists",
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="planning_scenario_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name
