"""A day's mix of staff work against the web pages, for ``benchmarks/load/run.py``.

    locust -f benchmarks/load/locustfile.py --headless -u 150 -r 10 -t 10m \\
        --host http://127.0.0.1:8100

Run by ``run.py``, which builds the database and writes the accounts file this reads
(``LOAD_ACCOUNTS``: JSON, one entry per staff account with its own cases, teams and
people to search for). Each simulated user signs in through the sign-in form as a
different real staff account, then works through the pages a key worker or a team
manager uses all day, in the weights below, pausing between clicks as a person does.

Every write (a contact or a review, posted through the web form with its CSRF token)
that the service accepted is counted; at the end the counts are written to
``LOAD_COUNTS`` so the runner can compare them with the rows the database gained.
Only locust imports this file: it must not be imported by Django code or tests.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
from collections import Counter
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

LONDON = ZoneInfo("Europe/London")
SIGN_IN = "/account/sign-in/"
SEARCH = "/families/people/search/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PROGRESS = re.compile(r'name="(progress_\d+)"')
SCORES = re.compile(r'name="(scores_[\w-]+)"')
STAR_DUE = "This is the 12-week review"
# Contact types a worker records most (ContactType's values).
CONTACT_TYPES = ("home_visit", "home_visit", "phone", "phone", "video", "centre")
# Seconds a person spends on a page before the next click.
THINK_TIME = (
    float(os.environ.get("LOAD_THINK_MIN", "5")),
    float(os.environ.get("LOAD_THINK_MAX", "15")),
)

with open(os.environ.get("LOAD_ACCOUNTS", "var/load/accounts.json")) as accounts_file:
    ACCOUNTS = json.load(accounts_file)
PASSWORD = ACCOUNTS["password"]
UNUSED = {
    "key_worker": list(ACCOUNTS["key_workers"]),
    "manager": list(ACCOUNTS["managers"]),
}
# What the service accepted, by kind, and what it refused; written out at the end.
COUNTS: Counter[str] = Counter()
UPSTREAMS: Counter[str] = Counter()


@events.test_stop.add_listener
def _write_counts(**_kwargs) -> None:
    path = os.environ.get("LOAD_COUNTS")
    if path:
        with open(path, "w") as out:
            json.dump({"counts": dict(COUNTS), "upstreams": dict(UPSTREAMS)}, out, indent=2)


class Staff(FastHttpUser):
    """Signs in as its own account; subclasses say which kind and what work they do."""

    abstract = True
    kind = ""
    wait_time = between(*THINK_TIME)
    # As patient as a browser behind nginx (whose proxy_read_timeout is 120 s).
    network_timeout = 120.0
    connection_timeout = 60.0

    def on_start(self) -> None:
        if not UNUSED[self.kind]:
            COUNTS[f"{self.kind}: no account left"] += 1
            raise StopUser()
        self.account = UNUSED[self.kind].pop()
        self._sign_in()

    def _get(self, path: str, name: str, *, expect: str | None = None):
        """A page as a browser asks for it; a failure unless 200 (and `expect` shows)."""
        with self.client.get(path, name=name, catch_response=True) as response:
            self._note(response)
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {path}")
            elif expect and expect not in (response.text or ""):
                response.failure(f"{path} did not show {expect!r}")
            return response

    def _note(self, response) -> None:
        headers = response.headers or {}
        UPSTREAMS[headers.get("X-Upstream", "none")] += 1

    def _token(self, html: str | None) -> str | None:
        found = CSRF.search(html or "")
        return found.group(1) if found else None

    def _sign_in(self) -> None:
        form = self._get(SIGN_IN, "sign in (form)")
        token = self._token(form.text)
        with self.client.post(
            SIGN_IN,
            data={
                "csrfmiddlewaretoken": token or "",
                "username": self.account["email"],
                "password": PASSWORD,
            },
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self._note(response)
            where = (response.headers or {}).get("Location", "")
            if response.status_code != 302 or SIGN_IN in where:
                response.failure(f"sign-in as {self.account['email']}: {response.status_code}")
                COUNTS["sign-in refused"] += 1
                raise StopUser()
            COUNTS["signed in"] += 1

    def _post_form(self, path: str, data: dict, name: str, *, kind: str, expect_to: str) -> bool:
        """Post a form; success is the redirect to `expect_to`, which is then followed."""
        with self.client.post(
            path, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            self._note(response)
            where = (response.headers or {}).get("Location", "")
            if response.status_code == 302 and where.endswith(expect_to):
                COUNTS[kind] += 1
            elif response.status_code == 409:
                # The service refused a step the case's stage no longer allows: not an
                # error of the service, but no write either.
                COUNTS[f"{kind}: conflict (409)"] += 1
                response.success()
                return False
            else:
                COUNTS[f"{kind}: refused"] += 1
                response.failure(f"{response.status_code} posting {path}")
                return False
        self._get(expect_to.split("#")[0], "case page (after saving)")
        return True

    def _search(self) -> None:
        person = random.choice(self.account["people"])
        if random.random() < 0.5:
            born = dt.date.fromisoformat(person["born"])
            query = {
                "name": person["name"],
                "date_of_birth_day": born.day,
                "date_of_birth_month": born.month,
                "date_of_birth_year": born.year,
            }
            self._get(f"{SEARCH}?{urlencode(query)}", "person search (name, date of birth)")
        else:
            # A close spelling: the last letter doubled.
            self._get(
                f"{SEARCH}?{urlencode({'name': person['name'] + person['name'][-1]})}",
                "person search (close spelling)",
            )


class KeyWorker(Staff):
    """A key worker or senior practitioner with a caseload of their own."""

    kind = "key_worker"
    weight = 1

    @task(4)
    def caseload(self) -> None:
        self._get("/cases/", "my caseload")

    @task(6)
    def case_page(self) -> None:
        case = random.choice(self.account["cases"])
        self._get(f"/cases/{case}/", "case page")

    @task(3)
    def record_contact(self) -> None:
        case = random.choice(self.account["cases"])
        path = f"/cases/{case}/contacts/new/"
        token = self._token(self._get(path, "record a contact (form)").text)
        if token is None:
            return
        when = dt.datetime.now(LONDON) - dt.timedelta(minutes=random.randint(15, 240))
        self._post_form(
            path,
            {
                "csrfmiddlewaretoken": token,
                "occurred_on_day": when.day,
                "occurred_on_month": when.month,
                "occurred_on_year": when.year,
                "occurred_at_time": f"{when:%H:%M}",
                "contact_type": random.choice(CONTACT_TYPES),
                "duration_minutes": random.choice((20, 45, 60, 90)),
                "notes": "Load test: talked through the week and the plan's next steps.",
            },
            "record a contact",
            kind="contacts",
            expect_to=f"/cases/{case}/#contacts",
        )

    @task(1)
    def record_review(self) -> None:
        if not self.account["review_cases"]:
            return
        case = random.choice(self.account["review_cases"])
        path = f"/cases/{case}/reviews/new/"
        html = self._get(path, "record a review (form)").text or ""
        token = self._token(html)
        if token is None:
            return
        today = dt.datetime.now(LONDON).date()
        data = {
            "csrfmiddlewaretoken": token,
            "held_on_day": today.day,
            "held_on_month": today.month,
            "held_on_year": today.year,
            "summary": "Load test: the family is engaging and the actions are moving on.",
            "outcome": "continue",
        }
        for field in dict.fromkeys(PROGRESS.findall(html)):
            data[field] = random.choice(("in_progress", "achieved"))
        if STAR_DUE in html:
            for field in dict.fromkeys(SCORES.findall(html)):
                data[field] = random.randint(4, 8)
        self._post_form(path, data, "record a review", kind="reviews", expect_to=f"/cases/{case}/")

    @task(2)
    def task_list(self) -> None:
        self._get("/tasks/", "task list")

    @task(1)
    def queue(self) -> None:
        self._get("/requests/", "RfS queue")

    @task(2)
    def search(self) -> None:
        self._search()


class Manager(Staff):
    """An operations and delivery leader or a locality manager: the queue and the team."""

    kind = "manager"
    fixed_count = int(os.environ.get("LOAD_MANAGERS", "0")) or len(ACCOUNTS["managers"])

    @task(5)
    def queue(self) -> None:
        self._get("/requests/", "RfS queue")

    @task(3)
    def team(self) -> None:
        team = random.choice(self.account["teams"])
        self._get(f"/workforce/teams/{team}/", "team view")

    @task(2)
    def case_page(self) -> None:
        case = random.choice(self.account["cases"])
        self._get(f"/cases/{case}/", "case page")

    @task(1)
    def task_list(self) -> None:
        self._get("/tasks/", "task list")

    @task(1)
    def search(self) -> None:
        self._search()
