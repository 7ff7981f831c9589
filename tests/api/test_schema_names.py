"""The OpenAPI document names each request and response schema once: two schema classes
with one name would share a component, and one operation would describe the other's
body (and the fuzz test would send it)."""

from __future__ import annotations

import collections
import importlib
import inspect
import pkgutil

from pydantic import BaseModel

import earlyhelp
from earlyhelp.core.api import api


def _api_schema_classes() -> dict[str, list[str]]:
    names: dict[str, list[str]] = collections.defaultdict(list)
    for module_info in pkgutil.walk_packages(earlyhelp.__path__, "earlyhelp."):
        if not module_info.name.rsplit(".", 1)[-1].startswith("api"):
            continue
        module = importlib.import_module(module_info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseModel) and cls.__module__ == module.__name__:
                names[name].append(module.__name__)
    return names


def test_no_two_api_schema_classes_share_a_name():
    names = _api_schema_classes()

    assert len(names) > 50
    assert {name: modules for name, modules in names.items() if len(modules) > 1} == {}


def test_each_operation_documents_its_own_request_body():
    components = api.get_openapi_schema(path_prefix="/api/v1/")["components"]["schemas"]

    assert set(components["TalkzoneContactIn"]["properties"]) >= {"channel", "topic_code"}
    assert "channel" not in components["ContactIn"]["properties"]
