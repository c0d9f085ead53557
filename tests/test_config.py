"""Settings from the environment: the server's key, the fal timeout and video cap, the backend choice."""

import pytest

from playground import config
from playground.backends import registry
from playground.errors import PlaygroundError


@pytest.mark.parametrize("env, expected", [
    ({}, None),
    ({"FAL_KEY": " id:secret "}, "id:secret"),
    ({"FAL_KEY_ID": "id", "FAL_KEY_SECRET": "secret"}, "id:secret"),
    ({"FAL_KEY": "main:key", "FAL_KEY_ID": "id", "FAL_KEY_SECRET": "secret"}, "main:key"),
    ({"FAL_KEY_ID": "id"}, None),
])
def test_server_key(monkeypatch, env, expected):
    for name in ("FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert config.server_key() == expected


def test_fal_settings_defaults_and_overrides(monkeypatch):
    monkeypatch.delenv("PLAYGROUND_FAL_TIMEOUT_S", raising=False)
    monkeypatch.delenv("PLAYGROUND_MAX_VIDEO_MB", raising=False)
    assert config.fal_settings().timeout_s == 1800 and config.fal_settings().max_video_bytes == 500 * 1024 * 1024
    monkeypatch.setenv("PLAYGROUND_FAL_TIMEOUT_S", "90")
    monkeypatch.setenv("PLAYGROUND_MAX_VIDEO_MB", "1.5")
    assert (config.fal_settings().timeout_s, config.fal_settings().max_video_bytes) == (90, int(1.5 * 1024 * 1024))


@pytest.mark.parametrize("name, value", [("PLAYGROUND_FAL_TIMEOUT_S", "soon"), ("PLAYGROUND_FAL_TIMEOUT_S", "0"),
                                         ("PLAYGROUND_MAX_VIDEO_MB", "-3"), ("PLAYGROUND_BACKEND", "gpu")])
def test_bad_settings_stop_start_up_with_the_name(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(PlaygroundError, match=name):
        config.fal_settings() if name != "PLAYGROUND_BACKEND" else config.backend_choice(registry.names())


@pytest.mark.parametrize("env, proxies", [({}, 0), ({"SYSTEM": "spaces"}, 1), ({"PLAYGROUND_TRUSTED_PROXIES": "2"}, 2),
                                          ({"SYSTEM": "spaces", "PLAYGROUND_TRUSTED_PROXIES": "0"}, 0)])
def test_trusted_proxies_default_to_spaces_own(monkeypatch, env, proxies):
    for name in ("SYSTEM", "PLAYGROUND_TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert config.public_mode().trusted_proxies == proxies


@pytest.mark.parametrize("name, value", [("PLAYGROUND_TRUSTED_PROXIES", "-1"), ("PLAYGROUND_TRUSTED_PROXIES", "one"),
                                         ("PLAYGROUND_FAL_CANCEL_TIMEOUT_S", "0")])
def test_bad_public_and_cancel_settings_name_themselves(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(PlaygroundError, match=name):
        config.public_mode() if name == "PLAYGROUND_TRUSTED_PROXIES" else config.fal_settings()
