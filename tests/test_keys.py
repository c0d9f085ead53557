"""Keys: what a visitor may paste, the fingerprint the journal keeps, and scrubbing keys out of messages."""

import pytest

from playground.errors import InputError
from playground.keys import MAX_KEY_LENGTH, clean_key, fingerprint, redact

KEY = "1234abcd-0000-4000-8000-0123456789ab:00112233445566778899aabbccddeeff"


@pytest.mark.parametrize("raw, expected", [
    (KEY, KEY),
    (f"  {KEY}\n", KEY),
    (f"Key {KEY}", KEY),  # pasted with the Authorization header's prefix
    ("short:key", "short:key"),
])
def test_clean_key_accepts(raw, expected):
    assert clean_key(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", None, "two words:secret", "tab\tkey", "é" * 10, "x" * (MAX_KEY_LENGTH + 1)])
def test_clean_key_refuses_without_echoing(raw):
    with pytest.raises(InputError) as err:
        clean_key(raw)
    assert err.value.fields == ["fal_key"]
    assert not raw or not raw.strip() or raw.strip() not in str(err.value)


def test_fingerprint_is_stable_short_and_one_way():
    assert fingerprint(KEY) == fingerprint(KEY) != fingerprint(KEY + "0")
    assert len(fingerprint(KEY)) == 16 and KEY.split(":")[1][:8] not in fingerprint(KEY)


def test_redact_removes_the_key_and_its_secret_half():
    text = f"Authorization: Key {KEY}; secret={KEY.split(':')[1]}; id {KEY.split(':')[0]}"
    cleaned = redact(text, (None, KEY))
    assert cleaned == "Authorization: Key [key]; secret=[key]; id [key]"
    assert redact("nothing here", (KEY,)) == "nothing here"
