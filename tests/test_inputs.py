"""Kept input files: one per content, referenced from the log, inlined again exactly; uploads read once."""

import pytest

from playground.inputs import Inputs, is_reference
from playground.media import MediaError

from conftest import data_uri, image_bytes


def test_references_round_trip_to_the_same_bytes(tmp_path):
    inputs = Inputs(tmp_path / "inputs")
    png, jpg = data_uri(image_bytes(8, 8)), data_uri(image_bytes(9, 9, "JPEG"), "image/jpeg")
    arguments = {"prompt": "x", "image_url": png, "image_urls": [jpg, "https://a.example/b.png", png], "seed": 3}
    logged = inputs.to_references(arguments)
    assert is_reference(logged["image_url"]) and logged["image_urls"][0].endswith(".jpg")
    assert logged["image_urls"][1] == "https://a.example/b.png" and logged["image_urls"][2] == logged["image_url"]
    assert "data:" not in str(logged) and len(list((tmp_path / "inputs").iterdir())) == 2  # once per content
    assert inputs.to_data_uris(logged) == arguments


@pytest.mark.parametrize("value", ["inputs/../results.csv", "inputs/abc.png", "/etc/passwd", "inputs/" + "a" * 64])
def test_only_exact_references_are_read(tmp_path, value):
    assert not is_reference(value)
    assert Inputs(tmp_path).to_data_uris({"image_url": value}) == {"image_url": value}


def test_a_missing_kept_file_is_left_as_the_reference(tmp_path):
    reference = "inputs/" + "0" * 64 + ".png"
    assert Inputs(tmp_path).to_data_uris([reference]) == [reference]  # validation then names the field


def test_uploads_are_read_once_and_capped(tmp_path, monkeypatch):
    path = tmp_path / "a.png"
    path.write_bytes(image_bytes(10, 10))
    inputs = Inputs(tmp_path / "inputs")
    first = inputs.file_data_uri(path)
    monkeypatch.setattr("pathlib.Path.read_bytes", lambda _self: pytest.fail("read twice"))
    assert inputs.file_data_uri(path) == first
    monkeypatch.undo()
    monkeypatch.setattr("playground.inputs.MAX_INPUT_BYTES", 5)
    with pytest.raises(MediaError, match="larger than"):
        Inputs(tmp_path / "other").file_data_uri(path)


def test_two_writers_keeping_the_same_upload_at_once_both_get_it_whole(tmp_path):
    """Replicas share the inputs folder: keeps of one content at once must neither fail nor leave a torn file."""
    import threading

    from playground.inputs import Inputs

    data = bytes(range(256)) * 4096  # 1 MiB: long enough for the writes to overlap
    for round_ in range(20):  # a race: many rounds, each in a fresh folder
        folder = tmp_path / f"inputs-{round_}"
        shelves = [Inputs(folder) for _ in range(8)]  # as eight processes would hold it
        references, errors = [], []

        def keep(shelf, references=references, errors=errors):
            try:
                references.append(shelf.keep(data, "image/png"))
            except Exception as exc:  # noqa: BLE001 (any failure is the finding)
                errors.append(exc)

        threads = [threading.Thread(target=keep, args=(shelf,)) for shelf in shelves]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == [] and len(set(references)) == 1, errors
        kept = shelves[0].path(references[0])
        assert kept.read_bytes() == data and [p.name for p in folder.iterdir()] == [kept.name]  # no leftovers
