"""Text checks: lone surrogates found, refused or escaped; blank means nothing visible."""

import pytest

from playground.text import escape_surrogates, is_blank, surrogate_problem, surrogate_problems


@pytest.mark.parametrize("text, blank", [
    ("", True), ("   \t\n", True), ("\u200b\u200c\u200d\u2060\ufeff", True), ("\u3164\u2800", True),
    ("\u2028\u2029\x85", True), ("\u00ad", True), ("a", False), ("\u200ba", False), ("🎬", False), ("。", False),
])
def test_is_blank(text, blank):
    assert is_blank(text) is blank


@pytest.mark.parametrize("text, where", [("ok", None), ("a\ud800b", 2), ("\udfff", 1), ("é🎬\udc00", 3)])
def test_surrogate_problem_names_the_character(text, where):
    problem = surrogate_problem(text)
    assert (problem is None) == (where is None)
    if where:
        assert f"at character {where}" in problem and "U+D" in problem


def test_escape_keeps_everything_else_exactly():
    assert escape_surrogates("café\r\n🎬") == "café\r\n🎬"
    assert escape_surrogates("x\ud800y") == "x\\ud800y"
    escape_surrogates("x\ud800y").encode("utf-8")  # storable


def test_surrogate_problems_in_json_values_point_at_each_place():
    value = {"prompt": "fine", "list": ["ok", "bad\ud800"], "nested": {"k": "\udc00"}, "\ud801": 1, "n": 3}
    places = [where for where, _ in surrogate_problems(value)]
    assert places == ["list[1]", "nested.k", "\\ud801"]
    assert surrogate_problems({"a": ["b", {"c": 1}]}) == []
