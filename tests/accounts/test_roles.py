"""Roles are groups: after migrate there is one group per role holding exactly the
permissions ROLE_PERMISSIONS gives it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from earlyhelp.accounts.roles import ROLE_PERMISSIONS, Role
from earlyhelp.accounts.services import sync_role_groups


def _group_permissions(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_every_role_has_its_permissions_listed():
    assert set(ROLE_PERMISSIONS) == set(Role)


@pytest.mark.django_db
def test_every_permission_named_in_role_permissions_exists():
    existing = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
    named = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}

    assert named - existing == set()


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_after_migrate_each_role_is_one_group_with_exactly_its_permissions(role):
    group = Group.objects.get(name=role.value)

    assert _group_permissions(group) == set(ROLE_PERMISSIONS[role])


@pytest.mark.django_db
def test_syncing_role_groups_again_changes_nothing_and_undoes_hand_edits():
    key_workers = Group.objects.get(name=Role.KEY_WORKER.value)
    key_workers.permissions.add(Permission.objects.get(codename="change_family"))
    count = Group.objects.count()

    sync_role_groups()
    sync_role_groups()

    assert Group.objects.count() == count
    assert _group_permissions(key_workers) == set(ROLE_PERMISSIONS[Role.KEY_WORKER])
