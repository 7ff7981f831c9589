"""Reading a service configuration file: the YAML is parsed keeping its line numbers,
every section is checked and every problem collected, and a plain dataclass tree comes
out. No Django here: ``services.load_configuration`` writes the tree to the database.

The file's shape is the schema (``configuration/lancashire.yaml``, schema_version 1).
Each problem names the field by its path in the file (``districts[3].locality``) and
the line it is on, so a system administrator can go straight to it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

SCHEMA_VERSION = 1

# The database columns are PositiveSmallIntegerField: 1 to 32767 fits every backend.
_SMALLINT_MAX = 32767
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_LETTER = re.compile(r"^[A-Z]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# An outward postcode (the part before the space): PR1, BB10, L39, EC1A.
_OUTWARD_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
SHARE_TOLERANCE = Decimal("0.001")


# ---------------------------------------------------------------- problems


@dataclass(frozen=True)
class ConfigurationProblem:
    """One thing wrong with a configuration: the field's path, its line and what is wrong."""

    field: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.field}: {self.message}"


class ConfigurationError(Exception):
    """A configuration that cannot be loaded, with every problem found in it."""

    def __init__(self, problems: Sequence[ConfigurationProblem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: p.line))
        super().__init__("\n".join(str(problem) for problem in self.problems))


# ---------------------------------------------------------------- the tree


@dataclass(frozen=True)
class SettingsSpec:
    """The single row of service settings; names match ``ServiceSettings`` fields."""

    council_name: str
    configuration_version: str
    caf_mailbox: str
    urn_prefix: str
    urn_format: str
    plan_needs_approval: bool
    allocation_working_days: int
    initial_visit_working_days: int
    review_interval_weeks: int
    review_overdue_weeks: int
    outcomes_star_review_weeks: int
    working_weeks_per_year: int
    slots_per_week: int
    caseload_per_fte: int
    assessment_counts_as: str = "L2A"
    retention_years_after_youngest_child_birth: int = 25
    retention_minimum_years_after_closure: int = 6
    retention_years_after_request_decision: int = 6


