"""Template tags for GOV.UK Frontend components.

``{% error_summary form %}`` shows GOV.UK's error summary of a page's forms (one or
more), each error linking to its field's first input; a form's non-field error links to
its first field. A view that orders the items itself puts them in the context as
``error_summary`` and includes components/error_summary.html instead."""

from __future__ import annotations

from django import template

from earlyhelp.core.forms import error_summary_items

register = template.Library()


@register.inclusion_tag("components/error_summary.html")
def error_summary(*forms) -> dict[str, list[dict[str, str]]]:
    """The error summary of the given forms, in the order given."""
    return {"error_summary": error_summary_items(*forms)}
