"""A service rule refusing a whole page is a page saying why, not a server error."""

from __future__ import annotations

import pytest

from earlyhelp.accounts.roles import Role
from tests.factories import make_staff


@pytest.mark.django_db
def test_a_page_refused_by_a_rule_says_why_with_the_rules_status(client):
    # No outreach lists loaded: Talkzone's opening hours are not configured.
    client.force_login(make_staff(Role.HEAD_OF_SERVICE))

    response = client.get("/talkzone/rota/")

    assert response.status_code == 409
    page = response.content.decode()
    assert "Not configured yet" in page
    assert "load_outreach_lists" in page
    assert 'class="govuk-heading-l"' in page
