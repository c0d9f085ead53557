"""A hostile prompt template through `/compare` holds nobody up: while one visitor sends 200,000 characters of
braces and bars, another's `/estimate` calls are answered at once (the old template regex held the app's event
loop for minutes, so every visitor waited; the app runs in this process, and since a regex holds the interpreter
lock while it matches, the old one froze this test too, and it failed once the match ended minutes later)."""

import json
import threading
import time

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from conftest import LITE_T2V, PRO_FAST_T2V

N = 200_000  # the most characters of prompts a comparison takes: all of it reaches the template scanner
# (template, words of the refusal): each the shape the old regex took quadratic time on
HOSTILE = [
    ("{" + "|" * (N - 1), "a group opened at character 1 that is never closed"),
    ("{|" * (N // 2), "a group opened at character 1 that is never closed"),
    ("{a|" * (N // 4) + "}" * (N // 4), "a group inside a group"),
]
ESTIMATE = {"prompt": "x", "resolution": "1080p", "aspect_ratio": "16:9", "duration": "5"}


def test_a_hostile_template_is_refused_at_once_and_holds_no_one_up(app_url):
    senders = [Client(app_url, verbose=False) for _ in HOSTILE]
    asker = Client(app_url, verbose=False)
    assert asker.predict(PRO_FAST_T2V, json.dumps(ESTIMATE), api_name="/estimate")["usd"] == pytest.approx(0.2448)
    answered: list[float] = []  # seconds from sending each /compare to its answer
    lock = threading.Lock()

    def timed(sent: float):
        def done(_job):
            with lock:
                answered.append(time.monotonic() - sent)
        return done

    jobs = []
    for client, (template, _) in zip(senders, HOSTILE, strict=True):
        spec, sent = {"prompts": template, "endpoints": [LITE_T2V], "seeds": [1]}, time.monotonic()
        jobs.append(client.submit(json.dumps(spec), api_name="/compare"))
        jobs[-1].add_done_callback(timed(sent))

    waits = []
    while len(waits) < 10 or (len(answered) < len(jobs) and len(waits) < 40):
        asked = time.monotonic()
        try:
            answer = asker.submit(PRO_FAST_T2V, json.dumps(ESTIMATE), api_name="/estimate").result(timeout=10)
        except TimeoutError:
            pytest.fail(f"an /estimate got no answer in 10 s behind a hostile template (after {waits})")
        waits.append(time.monotonic() - asked)
        assert answer["usd"] == pytest.approx(0.2448, abs=1e-6)  # 1920×1088×24×5/1024 tokens at Pro Fast's price
    assert max(waits) < 1.0, f"an /estimate waited {max(waits):.2f} s behind a template: {waits}"

    for job, (_, words) in zip(jobs, HOSTILE, strict=True):
        with pytest.raises(AppError) as err:
            job.result(timeout=10)
        assert "prompts: the template '{" in str(err.value) and words in str(err.value)
    assert len(answered) == len(jobs) and max(answered) < 1.0, f"/compare answers took {answered} s"
