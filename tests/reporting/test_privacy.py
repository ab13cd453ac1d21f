"""reporting.privacy: every released combination is shared by at least k rows, no row is
lost, generalisation is minimal in the ladder's order, pseudonyms are fresh, and small cells
cannot be recovered from the total."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporting import privacy

ORGANISATIONS = {"Ministry of Finance": "government", "Ministry of Health": "government",
                 "Open Data Belize": "civil_society", "Youth Voice": "civil_society",
                 "University of Belize": "academic", "Channel 5": "media", None: None}
COUNTRIES = ["BZ", "BZ", "BZ", "GT", "MX", "JM", "US", "CO", "GB", "ES", "NG", "", None]

record = st.builds(
    lambda organisation, sex, age, country, expert, events: {
        "organisation": organisation, "sector": ORGANISATIONS[organisation], "sex": sex,
        "age": age, "country": country, "expert": expert, "events": events},
    st.sampled_from(sorted(ORGANISATIONS, key=str)),
    st.sampled_from(["female", "male", "other", "undisclosed", None]),
    st.sampled_from(["under_30", "30_and_over", "not_recorded"]),
    st.sampled_from(COUNTRIES), st.booleans(), st.integers(1, 9))


def released(row) -> tuple:
    return tuple(row[field] for field in privacy.QUASI_IDENTIFIERS)


def is_suppressed(row) -> bool:
    return all(row[field] == privacy.SUPPRESSED for field in privacy.QUASI_IDENTIFIERS)


@settings(max_examples=150, deadline=None)
@given(st.lists(record, max_size=120), st.integers(1, 7))
def test_every_released_combination_is_shared_by_k_rows_and_no_row_is_lost(records, k):
    release = privacy.anonymise(records, k=k)
    assert len(release.rows) == len(records)
    assert [row["events"] for row in release.rows] == [row["events"] for row in records]
    shown = Counter(released(row) for row in release.rows if not is_suppressed(row))
    assert all(size >= k for size in shown.values())
    assert release.suppressed == sum(1 for row in release.rows if is_suppressed(row))


@settings(max_examples=150, deadline=None)
@given(st.lists(record, max_size=120), st.integers(2, 7))
def test_generalisation_is_minimal_in_the_ladders_order(records, k):
    release = privacy.anonymise(records, k=k)
    limit = privacy.allowance(len(records), k)
    # Every earlier step would have suppressed more than the allowance...
    assert all(risky > limit for risky in release.at_risk[:-1])
    # ...and the step applied keeps to it, unless it is the last one.
    assert release.suppressed <= limit or release.step == len(privacy.LADDER) - 1
    assert release.levels == privacy.LADDER[release.step]


@settings(max_examples=50, deadline=None)
@given(st.lists(record, max_size=60))
def test_the_result_depends_only_on_the_records(records):
    assert privacy.anonymise(records) == privacy.anonymise([dict(r) for r in records])


def test_a_table_already_k_anonymous_is_released_as_it_is():
    records = [{"organisation": "Ministry of Finance", "sector": "government", "sex": "female",
                "age": "30_and_over", "country": "BZ", "expert": False}] * 5
    release = privacy.anonymise(records)
    assert release.step == 0 and release.suppressed == 0
    assert release.rows == records


def test_an_organisation_of_one_person_is_generalised_to_its_sector():
    base = {"sector": "government", "sex": "female", "age": "30_and_over", "country": "BZ",
            "expert": False}
    records = [{**base, "organisation": f"Ministry {n}"} for n in range(6)]
    release = privacy.anonymise(records)
    assert release.step == 1 and release.suppressed == 0
    assert {row["organisation"] for row in release.rows} == {"government"}


def test_a_few_rows_are_suppressed_rather_than_generalising_every_row():
    base = {"organisation": "Ministry of Finance", "sector": "government",
            "age": "30_and_over", "country": "BZ", "expert": False}
    records = [{**base, "sex": "female"}] * 40 + [{**base, "sex": "male"}] * 3
    release = privacy.anonymise(records)
    assert release.step == 0 and release.suppressed == 3
    assert all(is_suppressed(row) for row in release.rows[40:])
    assert release.rows[:40] == records[:40]


def test_what_no_step_can_hide_is_suppressed_whole():
    base = {"organisation": None, "sector": None, "age": "30_and_over", "country": "BZ",
            "expert": False}
    records = ([{**base, "sex": "female"}] * 40
               + [{**base, "sex": sex} for sex in ("male", "other", "undisclosed", None)] * 2)
    release = privacy.anonymise(records)
    assert release.step == len(privacy.LADDER) - 1 and release.suppressed == 8
    assert all(is_suppressed(row) for row in release.rows[40:])


@pytest.mark.parametrize("code, region", [
    ("BZ", privacy.HOME), ("gt", privacy.CENTRAL_AMERICA), ("MX", privacy.CENTRAL_AMERICA),
    ("JM", privacy.CARIBBEAN), ("US", privacy.REST_OF_AMERICAS),
    ("CL", privacy.REST_OF_AMERICAS), ("ES", privacy.EUROPE), ("NG", privacy.OTHER),
    (None, privacy.OTHER)])
def test_regions(code, region):
    assert privacy.region(code, "BZ") == region


def test_pseudonyms_are_distinct_and_fresh():
    first, second = privacy.pseudonyms(500), privacy.pseudonyms(500)
    assert len(set(first)) == 500 and not set(first) & set(second)
    assert all(label.startswith("P-") and len(label) == 10 for label in first)


@pytest.mark.parametrize("counts, shown", [
    ([("a", 10), ("b", 8), ("c", 0)], [10, 8, 0]),
    # One small cell: the smallest other one goes too, so that the total does not give it.
    ([("a", 10), ("b", 3), ("c", 7)], [10, None, None]),
    ([("a", 10), ("b", 3), ("c", 0)], [10, None, None]),
    ([("a", 2), ("b", 3), ("c", 9)], [None, None, 9]),
    ([("a", 4)], [None]),
    ([], []),
])
def test_small_cells_are_suppressed_with_a_complement(counts, shown):
    assert [cell.value for cell in privacy.suppress_cells(counts)] == shown


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 30), max_size=8), st.integers(2, 7))
def test_no_small_cell_is_shown_nor_alone(numbers, k):
    cells = privacy.suppress_cells(list(enumerate(numbers)), k)
    assert all(cell.value is None or cell.value == 0 or cell.value >= k for cell in cells)
    hidden = [cell for cell in cells if cell.is_suppressed]
    assert len(hidden) != 1 or len(cells) == 1
