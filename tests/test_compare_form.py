"""The Compare tab's form, typed (compare/form.py): read into the `/compare` request it stands for, or refused
naming each field, the same way the named API's request is then read."""

import pytest

from playground.compare.form import CompareForm
from playground.errors import InputError

from conftest import LITE_T2V, PRO_T2V

TWO = [LITE_T2V, PRO_T2V]


def test_a_filled_in_form_is_the_request_the_api_would_take(playground):
    form = CompareForm("text-to-video", TWO, "a kite\nat {dusk|dawn}", "7, 42;9", {"resolution": "480p"},
                       '{"%s": {"duration": "3"}}' % PRO_T2V, confirm=True, reuse=True, extend="0123456789ab")
    request = playground.comparisons.request_for(form)
    assert request == {"prompts": "a kite\nat {dusk|dawn}", "endpoints": TWO, "seeds": [7, 42, 9],
                       "arguments": {**request["arguments"], "resolution": "480p"},
                       "overrides": {PRO_T2V: {"duration": "3"}}, "confirm": True, "reuse": True,
                       "extend": "0123456789ab"}
    assert "extend" not in playground.comparisons.request_for(CompareForm("text-to-video", TWO, "x", "7"))
    # the fields in the tab's order also build it (callers that do not make a CompareForm)
    assert playground.comparisons.spec_from_form("text-to-video", TWO, "x", "7", {}, "", False) == \
        playground.comparisons.request_for(CompareForm("text-to-video", TWO, "x", "7"))


@pytest.mark.parametrize("form, fields", [
    (CompareForm("sound-to-video", TWO, "x", "7"), ["mode"]),
    (CompareForm("text-to-video", TWO, "x", "7, seven"), ["seeds"]),
    (CompareForm("text-to-video", TWO, "x", "7", overrides="{not json"), ["overrides"]),
    (CompareForm("text-to-video", TWO, "x", "1.5 \ud800", overrides="[]"), ["seeds", "seeds", "overrides"]),
])
def test_a_form_that_cannot_be_read_names_each_field(playground, form, fields):
    with pytest.raises(InputError) as refused:
        playground.comparisons.request_for(form)
    assert refused.value.fields == fields


BREAKS = ["\n", "\r\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("text", [*BREAKS, "", "   ", "x" * 100_000, "lone \ud800 surrogate"],
                         ids=[*(repr(b) for b in BREAKS), "empty", "blank", "100k", "surrogate"])
def test_odd_text_in_the_prompts_and_seeds_fields_is_read_or_refused_with_a_reason(playground, text):
    """Every Unicode line break splits seeds like a space; prompts reach the request as typed, and the plan then
    says what is wrong with them (it never raises: it runs on every keystroke)."""
    request = playground.comparisons.request_for(CompareForm("text-to-video", TWO, text, f"7{text}9"
                                                             if text in BREAKS else "7"))
    assert request["prompts"] == text
    if text in BREAKS:
        assert request["seeds"] == [7, 9]
    view = playground.compare.plan(CompareForm("text-to-video", TWO, text, "7"), playground.sessions.visitor())
    assert view.can_run == (text == "x" * 100_000)  # no prompt at all, or a broken character: said, not run
    assert view.can_run or view.markdown.startswith("**Fix before running:**\n- `prompt")
