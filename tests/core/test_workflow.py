"""Workflows keyed by transition name: checks, refusals, buttons and audit actions."""

import enum
from types import SimpleNamespace

import pytest

from core.errors import OperationError
from core.workflow import Transition, Workflow


class Light(enum.StrEnum):
    off = "off"
    on = "on"
    paused = "paused"
    broken = "broken"


def _has_bulb(lamp):
    return lamp.bulb, "Fit a bulb first."


def _electrician(user, lamp):
    return user == "electrician", "Only an electrician may do that."


LAMP = Workflow("lamp", [
    Transition("switch_on", Light.off, Light.on, guard=_has_bulb),
    Transition("pause", Light.on, Light.paused),
    Transition("resume", Light.paused, Light.on, audit="lamp.resumed"),
    Transition("break", [Light.off, Light.on, Light.paused], Light.broken, who=_electrician),
])


def _lamp(state, bulb=True):
    return SimpleNamespace(state=state, bulb=bulb)


def test_a_transition_is_found_by_name_from_its_source_states():
    assert LAMP.check(_lamp(Light.off), "switch_on", "anyone").target is Light.on
    assert LAMP.check(_lamp(Light.paused), "resume", "anyone").name == "resume"
    for state in (Light.off, Light.on, Light.paused):
        assert LAMP.check(_lamp(state), "break", "electrician").target is Light.broken


def test_two_transitions_to_the_same_state_are_told_apart_by_name():
    with pytest.raises(OperationError, match="while it is"):
        LAMP.check(_lamp(Light.off), "resume", "anyone")
    with pytest.raises(OperationError, match="while it is"):
        LAMP.check(_lamp(Light.paused), "switch_on", "anyone")


def test_guard_and_who_give_their_reasons():
    with pytest.raises(OperationError, match="Fit a bulb first"):
        LAMP.check(_lamp(Light.off, bulb=False), "switch_on", "anyone")
    with pytest.raises(OperationError, match="Only an electrician"):
        LAMP.check(_lamp(Light.on), "break", "visitor")


def test_a_target_state_finds_the_transition_reaching_it():
    assert LAMP.check(_lamp(Light.paused), Light.on, "anyone").name == "resume"
    assert LAMP.check(_lamp(Light.off), Light.on, "anyone").name == "switch_on"
    with pytest.raises(OperationError):
        LAMP.check(_lamp(Light.broken), Light.on, "anyone")


def test_the_state_can_be_given_when_there_is_no_object_yet():
    assert LAMP.check(None, "pause", state=Light.on).name == "pause"
    with pytest.raises(OperationError):
        LAMP.check(None, "pause", state=Light.off)


def test_an_unknown_name_is_a_programming_error():
    with pytest.raises(KeyError):
        LAMP.check(_lamp(Light.off), "explode", "anyone")


def test_the_refusal_can_be_worded_per_workflow():
    worded = Workflow("lamp", LAMP.transitions, refusal=lambda lamp: f"The lamp is {lamp.state}.")
    with pytest.raises(OperationError, match="The lamp is broken"):
        worded.check(_lamp(Light.broken), "pause", "anyone")


def test_a_transition_can_word_its_own_refusal():
    worded = Workflow("lamp", [Transition("fix", Light.broken, Light.off,
                                          refusal=lambda lamp: "Only a broken lamp is fixed.")])
    with pytest.raises(OperationError, match="Only a broken lamp is fixed"):
        worded.check(_lamp(Light.on), "fix", "anyone")


def test_audit_actions_default_to_the_workflow_and_transition_names():
    assert LAMP["pause"].audit == "lamp.pause"
    assert LAMP["resume"].audit == "lamp.resumed"
    assert LAMP["pause"].action == "pause"


def test_available_lists_what_the_user_may_trigger_from_the_state():
    assert [t.name for t in LAMP.available(_lamp(Light.on), "visitor")] == ["pause"]
    assert [t.name for t in LAMP.available(_lamp(Light.on), "electrician")] == ["pause",
                                                                               "break"]


def test_the_table_reads_as_moves_between_states():
    pairs = LAMP.pairs()
    assert pairs[(Light.paused, Light.on)] == "resume"
    assert pairs[(Light.off, Light.on)] == "switch_on"
    assert (Light.broken, Light.on) not in pairs
    assert LAMP.targets_from(Light.on) == {Light.paused, Light.broken}
    assert LAMP.allows(Light.paused, "resume") and not LAMP.allows(Light.off, "resume")


def test_names_are_unique():
    with pytest.raises(ValueError, match="unique"):
        Workflow("twice", [Transition("go", Light.off, Light.on),
                           Transition("go", Light.on, Light.off)])
