"""Page-number pagination shared by the web lists and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from ninja import Schema

T = TypeVar("T")
PAGE_SIZE = 50


class Page(Schema, Generic[T]):
    count: int
    page: int
    pages: int
    items: list[T]


def paginate(queryset: QuerySet, page: int, to_item: Callable, per_page: int = PAGE_SIZE) -> dict:
    """One page of a queryset as ``{count, page, pages, items}``."""
    paginator = Paginator(queryset, per_page)
    try:
        current = paginator.page(page)
    except EmptyPage:
        current = paginator.page(paginator.num_pages)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": [to_item(obj) for obj in current.object_list],
    }
