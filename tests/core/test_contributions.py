"""core.contributions: a later package answers an earlier one by name."""

from __future__ import annotations

import pytest

from core import contributions


@pytest.fixture
def clean_name():
    name = "test.answer"
    yield name
    contributions._providers.pop(name, None)


def test_the_provider_answers_with_the_arguments(clean_name):
    @contributions.provide(clean_name)
    def answer(a, *, b):
        return (a, b)

    assert contributions.ask(clean_name, 1, b=2) == (1, 2)


def test_asking_for_a_name_nobody_provides_is_an_error():
    with pytest.raises(LookupError, match="nothing.here"):
        contributions.ask("nothing.here")


def test_a_second_provider_for_a_name_is_refused(clean_name):
    contributions.provide(clean_name)(lambda: 1)
    with pytest.raises(RuntimeError, match="already provided"):
        contributions.provide(clean_name)(len)


def test_the_grants_pipeline_registers_its_answers():
    import grants  # noqa: F401  (its __init__ imports the providers)

    assert {"call.has_submissions", "application.award", "application.request_endorsement",
            "application.can_decide", "award.money", "award.reports"} <= set(
        contributions._providers)
