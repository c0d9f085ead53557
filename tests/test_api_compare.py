"""`/compare` through gradio_client: a 16-cell offline batch, and a paid batch over the cap that sends nothing."""

import json

import pandas as pd
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from conftest import LITE_T2V, PRO_FAST_T2V, PRO_T2V

FOUR = [LITE_T2V, PRO_T2V, PRO_FAST_T2V, "bytedance/seedance-2.0/text-to-video"]


def test_compare_offline_sixteen_cells(client, app_data_dir):
    spec = {"prompts": ["a red kite over a hill", "a blue kite, \"windy\", at dusk"], "endpoints": FOUR,
            "seeds": [3, 9], "arguments": {"resolution": "480p", "duration": "2", "aspect_ratio": "16:9"}}
    answer = client.predict(json.dumps(spec), api_name="/compare")
    cells = answer["cells"]
    assert len(cells) == 16 and all(c["status"] == "completed" for c in cells)
    assert sorted((c["prompt_index"], c["seed"], c["endpoint_id"]) for c in cells) == sorted(
        (p, s, e) for p in (0, 1) for s in (3, 9) for e in FOUR)
    assert answer["total_usd"] == pytest.approx(sum(c["estimated_cost_usd"] for c in cells), abs=1e-6)
    assert len(answer["fairness"]) == 16 and answer["batch_id"]
    rows = pd.read_csv(app_data_dir / "results.csv", dtype=str, keep_default_na=False)
    batch = rows[rows.batch_id == answer["batch_id"]]
    assert len(batch) == 16 and set(batch.status) == {"completed"}
    assert sorted(json.loads(a)["seed"] for a in batch.arguments_json) == [3] * 8 + [9] * 8
    assert sorted(batch.seed.astype(int)) == [3] * 8 + [9] * 8
    v2 = [c for c in cells if c["endpoint_id"] == FOUR[3]]
    assert all(c["frames"] == 96 for c in v2)  # 2 s asked, 2.0 allows 4 s at least: adapted, and reported
    assert all(f["changed"] == [{"field": "duration", "asked": "2", "sent": "4",
                                 "why": "2 is not offered here; 4 is the nearest allowed value"}]
               for f in answer["fairness"] if f["endpoint_id"] == FOUR[3])


def test_paid_batch_over_the_cap_needs_confirmation(fal_app, fake_fal):
    url, data_dir = fal_app
    spec = {"prompts": ["x"], "endpoints": [PRO_T2V, "bytedance/seedance-2.0/text-to-video"], "seeds": [1, 2, 3],
            "arguments": {"resolution": "1080p", "duration": "12"}}
    before = len(pd.read_csv(data_dir / "results.csv")) if (data_dir / "results.csv").exists() else 0
    with pytest.raises(AppError) as err:
        Client(url, verbose=False).predict(json.dumps(spec), api_name="/compare")
    assert "confirm" in str(err.value) and "$5.00 cap" in str(err.value)
    assert fake_fal.requests == []  # nothing submitted, nothing uploaded
    after = len(pd.read_csv(data_dir / "results.csv")) if (data_dir / "results.csv").exists() else 0
    assert after == before
