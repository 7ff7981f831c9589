"""With REDIS_URL, the cache is Redis and sessions are cached there while kept in the
database: every app process sees the same cache and the same sessions, and a Redis
restart or flush signs nobody out. Without it, sessions stay in the database."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX as SESSION_CACHE_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client

from earlyhelp.config import scaling
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_settings(settings, redis_url):
    env = {"REDIS_URL": redis_url}
    settings.CACHES = scaling.caches(env)
    settings.SESSION_ENGINE = scaling.session_engine(env)
    return settings


def test_cache_is_shared_through_redis(redis_settings, redis_server):
    cache = caches["default"]
    cache.set("figures", {"open_cases": 12}, 60)

    assert redis_server.keys("earlyhelp:*:figures")  # where another process would look
    assert caches.create_connection("default").get("figures") == {"open_cases": 12}


def test_signed_in_session_is_cached_in_redis_and_kept_in_the_database(
    redis_settings, redis_server
):
    user = UserFactory()
    client = Client()
    client.force_login(user)
    session_key = client.cookies["sessionid"].value

    assert redis_server.keys(f"*{SESSION_CACHE_PREFIX}{session_key}")
    assert Session.objects.filter(session_key=session_key).exists()
    # A second app process: a client of its own with the same cookie.
    other_process = Client()
    other_process.cookies["sessionid"] = session_key
    assert other_process.get("/").wsgi_request.user == user


def test_session_survives_a_redis_flush(redis_settings, redis_server):
    user = UserFactory()
    client = Client()
    client.force_login(user)

    redis_server.flushdb()
    response = client.get("/")

    assert response.wsgi_request.user == user


def test_without_redis_sessions_are_in_the_database_and_the_cache_is_per_process():
    assert scaling.session_engine({}) == "django.contrib.sessions.backends.db"
    assert scaling.caches({})["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )
