"""Prompt templates (compare/template.py, read by compare/spec.py): what a line expands to, what is refused and
why, and hostile lines of 200,000 characters answered or refused at once (the old regex took minutes)."""

import itertools
import time

import pytest

from playground.compare import parse_spec
from playground.compare.template import TemplateError, parse
from playground.errors import InputError

from conftest import LITE_T2V

N = 200_000  # the most characters of prompts a comparison takes (spec.MAX_PROMPT_CHARACTERS)
LINE_BREAKS = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def spec_of(prompts):
    return {"prompts": prompts, "endpoints": [LITE_T2V], "seeds": [1]}


def prompts_of(catalog, prompts):
    return list(parse_spec(spec_of(prompts), catalog, max_cells=32).prompts)


def refusal_of(catalog, prompts) -> str:
    """The one ``prompts: …`` line a refused spec names (it must be the only problem)."""
    with pytest.raises(InputError) as err:
        parse_spec(spec_of(prompts), catalog, max_cells=32)
    (field, message), = err.value.problems
    assert field == "prompts"
    return message


TEMPLATES = [  # (prompt lines, the prompts they stand for, in order)
    ("{dusk|dawn} over {the sea|a city}", ["dusk over the sea", "dusk over a city", "dawn over the sea",
                                           "dawn over a city"]),
    ("a boat {} at {noon}", ["a boat {} at {noon}"]),  # braces without "|" are text
    ("{ slow | fast } pan", ["slow pan", "fast pan"]),  # options are trimmed
    ("{|misty} harbour", ["harbour", "misty harbour"]),  # an empty option drops the word, not the space
    ("a {|x} b", ["a b", "a x b"]),  # the doubled space it leaves inside is folded
    (["a\r\nlisted  prompt", "{a|b}\tc"], ["a\r\nlisted  prompt", "a\tc", "b\tc"]),  # breaks in a listed prompt stay
    (["{a\n|b}"], ["a", "b"]),  # a listed prompt's group may hold a break; its options are trimmed
    ("a {x|y}\na x\n{a x|a y}", ["a x", "a y"]),  # duplicates across lines appear once
    ("{dusk|dawn}\u2029{a|b}\x85c", ["dusk", "dawn", "a", "b", "c"]),  # every kind of line break splits
    ("lone \ud800 {x|y}", ["lone \ud800 x", "lone \ud800 y"]),  # a lone surrogate is kept, not a crash
    ("{" + "a" * 100_000, ["{" + "a" * 100_000]),  # an unclosed brace is text, even a long one
    ("{dusk|dawn}" * 3, ["duskduskdusk", "duskduskdawn", "duskdawndusk", "duskdawndawn", "dawnduskdusk",
                         "dawnduskdawn", "dawndawndusk", "dawndawndawn"]),  # 8 = the cap, allowed
    ("neon | rain", ["neon | rain"]),  # a bar outside braces is text
    ("{x {y|z}}", ["{x y}", "{x z}"]),  # braces without a bar of their own stay text around a group
    ("{{a|b}", ["{a", "{b"]),  # a lone "{" without a bar is text
    ("{a|b}}", ["a}", "b}"]),  # a lone "}" without a bar before it is text
    ("}{a|b}{", ["}a{", "}b{"]),
]


@pytest.mark.parametrize("lines, prompts", TEMPLATES, ids=[repr(t[0])[:30] for t in TEMPLATES])
def test_prompt_templates_expand_to_their_variants(catalog, lines, prompts):
    assert prompts_of(catalog, lines) == prompts


# (line, words in the message): what the person meant as a group is never sent with its braces
REFUSED = [
    ("{a|{b|c}}", "a group inside a group (the one opened at character 1): groups do not nest; write the choices "
                  "flat in one group, e.g. {a|b|c} for {a|{b|c}} or {a|bc|bd} for {a|b{c|d}}"),
    ("x {a|b{c|d}}", "a group inside a group (the one opened at character 3)"),
    ("{{b|c}|a}", "a group inside a group (the one opened at character 1)"),
    ("{a|{b}}", "a group inside a group"),  # braces inside a group are neither text nor a group
    ("{x {y|z} w|v}", "a group inside a group"),  # its own bar comes after the inner group
    ("{a|b", "a group opened at character 1 that is never closed; close it with }, e.g. {a|b}"),
    ("{a|{b|c}", "a group opened at character 1 that is never closed"),  # unbalanced: not "{a|b" and "{a|c"
    ("{a {b} | c", "a group opened at character 1 that is never closed"),
    ("a|b}", "a } at character 4 that closes a group never opened; open it with {, e.g. {a|b}"),
    ("{a|b}|c}", "a } at character 8 that closes a group never opened"),
    ("{a|b}}}|c}", "a } at character 10"),
]


@pytest.mark.parametrize("line, words", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_group_that_cannot_be_read_flat_is_refused_with_how_to_write_it(catalog, line, words):
    with pytest.raises(TemplateError) as err:
        parse(line)
    assert words in str(err.value)
    assert refusal_of(catalog, line) == f"the template {line!r} {err.value}"


# (case, prompts, words in the refusal)
BAD_TEMPLATES = [
    ("2^40 variants", "{a|b}" * 40, "expands to over 1,000,000,000 variants; at most 8 prompt variants"),
    ("100k characters of groups", "{a|b}" * 20000, "expands to over 1,000,000,000 variants"),
    ("nine variants", "{a|b|c} {d|e|f}", "expands to 9 variants; at most 8"),
    ("empty options only", "{|}\u2028{ | }", "give at least one prompt"),
    ("over the size limit", "x" * (N + 1), "are 200,001 characters long; at most 200,000 characters of prompts"),
    ("a list over the size limit", ["x" * 100_000, "y" * 100_000], "are 200,001 characters long"),  # one break
    ("nested on a later line", "a boat\n{a|{b|c}}", "the template '{a|{b|c}}' has a group inside a group"),
    ("a long line is shown cut", "{a|{b|c}}" + "x" * 100, "the template '{a|{b|c}}" + "x" * 50 + "…' has a"),
]


@pytest.mark.parametrize("case, prompts, words", BAD_TEMPLATES, ids=[b[0] for b in BAD_TEMPLATES])
def test_bad_templates_are_refused_with_the_reason(catalog, case, prompts, words):
    assert words in refusal_of(catalog, prompts)


def test_too_long_is_refused_before_any_line_is_scanned(catalog, monkeypatch):
    def never(line):
        raise AssertionError("a line was scanned")

    monkeypatch.setattr("playground.compare.spec.parse", never)
    assert "at most 200,000 characters" in refusal_of(catalog, "{" + "|" * N)
    assert "at most 200,000 characters" in refusal_of(catalog, ["{a|b}"] * (N // 5))  # 200,000 + 39,999 breaks


def test_exactly_the_limit_is_taken(catalog):
    assert prompts_of(catalog, "{a|b} " + "x" * (N - 6)) == ["a " + "x" * (N - 6), "b " + "x" * (N - 6)]


PAD = "x" * (N - 15)
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width characters: a prompt of only these is blank
INVISIBLE_GROUPS = "\n".join("{" + "".join(w) + "|\u200b\u200b}"
                             for w in itertools.product(INVISIBLE, repeat=6))  # 15,625 different lines, each read
# (case, 200,000 characters of prompts, the prompts, or the words of the refusal)
HOSTILE = [
    ("{ then bars", "{" + "|" * (N - 1), "a group opened at character 1 that is never closed"),
    ("{| alternating", "{|" * (N // 2), "a group opened at character 1 that is never closed"),
    ("|{ alternating", "|{" * (N // 2), "a group opened at character 2 that is never closed"),
    ("}| alternating", "}|" * (N // 2), "a } at character 3 that closes a group never opened"),
    ("only {", "{" * N, ["{" * N]),
    ("only }", "}" * N, ["}" * N]),
    ("only |", "|" * N, ["|" * N]),
    ("{} pairs", "{}" * (N // 2), ["{}" * (N // 2)]),
    ("{ then } (deep, no bars)", "{" * (N // 2) + "}" * (N // 2), ["{" * (N // 2) + "}" * (N // 2)]),
    ("{a|b} 40,000 times", "{a|b}" * (N // 5), "expands to over 1,000,000,000 variants"),
    ("{a} 66,666 times", "{a}" * (N // 3), ["{a}" * (N // 3)]),
    ("three groups in a long line", "{a|b}{c|d}{e|f}" + PAD,
     [x + y + z + PAD for x in "ab" for y in "cd" for z in "ef"]),
    ("one huge group of empty options", "{" + "|" * (N - 2) + "}", "expands to 199,999 variants"),
    ("one huge group of 8 long options", "{" + "|".join(c * 24_998 for c in "abcdefgh") + "}",
     [c * 24_998 for c in "abcdefgh"]),
    ("unclosed and long", "{a|b" + "c" * (N - 4), "never closed"),
    ("unclosed, no bar", "{" + "a" * (N - 1), ["{" + "a" * (N - 1)]),
    ("nested deep", "{a|" * (N // 4) + "}" * (N // 4), "a group inside a group"),
    ("a group deep in plain braces", "{" * 99_997 + "{y|z}" + "}" * 99_997,
     ["{" * 99_997 + c + "}" * 99_997 for c in "yz"]),
    ("lone surrogates", "{\ud800|b}" + "\ud800" * (N - 6), ["\ud800" * (N - 5), "b" + "\ud800" * (N - 6)]),
    ("empty", "", "give at least one prompt"),
    ("spaces", " " * N, "give at least one prompt"),
    ("zero-width spaces", "\u200b" * N, "give at least one prompt"),
    ("33,333 distinct lines", "\n".join(f"{i:05d}" for i in range(N // 6)), "at most 8 prompt variants per "
                                                                          "comparison, got over 1,000"),
    ("distinct templated lines", "\n".join(f"{{a|b}}{i}" for i in range(N // 11)), "got over 1,000"),
    ("distinct lines that expand to blanks", INVISIBLE_GROUPS, "give at least one prompt"),
    *[(f"{br!r} after each group", ("{a|b}" + br) * (N // (5 + len(br))), ["a", "b"]) for br in LINE_BREAKS],
    *[(f"only {br!r}", br * (N // len(br)), "give at least one prompt") for br in LINE_BREAKS],
    *[(f"{br!r} splitting a group", ("{a" + br + "|b}") * (N // (5 + len(br))), "closes a group never opened")
      for br in LINE_BREAKS],
]


@pytest.mark.parametrize("case, prompts, expected", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_prompts_are_answered_or_refused_at_once(catalog, case, prompts, expected):
    assert prompts == "" or 0.9 * N <= len(prompts) <= N  # each shape near the limit, so it is scanned
    started = time.perf_counter()
    try:
        answer: list[str] | str = prompts_of(catalog, prompts)
    except InputError as exc:
        answer = dict(exc.problems)["prompts"]  # too many prompts are also too many cells
    took = time.perf_counter() - started
    assert took < 1.0, f"{case}: {took:.2f} s"  # milliseconds of work; the old regex took minutes on some
    if isinstance(expected, str):
        assert isinstance(answer, str) and expected in answer
    else:
        assert answer == expected