@dataclass(frozen=True)
class LocalitySpec:
    code: str
    name: str
    path: str = field(default="", compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class DistrictSpec:
    code: str
    name: str
    locality: str
    postcode_districts: tuple[str, ...]
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    path: str = field(default="", compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class NeedLevelSpec:
    level: int
    name: str
    description: str
    path: str = field(default="", compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class CaseTypeSpec:
    code: str
    name: str
    visit_every_weeks: int
    weeks_of_support: int
    slots_per_cycle: int
    cycles_per_year: Decimal
    demand_share: Decimal
    sort_order: int
    path: str = field(default="", compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class TargetGroupSpec:
    code: str
    name: str
    sort_order: int
    path: str = field(default="", compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class SpecialismSpec:
    """A worker skill and what about a request it matches (ages, target groups, SEND)."""

    code: str
    name: str
    min_age: int | None
    max_age: int | None
    target_groups: tuple[str, ...]
    matches_send: bool
    sort_order: int
    path: str = field(default="", compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class MarmotObjectiveSpec:
    letter: str
    title: str
    path: str = field(default="", compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class TfuCriterionSpec:
    number: int
    title: str
    path: str = field(default="", compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class OutcomeSpec:
    number: int
    title: str
    marmot_objectives: tuple[str, ...]
    tfu_criteria: tuple[int, ...]
    path: str = field(default="", compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class ClosureDaySpec:
    date: dt.date
    reason: str
    path: str = field(default="", compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class StarStageSpec:
    low: int
    high: int
    name: str


@dataclass(frozen=True)
class StarAreaSpec:
    code: str
    name: str
    sort_order: int
    outcome: int | None
    path: str = field(default="", compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class OutcomesStarSpec:
    code: str
    name: str
    is_default: bool
    scale_min: int
    scale_max: int
    stages: tuple[StarStageSpec, ...]
    areas: tuple[StarAreaSpec, ...]
    path: str = field(default="", compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Configuration:
    """A checked configuration file, ready to load."""

    schema_version: int
    settings: SettingsSpec
    localities: tuple[LocalitySpec, ...]
    districts: tuple[DistrictSpec, ...]
    need_levels: tuple[NeedLevelSpec, ...]
    case_types: tuple[CaseTypeSpec, ...]
    target_groups: tuple[TargetGroupSpec, ...]
    marmot_objectives: tuple[MarmotObjectiveSpec, ...]
    tfu_criteria: tuple[TfuCriterionSpec, ...]
    outcomes: tuple[OutcomeSpec, ...]
    closure_days: tuple[ClosureDaySpec, ...]
    # None when the file has no outcomes_stars section: the Stars already there are kept.
    outcomes_stars: tuple[OutcomesStarSpec, ...] | None = None
    # None when the file has no specialisms section: the specialisms already there are kept.
    specialisms: tuple[SpecialismSpec, ...] | None = None
    section_lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)


# ---------------------------------------------------------------- YAML with line numbers


class _Map(dict):
    """A mapping from the file that remembers its own line and each key's and value's."""

    line: int
    key_lines: dict[Any, int]
    value_lines: dict[Any, int]
    duplicates: list[tuple[Any, int]]


class _Seq(list):
    """A sequence from the file that remembers its own line and each item's."""

    line: int
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, building ``_Map`` and ``_Seq`` so that lines survive."""


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[_Map]:
    data = _Map()
    data.line = node.start_mark.line + 1
    data.key_lines, data.value_lines, data.duplicates = {}, {}, []
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError as exc:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found a key that is not text or a number",
                key_node.start_mark,
            ) from exc
        if key in data:
            # PyYAML keeps the last silently; a repeated key is almost always a mistake.
            data.duplicates.append((key, key_node.start_mark.line + 1))
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1
        data.value_lines[key] = value_node.start_mark.line + 1


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> Iterator[_Seq]:
    data = _Seq()
    data.line = node.start_mark.line + 1
    data.item_lines = [child.start_mark.line + 1 for child in node.value]
    yield data
    data.extend(loader.construct_object(child, deep=True) for child in node.value)


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    # 2026-02-30 looks like a date to YAML but is not one; keep the text so that the
    # check reports it by its field and line instead of PyYAML failing with no context.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _parse_yaml(text: str) -> Any:
    """The document's data, or ConfigurationError naming the line of a syntax error."""
    loader = _LineLoader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = exc.problem or exc.context or "cannot be read"
        if exc.context and exc.problem:
            # e.g. "while parsing a flow sequence": say where that began, often the culprit.
            context_line = exc.context_mark.line + 1 if exc.context_mark else line
            message += f" ({exc.context}" + (
                f" started on line {context_line})" if context_line != line else ")"
            )
        raise ConfigurationError(
            [ConfigurationProblem("yaml", line, f"not valid YAML: {message}")]
        ) from exc
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigurationError(
            [ConfigurationProblem("yaml", line, f"not valid YAML: {exc.reason}")]
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(
            [ConfigurationProblem("yaml", 1, f"not valid YAML: {exc}")]
        ) from exc
    finally:
        loader.dispose()


# ---------------------------------------------------------------- checking


class _Checker:
    """Collects problems while reading values out of the parsed file."""

    def __init__(self) -> None:
        self.problems: list[ConfigurationProblem] = []

    def report(self, path: str, line: int, message: str) -> None:
        self.problems.append(ConfigurationProblem(path, line, message))

    # -- structure

    def fields(
        self,
        value: Any,
        path: str,
        line: int,
        *,
        required: Sequence[str],
        optional: Sequence[str] = (),
    ) -> _Map | None:
        """The value as a mapping with every required key and no unknown ones."""
        if not isinstance(value, _Map):
            self.report(
                path or "file", line, f"must be a mapping of fields ({', '.join(required)})"
            )
            return None
        for key, key_line in value.duplicates:
            self.report(_join(path, key), key_line, "appears more than once")
        for key in value:
            if key not in required and key not in optional:
                expected = ", ".join([*required, *optional])
                self.report(
                    _join(path, key),
                    value.key_lines[key],
                    f"unknown field (expected {expected})",
                )
        for key in required:
            if key not in value:
                self.report(_join(path, key), value.line, "is missing")
        return value

    def section(self, root: _Map, key: str, **kwargs: Any) -> _Map | None:
        """A top-level mapping section; a missing one is reported once, by the root check."""
        if key not in root:
            return None
        return self.fields(root[key], key, root.value_lines[key], **kwargs)

    def items(
        self, parent: _Map, path: str, key: str, *, required: bool = True
    ) -> list[tuple[str, int, Any]]:
        """The (path, line, item) of each entry of a list; a required list has one at least."""
        where = _join(path, key)
        if key not in parent:
            return []
        value = parent[key]
        if value is None or (isinstance(value, _Seq) and not value):
            # "closure_days:" with nothing under it is an empty list.
            if required:
                self.report(where, parent.key_lines[key], "must list at least one entry")
            return []
        if not isinstance(value, _Seq):
            self.report(where, parent.value_lines[key], "must be a list")
            return []
        return [(f"{where}[{i}]", value.item_lines[i], item) for i, item in enumerate(value)]

    # -- scalars

    def text(
        self,
        m: _Map,
        path: str,
        key: str,
        *,
        max_length: int,
        pattern: re.Pattern[str] | None = None,
        pattern_message: str = "",
        required: bool = True,
        default: str = "",
    ) -> str | None:
        """A non-blank string no longer than max_length, optionally matching a pattern."""
        if key not in m:
            return None if required else default
        value, where, line = m[key], _join(path, key), m.value_lines[key]
        if not isinstance(value, str):
            self.report(where, line, "must be text (put it in quotes if it looks like a number)")
            return None
        value = value.strip()
        if not value:
            self.report(where, line, "must not be blank")
            return None
        if len(value) > max_length:
            self.report(where, line, f"must be at most {max_length} characters")
            return None
        if pattern is not None and not pattern.match(value):
            self.report(where, line, pattern_message)
            return None
        return value

    def integer(
        self,
        m: _Map,
        path: str,
        key: str,
        *,
        minimum: int = 1,
        maximum: int = _SMALLINT_MAX,
        required: bool = True,
        default: int | None = None,
    ) -> int | None:
        """A whole number in range (a positive integer unless told otherwise)."""
        if key not in m:
            return None if required else default
        return self.integer_value(
            m[key], _join(path, key), m.value_lines[key], minimum=minimum, maximum=maximum
        )

    def integer_value(
        self, value: Any, path: str, line: int, *, minimum: int = 1, maximum: int = _SMALLINT_MAX
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.report(path, line, "must be a whole number")
            return None
        if not minimum <= value <= maximum:
            if minimum == 1 and maximum == _SMALLINT_MAX:
                self.report(path, line, f"must be a positive whole number (not {value})")
            else:
                self.report(path, line, f"must be from {minimum} to {maximum} (not {value})")
            return None
        return value

    def decimal(
        self,
        m: _Map,
        path: str,
        key: str,
        *,
        minimum: Decimal,
        maximum: Decimal,
        places: int,
        exclusive_minimum: bool = False,
    ) -> Decimal | None:
        """A number in range with at most `places` decimal places, as an exact Decimal."""
        if key not in m:
            return None
        value, where, line = m[key], _join(path, key), m.value_lines[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.report(where, line, "must be a number")
            return None
        try:
            # str() first: the float 0.05 becomes Decimal("0.05"), not its binary expansion.
            number = Decimal(str(value))
        except InvalidOperation:
            self.report(where, line, "must be a number")
            return None
        if not number.is_finite():
            self.report(where, line, "must be a number")
            return None
        low_ok = number > minimum if exclusive_minimum else number >= minimum
        if not low_ok or number > maximum:
            low = f"more than {minimum}" if exclusive_minimum else f"from {minimum}"
            self.report(where, line, f"must be {low} to {maximum} (not {value})")
            return None
        if number != number.quantize(Decimal(1).scaleb(-places)):
            self.report(where, line, f"must have at most {places} decimal places")
            return None
        return number.quantize(Decimal(1).scaleb(-places))

    def boolean(self, m: _Map, path: str, key: str, *, default: bool) -> bool | None:
        if key not in m:
            return default
        if not isinstance(m[key], bool):
            self.report(_join(path, key), m.value_lines[key], "must be true or false")
            return None
        return m[key]

    def date(self, m: _Map, path: str, key: str) -> dt.date | None:
        """A real calendar date, written 2026-12-29."""
        if key not in m:
            return None
        value, where, line = m[key], _join(path, key), m.value_lines[key]
        if isinstance(value, dt.datetime):
            self.report(where, line, "must be a date without a time, like 2026-12-29")
            return None
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                self.report(where, line, f"{value!r} is not a real date (write it as 2026-12-29)")
                return None
        self.report(where, line, "must be a date, like 2026-12-29")
        return None

    # -- across entries

    def unique(self, entries: Sequence[tuple[Any, str, int]], what: str) -> None:
        """Each (value, path, line) once only: a later repeat is reported at its line."""
        seen: dict[Any, int] = {}
        for value, path, line in entries:
            if value is None:
                continue
            if value in seen:
                self.report(path, line, f"{what} {value!r} is already used on line {seen[value]}")
            else:
                seen[value] = line


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _line_of(m: _Map, key: str) -> int:
    return m.value_lines.get(key, m.line)


# ---------------------------------------------------------------- the sections

_SECTIONS_REQUIRED = (
    "schema_version",
    "council",
    "service",
    "timescales",
    "capacity",
    "localities",
    "districts",
    "need_levels",
    "case_types",
    "target_groups",
    "marmot_objectives",
    "tfu_criteria",
    "outcomes",
)
_SECTIONS_OPTIONAL = ("closure_days", "outcomes_stars", "specialisms", "retention")
# The optional retention section; each key is the ServiceSettings field after "retention_".
_RETENTION = {
    "years_after_youngest_child_birth": 25,
    "minimum_years_after_closure": 6,
    "years_after_request_decision": 6,
}
_TIMESCALES = (
    "allocation_working_days",
    "initial_visit_working_days",
    "review_interval_weeks",
    "review_overdue_weeks",
    "outcomes_star_review_weeks",
)
_CAPACITY = ("working_weeks_per_year", "slots_per_week", "caseload_per_fte")
_CAPACITY_OPTIONAL = ("assessment_counts_as",)
_SLUG_MESSAGE = "must use only letters, digits, hyphens and underscores"


def _slug(c: _Checker, m: _Map, path: str, key: str = "code", *, max_length: int = 40):
    return c.text(m, path, key, max_length=max_length, pattern=_SLUG, pattern_message=_SLUG_MESSAGE)


def _settings(c: _Checker, root: _Map) -> SettingsSpec | None:
    before = len(c.problems)
    values: dict[str, Any] = {}

    council = c.section(root, "council", required=("name", "configuration_version"))
    if council is not None:
        values["council_name"] = c.text(council, "council", "name", max_length=120)
        values["configuration_version"] = c.text(
            council, "council", "configuration_version", max_length=40
        )

    service = c.section(
        root,
        "service",
        required=("caf_mailbox", "urn_prefix"),
        optional=("urn_format", "plan_needs_approval"),
    )
    if service is not None:
        values["caf_mailbox"] = c.text(
            service,
            "service",
            "caf_mailbox",
            max_length=254,
            pattern=_EMAIL,
            pattern_message="must be an email address, like caf@example.gov.uk",
        )
        values["urn_prefix"] = c.text(service, "service", "urn_prefix", max_length=10)
        urn_format = c.text(
            service,
            "service",
            "urn_format",
            max_length=60,
            required=False,
            default="{prefix}-{year}-{number:06d}",
        )
        if urn_format is not None:
            try:
                urn_format.format(prefix="LAN", year=2026, number=1)
            except (KeyError, IndexError, ValueError) as exc:
                c.report(
                    "service.urn_format",
                    _line_of(service, "urn_format"),
                    "must be a format using only {prefix}, {year} and {number} "
                    f"({type(exc).__name__}: {exc})",
                )
        values["urn_format"] = urn_format
        values["plan_needs_approval"] = c.boolean(
            service, "service", "plan_needs_approval", default=False
        )

    timescales = c.section(root, "timescales", required=_TIMESCALES)
    if timescales is not None:
        for key in _TIMESCALES:
            values[key] = c.integer(timescales, "timescales", key)
        interval, overdue = values["review_interval_weeks"], values["review_overdue_weeks"]
        if interval is not None and overdue is not None and overdue < interval:
            c.report(
                "timescales.review_overdue_weeks",
                _line_of(timescales, "review_overdue_weeks"),
                f"must be at least review_interval_weeks ({interval})",
            )

    capacity = c.section(root, "capacity", required=_CAPACITY, optional=_CAPACITY_OPTIONAL)
    if capacity is not None:
        # Checked against the case types in _check, once they are read.
        values["assessment_counts_as"] = c.text(
            capacity,
            "capacity",
            "assessment_counts_as",
            max_length=10,
            required=False,
            default="L2A",
        )
        values["working_weeks_per_year"] = c.integer(
            capacity, "capacity", "working_weeks_per_year", maximum=52
        )
        values["slots_per_week"] = c.integer(capacity, "capacity", "slots_per_week")
        values["caseload_per_fte"] = c.integer(capacity, "capacity", "caseload_per_fte")

    retention = c.section(root, "retention", required=(), optional=tuple(_RETENTION))
    for key, default in _RETENTION.items():
        values[f"retention_{key}"] = (
            default
            if retention is None
            else c.integer(
                retention, "retention", key, minimum=0, maximum=120, required=False, default=default
            )
        )

    names = [f.name for f in dataclasses.fields(SettingsSpec)]
    if len(c.problems) > before or any(values.get(name) is None for name in names):
        return None
    return SettingsSpec(**values)


def _known(root: _Map, section: str, keys: list[tuple[Any, str, int]]) -> set[Any] | None:
    """The keys a section defines, to check references against; None if it is missing."""
    if section not in root or not isinstance(root[section], _Seq):
        return None
    return {key for key, _, _ in keys if key is not None}


def _localities(c: _Checker, root: _Map) -> tuple[list[LocalitySpec], set[str] | None]:
    specs, codes, names = [], [], []
    for path, line, item in c.items(root, "", "localities"):
        m = c.fields(item, path, line, required=("code", "name"))
        if m is None:
            continue
        code = _slug(c, m, path)
        name = c.text(m, path, "name", max_length=120)
        codes.append((code, f"{path}.code", _line_of(m, "code")))
        names.append((name, f"{path}.name", _line_of(m, "name")))
        if code is not None and name is not None:
            specs.append(LocalitySpec(code=code, name=name, path=path, line=line))
    c.unique(codes, "locality code")
    c.unique(names, "locality name")
    return specs, _known(root, "localities", codes)


def _districts(c: _Checker, root: _Map, localities: set[str] | None) -> list[DistrictSpec]:
    specs, codes, names = [], [], []
    for path, line, item in c.items(root, "", "districts"):
        m = c.fields(
            item,
            path,
            line,
            required=("code", "name", "locality"),
            optional=("postcode_districts", "latitude", "longitude"),
        )
        if m is None:
            continue
        before = len(c.problems)
        code = _slug(c, m, path)
        name = c.text(m, path, "name", max_length=120)
        locality = c.text(m, path, "locality", max_length=40)
        codes.append((code, f"{path}.code", _line_of(m, "code")))
        names.append((name, f"{path}.name", _line_of(m, "name")))
        if locality is not None and localities is not None and locality not in localities:
            c.report(
                f"{path}.locality",
                _line_of(m, "locality"),
                f"names locality {locality!r}, which is not in localities",
            )
        postcodes = _postcodes(c, m, path)
        latitude = c.decimal(
            m, path, "latitude", minimum=Decimal(-90), maximum=Decimal(90), places=5
        )
        longitude = c.decimal(
            m, path, "longitude", minimum=Decimal(-180), maximum=Decimal(180), places=5
        )
        if ("latitude" in m) != ("longitude" in m):
            c.report(path, line, "give both latitude and longitude of the centre, or neither")
        if len(c.problems) == before and None not in (code, name, locality):
            specs.append(
                DistrictSpec(
                    code,
                    name,
                    locality,
                    postcodes,
                    latitude,
                    longitude,
                    path=path,
                    line=line,
                )
            )
    c.unique(codes, "district code")
    c.unique(names, "district name")
    return specs


def _postcodes(c: _Checker, m: _Map, path: str) -> tuple[str, ...]:
    result: list[str] = []
    for item_path, line, item in c.items(m, path, "postcode_districts", required=False):
        outward = item.strip().upper() if isinstance(item, str) else ""
        if not _OUTWARD_POSTCODE.match(outward):
            c.report(item_path, line, f"{item!r} is not an outward postcode, like PR1")
        elif outward in result:
            c.report(item_path, line, f"{outward} is listed twice")
        else:
            result.append(outward)
    return tuple(result)


def _need_levels(c: _Checker, root: _Map) -> list[NeedLevelSpec]:
    specs, levels = [], []
    for path, line, item in c.items(root, "", "need_levels"):
        m = c.fields(item, path, line, required=("level", "name", "description"))
        if m is None:
            continue
        level = c.integer(m, path, "level")
        name = c.text(m, path, "name", max_length=80)
        description = c.text(m, path, "description", max_length=10_000)
        levels.append((level, f"{path}.level", _line_of(m, "level")))
        if level is not None and name is not None and description is not None:
            specs.append(NeedLevelSpec(level, name, description, path=path, line=line))
    c.unique(levels, "level")
    return specs


_CASE_TYPE_FIELDS = (
    "code",
    "name",
    "visit_every_weeks",
    "weeks_of_support",
    "slots_per_cycle",
    "cycles_per_year",
    "demand_share",
)


def _case_types(c: _Checker, root: _Map) -> list[CaseTypeSpec]:
    specs, codes, shares = [], [], []
    shares_complete = True
    entries = c.items(root, "", "case_types")
    for index, (path, line, item) in enumerate(entries):
        m = c.fields(item, path, line, required=_CASE_TYPE_FIELDS)
        if m is None:
            shares_complete = False
            continue
        before = len(c.problems)
        values = {
            "code": c.text(m, path, "code", max_length=10),
            "name": c.text(m, path, "name", max_length=120),
            "visit_every_weeks": c.integer(m, path, "visit_every_weeks"),
            "weeks_of_support": c.integer(m, path, "weeks_of_support"),
            "slots_per_cycle": c.integer(m, path, "slots_per_cycle"),
            "cycles_per_year": c.decimal(
                m,
                path,
                "cycles_per_year",
                minimum=Decimal(0),
                maximum=Decimal("99.99"),
                places=2,
                exclusive_minimum=True,
            ),
            "demand_share": c.decimal(
                m, path, "demand_share", minimum=Decimal(0), maximum=Decimal(1), places=4
            ),
        }
        codes.append((values["code"], f"{path}.code", _line_of(m, "code")))
        if values["demand_share"] is None:
            shares_complete = False
        else:
            shares.append(values["demand_share"])
        if len(c.problems) == before and None not in values.values():
            specs.append(CaseTypeSpec(**values, sort_order=index, path=path, line=line))
    c.unique(codes, "case type code")
    # The shares split the year's demand between the types, so they must cover all of it.
    if entries and shares_complete:
        total = sum(shares, Decimal(0))
        if abs(total - 1) > SHARE_TOLERANCE:
            c.report(
                "case_types[*].demand_share",
                root.key_lines["case_types"],
                f"the demand shares must add up to 1 across the case types; they add up to "
                f"{total.normalize():f}",
            )
    return specs


def _target_groups(c: _Checker, root: _Map) -> list[TargetGroupSpec]:
    specs, codes = [], []
    for index, (path, line, item) in enumerate(c.items(root, "", "target_groups")):
        m = c.fields(item, path, line, required=("code", "name"))
        if m is None:
            continue
        code = _slug(c, m, path, max_length=60)
        name = c.text(m, path, "name", max_length=200)
        codes.append((code, f"{path}.code", _line_of(m, "code")))
        if code is not None and name is not None:
            specs.append(TargetGroupSpec(code, name, sort_order=index, path=path, line=line))
    c.unique(codes, "target group code")
    return specs


_SPECIALISM_OPTIONAL = ("min_age", "max_age", "target_groups", "send")


def _specialisms(
    c: _Checker, root: _Map, target_groups: set[str] | None
) -> list[SpecialismSpec] | None:
    """The optional worker specialisms, each with the ages, target groups or SEND it
    matches."""
    if "specialisms" not in root:
        return None
    specs, codes, names = [], [], []

    def group(value: Any, path: str, line: int) -> str | None:
        if not isinstance(value, str) or not _SLUG.match(value):
            c.report(path, line, f"{value!r} is not a target group code, like neglect")
            return None
        return value

    for index, (path, line, item) in enumerate(c.items(root, "", "specialisms")):
        m = c.fields(item, path, line, required=("code", "name"), optional=_SPECIALISM_OPTIONAL)
        if m is None:
            continue
        before = len(c.problems)
        code = _slug(c, m, path)
        name = c.text(m, path, "name", max_length=120)
        min_age = c.integer(m, path, "min_age", minimum=0, maximum=25, required=False)
        max_age = c.integer(m, path, "max_age", minimum=0, maximum=25, required=False)
        if min_age is not None and max_age is not None and max_age < min_age:
            c.report(f"{path}.max_age", _line_of(m, "max_age"), "must not be below min_age")
        groups = _references(
            c,
            m,
            path,
            "target_groups",
            known=target_groups,
            check=group,
            section="target_groups",
        )
        send = c.boolean(m, path, "send", default=False)
        codes.append((code, f"{path}.code", _line_of(m, "code")))
        names.append((name, f"{path}.name", _line_of(m, "name")))
        if len(c.problems) == before:
            specs.append(
                SpecialismSpec(
                    code,
                    name,
                    min_age,
                    max_age,
                    groups or (),
                    bool(send),
                    sort_order=index,
                    path=path,
                    line=line,
                )
            )
    c.unique(codes, "specialism code")
    c.unique(names, "specialism name")
    return specs


def _marmot_objectives(
    c: _Checker, root: _Map
) -> tuple[list[MarmotObjectiveSpec], set[str] | None]:
    specs, letters = [], []
    for path, line, item in c.items(root, "", "marmot_objectives"):
        m = c.fields(item, path, line, required=("letter", "title"))
        if m is None:
            continue
        letter = c.text(
            m,
            path,
            "letter",
            max_length=1,
            pattern=_LETTER,
            pattern_message="must be one capital letter, like A",
        )
        title = c.text(m, path, "title", max_length=200)
        letters.append((letter, f"{path}.letter", _line_of(m, "letter")))
        if letter is not None and title is not None:
            specs.append(MarmotObjectiveSpec(letter, title, path=path, line=line))
    c.unique(letters, "letter")
    return specs, _known(root, "marmot_objectives", letters)


def _tfu_criteria(c: _Checker, root: _Map) -> tuple[list[TfuCriterionSpec], set[int] | None]:
    specs, numbers = [], []
    for path, line, item in c.items(root, "", "tfu_criteria"):
        m = c.fields(item, path, line, required=("number", "title"))
        if m is None:
            continue
        number = c.integer(m, path, "number")
        title = c.text(m, path, "title", max_length=200)
        numbers.append((number, f"{path}.number", _line_of(m, "number")))
        if number is not None and title is not None:
            specs.append(TfuCriterionSpec(number, title, path=path, line=line))
    c.unique(numbers, "criterion number")
    return specs, _known(root, "tfu_criteria", numbers)


def _references(
    c: _Checker,
    m: _Map,
    path: str,
    key: str,
    *,
    known: set[Any] | None,
    check: Callable[[Any, str, int], Any],
    section: str,
) -> tuple[Any, ...] | None:
    """A list of references to another section's entries, each one there and named once."""
    before = len(c.problems)
    result: list[Any] = []
    for item_path, line, item in c.items(m, path, key, required=False):
        ref = check(item, item_path, line)
        if ref is None:
            continue
        if ref in result:
            c.report(item_path, line, f"{ref!r} is listed twice")
        elif known is not None and ref not in known:
            c.report(item_path, line, f"names {ref!r}, which is not in {section}")
        else:
            result.append(ref)
    return tuple(result) if len(c.problems) == before else None


def _outcomes(
    c: _Checker, root: _Map, letters: set[str] | None, criteria: set[int] | None
) -> tuple[list[OutcomeSpec], set[int] | None]:
    specs, numbers = [], []

    def letter(value: Any, path: str, line: int) -> str | None:
        if not isinstance(value, str) or not _LETTER.match(value):
            c.report(path, line, f"{value!r} is not a Marmot objective letter, like A")
            return None
        return value

    fields = ("number", "title", "marmot_objectives", "tfu_criteria")
    for path, line, item in c.items(root, "", "outcomes"):
        m = c.fields(item, path, line, required=fields)
        if m is None:
            continue
        number = c.integer(m, path, "number")
        title = c.text(m, path, "title", max_length=10_000)
        marmot = _references(
            c,
            m,
            path,
            "marmot_objectives",
            known=letters,
            check=letter,
            section="marmot_objectives",
        )
        tfu = _references(
            c,
            m,
            path,
            "tfu_criteria",
            known=criteria,
            check=c.integer_value,
            section="tfu_criteria",
        )
        numbers.append((number, f"{path}.number", _line_of(m, "number")))
        if None not in (number, title, marmot, tfu):
            specs.append(OutcomeSpec(number, title, marmot, tfu, path=path, line=line))
    c.unique(numbers, "outcome number")
    return specs, _known(root, "outcomes", numbers)


def _closure_days(c: _Checker, root: _Map) -> list[ClosureDaySpec]:
    specs, dates = [], []
    for path, line, item in c.items(root, "", "closure_days", required=False):
        m = c.fields(item, path, line, required=("date", "reason"))
        if m is None:
            continue
        day = c.date(m, path, "date")
        reason = c.text(m, path, "reason", max_length=200)
        dates.append((day, f"{path}.date", _line_of(m, "date")))
        if day is not None and reason is not None:
            specs.append(ClosureDaySpec(day, reason, path=path, line=line))
    c.unique(dates, "closure date")
    return specs


def _outcomes_stars(
    c: _Checker, root: _Map, outcomes: set[int] | None
) -> list[OutcomesStarSpec] | None:
    """The optional Outcomes Star definitions (codes, names and scale only)."""
    if "outcomes_stars" not in root:
        return None
    specs, codes, defaults = [], [], []
    optional = ("is_default", "scale_min", "scale_max", "stages")
    for path, line, item in c.items(root, "", "outcomes_stars"):
        m = c.fields(item, path, line, required=("code", "name", "areas"), optional=optional)
        if m is None:
            continue
        before = len(c.problems)
        code = _slug(c, m, path)
        name = c.text(m, path, "name", max_length=120)
        is_default = c.boolean(m, path, "is_default", default=False)
        low = c.integer(m, path, "scale_min", minimum=0, required=False, default=1)
        high = c.integer(m, path, "scale_max", required=False, default=10)
        codes.append((code, f"{path}.code", _line_of(m, "code")))
        if is_default:
            defaults.append((f"{path}.is_default", _line_of(m, "is_default")))
        if low is not None and high is not None and high <= low:
            c.report(f"{path}.scale_max", _line_of(m, "scale_max"), "must be above scale_min")
            low = high = None
        stages = _star_stages(c, m, path, low, high)
        areas = _star_areas(c, m, path, outcomes)
        if len(c.problems) == before:
            specs.append(
                OutcomesStarSpec(
                    code,
                    name,
                    is_default,
                    low,
                    high,
                    stages,
                    areas,
                    path=path,
                    line=line,
                )
            )
    c.unique(codes, "Star code")
    for where, line in defaults[1:]:
        c.report(where, line, f"only one Star can be the default ({defaults[0][0]} is)")
    return specs


def _star_stages(
    c: _Checker, m: _Map, path: str, low: int | None, high: int | None
) -> tuple[StarStageSpec, ...]:
    stages: list[StarStageSpec] = []
    for stage_path, line, item in c.items(m, path, "stages", required=False):
        s = c.fields(item, stage_path, line, required=("from", "to", "name"))
        if s is None:
            continue
        start = c.integer(s, stage_path, "from", minimum=0)
        end = c.integer(s, stage_path, "to", minimum=0)
        name = c.text(s, stage_path, "name", max_length=120)
        if start is None or end is None or name is None:
            continue
        if end < start:
            c.report(f"{stage_path}.to", _line_of(s, "to"), "must not be below from")
        elif low is not None and high is not None and (start < low or end > high):
            c.report(stage_path, line, f"must lie within the scale, {low} to {high}")
        elif any(start <= other.high and other.low <= end for other in stages):
            c.report(stage_path, line, "overlaps an earlier stage")
        else:
            stages.append(StarStageSpec(start, end, name))
    return tuple(stages)


def _star_areas(
    c: _Checker, m: _Map, path: str, outcomes: set[int] | None
) -> tuple[StarAreaSpec, ...]:
    areas, codes = [], []
    for index, (area_path, line, item) in enumerate(c.items(m, path, "areas")):
        a = c.fields(item, area_path, line, required=("code", "name"), optional=("outcome",))
        if a is None:
            continue
        code = _slug(c, a, area_path)
        name = c.text(a, area_path, "name", max_length=120)
        outcome = c.integer(a, area_path, "outcome", required=False)
        codes.append((code, f"{area_path}.code", _line_of(a, "code")))
        if outcome is not None and outcomes is not None and outcome not in outcomes:
            c.report(
                f"{area_path}.outcome",
                _line_of(a, "outcome"),
                f"names outcome {outcome}, which is not in outcomes",
            )
        elif code is not None and name is not None:
            areas.append(StarAreaSpec(code, name, index, outcome, path=area_path, line=line))
    c.unique(codes, "area code")
    return tuple(areas)


def _check_assessment_type(
    c: _Checker, root: _Map, settings: SettingsSpec | None, case_types: list[CaseTypeSpec]
) -> None:
    """A case in assessment must count as one of the configured case types."""
    capacity = root.get("capacity")
    if settings is None or not isinstance(capacity, _Map) or not case_types:
        return
    codes = [t.code for t in case_types]
    if settings.assessment_counts_as not in codes:
        c.report(
            "capacity.assessment_counts_as",
            _line_of(capacity, "assessment_counts_as"),
            f"names case type {settings.assessment_counts_as!r}, which is not in case_types "
            f"({', '.join(codes)})",
        )


def _check(data: Any) -> Configuration:
    """Every section checked; ConfigurationError with all the problems if any."""
    if data is None:
        raise ConfigurationError([ConfigurationProblem("file", 1, "the file is empty")])
    c = _Checker()
    root = c.fields(data, "", 1, required=_SECTIONS_REQUIRED, optional=_SECTIONS_OPTIONAL)
    if root is None:
        raise ConfigurationError(c.problems)
    version = c.integer(root, "", "schema_version")
    if version is not None and version != SCHEMA_VERSION:
        c.report(
            "schema_version",
            _line_of(root, "schema_version"),
            f"is {version}; this version of EarlyHelp reads schema_version {SCHEMA_VERSION}",
        )
    settings = _settings(c, root)
    localities, locality_codes = _localities(c, root)
    districts = _districts(c, root, locality_codes)
    need_levels = _need_levels(c, root)
    case_types = _case_types(c, root)
    target_groups = _target_groups(c, root)
    group_codes = _known(root, "target_groups", [(g.code, g.path, g.line) for g in target_groups])
    specialisms = _specialisms(c, root, group_codes)
    _check_assessment_type(c, root, settings, case_types)
    marmot, letters = _marmot_objectives(c, root)
    tfu, numbers = _tfu_criteria(c, root)
    outcomes, outcome_numbers = _outcomes(c, root, letters, numbers)
    closure_days = _closure_days(c, root)
    stars = _outcomes_stars(c, root, outcome_numbers)
    if c.problems or settings is None:
        raise ConfigurationError(c.problems)
    return Configuration(
        schema_version=SCHEMA_VERSION,
        settings=settings,
        localities=tuple(localities),
        districts=tuple(districts),
        need_levels=tuple(need_levels),
        case_types=tuple(case_types),
        target_groups=tuple(target_groups),
        marmot_objectives=tuple(marmot),
        tfu_criteria=tuple(tfu),
        outcomes=tuple(outcomes),
        closure_days=tuple(closure_days),
        outcomes_stars=tuple(stars) if stars is not None else None,
        specialisms=tuple(specialisms) if specialisms is not None else None,
        section_lines=dict(root.key_lines),
    )


# ---------------------------------------------------------------- public


def parse_configuration(text: str) -> Configuration:
    """Parse and check a configuration's YAML text; ConfigurationError lists every problem."""
    return _check(_parse_yaml(text))


def read_configuration(path: str | Path) -> Configuration:
    """Read, parse and check a configuration file; ConfigurationError lists every problem."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigurationError([ConfigurationProblem("file", line, "is not UTF-8 text")]) from exc
    return parse_configuration(text)
