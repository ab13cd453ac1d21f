"""The results framework's operations and policies, called directly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.audit.models import AuditEntry
from core.errors import OperationError
from core.locking import AlreadyDone
from reporting.results import operations
from reporting.results.policies import can_manage_results, can_view_results
from reporting.results.states import IndicatorKind, ResultLevel


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",))


@pytest.fixture
def output(staff):
    outcome = operations.create_result(staff, level="outcome", code="1",
                                       title="Reforms co-created",
                                       translations={"es": {"title": "Reformas co-creadas"}})
    return operations.create_result(staff, level="output", parent=outcome, code="1.1",
                                    title="CSOs trained")


def _actions(session):
    return [entry.action for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_outcomes_and_outputs_are_written_with_their_translations(db_session, output):
    outcome = output.parent
    assert outcome.level == ResultLevel.outcome and output.level == ResultLevel.output
    assert outcome.text_in("title", "es") == "Reformas co-creadas"
    assert outcome.outputs == [output]
    assert _actions(db_session)[-2:] == ["results.outcome.create", "results.output.create"]


def test_an_output_belongs_to_an_outcome(staff, output):
    with pytest.raises(OperationError):
        operations.create_result(staff, level="output", title="Orphan")
    with pytest.raises(OperationError):
        operations.create_result(staff, level="output", parent=output, title="Under an output")
    with pytest.raises(OperationError) as error:
        operations.create_result(staff, level="outcome", title="  ")
    assert error.value.field == "title"


def test_the_same_result_twice_is_already_done(staff, output):
    with pytest.raises(AlreadyDone):
        operations.create_result(staff, level="output", parent=output.parent, code="1.1",
                                 title="CSOs trained")


def test_a_computed_indicator_keeps_the_breakdowns_its_measure_has(db_session, staff, output):
    indicator = operations.create_indicator(
        output, staff, code="1.1c", title="Organisations engaged", unit="organisations",
        kind="computed", measure="organisations_engaged", disaggregation=["sex", "sector"],
        baseline="0")
    assert indicator.kind == IndicatorKind.computed
    assert indicator.disaggregation == ["sector"]
    changes = operations.update_indicator(indicator, staff, baseline="12.5")
    assert changes == {"baseline": ["0.00", "12.50"]}
    assert operations.update_indicator(indicator, staff, baseline="12.50") == {}
    assert _actions(db_session)[-1] == "results.indicator.update"


def test_indicator_rules(staff, output):
    cases = [
        ({"kind": "computed", "measure": "nothing"}, "measure"),
        ({"kind": "computed", "measure": None}, "measure"),
        ({"kind": "sometimes"}, "kind"),
        ({"kind": "computed", "measure": "amount_disbursed", "unit": "dollars"}, "unit"),
        ({"kind": "manual", "baseline": "-1"}, "baseline"),
        ({"kind": "manual", "baseline": "1.234"}, "baseline"),
        ({"kind": "manual", "baseline": "lots"}, "baseline"),
        ({"kind": "manual", "disaggregation": ["colour"]}, "disaggregation"),
    ]
    for fields, field in cases:
        with pytest.raises(OperationError) as error:
            operations.create_indicator(output, staff, title="Anything", **fields)
        assert error.value.field == field, fields
    money = operations.create_indicator(output, staff, title="Disbursed", kind="computed",
                                        measure="amount_disbursed", unit="usd")
    assert money.unit == "USD"


def test_targets_and_actuals_one_per_period(db_session, staff, output):
    indicator = operations.create_indicator(output, staff, title="Requests answered",
                                            unit="%", kind="manual", sums_actuals=False)
    target, changed = operations.set_target(indicator, staff, starts_on=date(2019, 1, 1),
                                            ends_on=date(2019, 12, 31), value="60")
    assert changed and target.value == Decimal("60.00")
    again, changed = operations.set_target(indicator, staff, starts_on=date(2019, 1, 1),
                                           ends_on=date(2019, 12, 31), value="60.00")
    assert again is target and not changed
    _, changed = operations.set_target(indicator, staff, starts_on=date(2019, 1, 1),
                                       ends_on=date(2019, 12, 31), value="65")
    assert changed and target.value == Decimal("65.00")
    with pytest.raises(OperationError) as error:
        operations.set_target(indicator, staff, starts_on=date(2019, 12, 31),
                              ends_on=date(2019, 1, 1), value="1")
    assert error.value.field == "ends_on"
    actual, _ = operations.set_actual(indicator, staff, starts_on=date(2019, 1, 1),
                                      ends_on=date(2019, 12, 31), value="55",
                                      source="Annual report")
    assert indicator.actuals == [actual]
    operations.remove_actual(actual, staff)
    operations.remove_target(target, staff)
    db_session.expire_all()
    assert indicator.targets == [] and indicator.actuals == []
    assert _actions(db_session)[-2:] == ["results.actual.remove", "results.target.remove"]


def test_a_computed_indicator_takes_no_typed_actuals(staff, output):
    indicator = operations.create_indicator(output, staff, title="Events", kind="computed",
                                            measure="events_held")
    with pytest.raises(OperationError):
        operations.set_actual(indicator, staff, starts_on=date(2019, 1, 1),
                              ends_on=date(2019, 12, 31), value="3")


@pytest.mark.parametrize(("role", "reads", "writes"), [
    ("staff", True, True), ("admin", True, True), ("donor", True, False),
    ("finance", True, False), ("applicant", False, False), ("reviewer", False, False)])
def test_policies(factories, role, reads, writes):
    user = factories.user(roles=(role,))
    assert can_view_results(user)[0] is reads
    assert can_manage_results(user)[0] is writes
