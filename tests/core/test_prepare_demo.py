from io import StringIO

import pytest
from django.core.management import call_command

from earlyhelp.accounts.models import User
from earlyhelp.cases.models import Case
from earlyhelp.people.models import Family
from earlyhelp.referrals.models import RequestForSupport


@pytest.mark.django_db
def test_prepare_demo_loads_once_and_always_prints_the_sign_ins():
    out = StringIO()
    call_command("prepare_demo", families=6, staff=40, seed=1, stdout=out)
    assert "key-worker@demo.earlyhelp.test" in out.getvalue()
    families = Family.objects.count()
    assert families == 6
    assert RequestForSupport.objects.count() == families
    assert Case.objects.exists()
    users = User.objects.count()

    again = StringIO()
    call_command("prepare_demo", families=6, staff=40, seed=1, stdout=again)
    assert "key-worker@demo.earlyhelp.test" in again.getvalue()
    assert Family.objects.count() == families
    assert User.objects.count() == users
