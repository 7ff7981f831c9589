import datetime as dt

from earlyhelp.domain.consent import (
    ConsentGiven,
    Member,
    Purpose,
    age_on,
    consent_problems,
    gives_own_consent,
)

TODAY = dt.date(2026, 11, 24)
PARENT = Member("p", "Sam Parent", dt.date(1990, 1, 1), is_parent_or_carer=True)
CHILD = Member("c", "Ali Child", dt.date(2018, 5, 1), is_parent_or_carer=False)
TEEN = Member("t", "Jo Teen", dt.date(2012, 11, 24), is_parent_or_carer=False)  # 14 today


def share(member, by, given=True):
    return ConsentGiven(member.key, Purpose.SHARE_INFORMATION, given, by.key)


def test_age_counts_whole_years_turning_on_the_birthday():
    assert age_on(dt.date(2013, 11, 24), TODAY) == 13
    assert age_on(dt.date(2013, 11, 25), TODAY) == 12


def test_a_young_person_of_13_decides_their_own_consent():
    assert gives_own_consent(dt.date(2013, 11, 24), TODAY)
    assert not gives_own_consent(dt.date(2013, 11, 25), TODAY)


def test_parent_consent_for_a_younger_child_and_own_for_adults_is_enough():
    records = [share(PARENT, PARENT), share(CHILD, PARENT)]
    assert consent_problems([PARENT, CHILD], records, TODAY) == []


def test_missing_consent_is_a_problem_naming_the_member():
    problems = consent_problems([PARENT, CHILD], [share(PARENT, PARENT)], TODAY)
    assert [p.member_key for p in problems] == ["c"]
    assert "No consent" in problems[0].message


def test_a_parent_cannot_consent_for_a_young_person_of_13_or_over():
    problems = consent_problems([PARENT, TEEN], [share(PARENT, PARENT), share(TEEN, PARENT)], TODAY)
    assert [p.member_key for p in problems] == ["t"]
    assert "own consent" in problems[0].message


def test_a_child_cannot_consent_for_a_younger_child():
    problems = consent_problems(
        [PARENT, TEEN, CHILD],
        [share(PARENT, PARENT), share(TEEN, TEEN), share(CHILD, TEEN)],
        TODAY,
    )
    assert [p.member_key for p in problems] == ["c"]
    assert "parent or carer" in problems[0].message


def test_refusal_is_a_problem_and_the_latest_record_wins():
    refused = consent_problems([TEEN], [share(TEEN, TEEN, given=False)], TODAY)
    assert "refused" in refused[0].message
    later_given = [share(TEEN, TEEN, given=False), share(TEEN, TEEN, given=True)]
    assert consent_problems([TEEN], later_given, TODAY) == []
