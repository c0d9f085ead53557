"""The results log round-trips any prompt through pandas and never loses rows under concurrent writers."""

import threading

import pandas as pd
import pytest

from playground.results import COLUMNS, ResultsLog

PROMPTS = ['commas, "quotes", and a\nnewline 🎬🦊', "NA", "", "=SUM(A1:A2)", "naïve café — ünïcödé ✓", "tab\there"]


def test_prompts_round_trip_through_pandas(tmp_path):
    log = ResultsLog(tmp_path / "results.csv")
    for i, prompt in enumerate(PROMPTS):
        log.append({"run_id": str(i), "prompt": prompt, "status": "completed"})
    frame = pd.read_csv(tmp_path / "results.csv", dtype=str, keep_default_na=False)
    assert list(frame.columns) == COLUMNS
    assert frame.prompt.tolist() == PROMPTS


def test_unknown_column_is_refused(tmp_path):
    with pytest.raises(ValueError):
        ResultsLog(tmp_path / "r.csv").append({"api_key": "x"})


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "results.csv"

    def writer(n):
        log = ResultsLog(path)  # one instance per writer, as separate processes would have
        for i in range(50):
            log.append({"run_id": f"{n}-{i}", "prompt": "x,\n" * 3})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    frame = ResultsLog(path).read()
    assert sorted(frame.run_id) == sorted(f"{n}-{i}" for n in range(8) for i in range(50))
    assert (frame.prompt == "x,\n" * 3).all()
