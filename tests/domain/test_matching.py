import datetime as dt

from earlyhelp.domain.matching import Candidate, name_similarity, rank_matches

DOB = dt.date(2015, 3, 9)


def candidate(pk, first, last, dob=DOB, postcode="PR1 2AB"):
    return Candidate(pk, first, last, dob, postcode)


def test_names_compare_without_case_accents_or_punctuation():
    assert name_similarity("Zoë O'Neill", "zoe oneill") == 1.0
    assert name_similarity("Jon", "John") > 0.8
    assert name_similarity("", "John") == 0.0


def test_same_name_and_date_of_birth_ranks_first_with_reasons():
    matches = rank_matches(
        first_name="Jon",
        last_name="Smith",
        date_of_birth=DOB,
        postcode="PR1 2AB",
        candidates=[
            candidate(1, "Mary", "Jones", dt.date(1980, 1, 1), "BB1 1AA"),
            candidate(2, "John", "Smith"),
            candidate(3, "Jon", "Smyth", DOB, "LA1 1AA"),
        ],
    )
    assert [m.candidate.person_id for m in matches] == [2, 3]
    assert "same date of birth" in matches[0].reasons
    assert "same postcode" in matches[0].reasons


def test_day_and_month_swapped_is_offered_as_a_possible_match():
    matches = rank_matches(
        first_name="Amy",
        last_name="Khan",
        date_of_birth=dt.date(2015, 9, 3),
        postcode="",
        candidates=[candidate(7, "Amy", "Khan", DOB, "")],
    )
    assert matches
    assert "date of birth with day and month swapped" in matches[0].reasons


def test_someone_unrelated_is_not_offered():
    matches = rank_matches(
        first_name="Amy",
        last_name="Khan",
        date_of_birth=DOB,
        postcode="",
        candidates=[candidate(8, "Peter", "Walsh", dt.date(1970, 1, 1), "FY8 1AA")],
    )
    assert matches == []
