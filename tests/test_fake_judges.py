"""The fake fal answers the two judge endpoints as fal documents them (reference: judges-decisions-storage.md),
checked with the real fal_client: the queue protocol, ``{"output": text}``, and a 422 detail list for an input the
model cannot take."""

import fal_client
import pytest

from conftest import SERVER_KEY, Script

CLIP = "https://v3.fal.media/files/clip-a.mp4"


@pytest.mark.parametrize("endpoint, arguments", [
    ("fal-ai/video-understanding", {"video_url": CLIP, "prompt": "Rate this clip.", "detailed_analysis": True}),
    ("openrouter/router/video", {"video_urls": [CLIP, CLIP], "prompt": "Which is best?", "system_prompt": "Judge.",
                                 "model": "google/gemini-2.5-flash"}),
])
def test_a_judge_answers_its_text_through_the_queue(fake_fal, endpoint, arguments):
    fake_fal.script(Script(output='{"pick": "A", "reason": "sharper"}\n(and some words after)'))
    handle = fal_client.SyncClient(key=SERVER_KEY).submit(endpoint, arguments)
    assert handle.get() == {"output": '{"pick": "A", "reason": "sharper"}\n(and some words after)'}  # as written
    (job,) = fake_fal.jobs.values()
    assert job.endpoint_id == endpoint and job.body == arguments and job.followed


@pytest.mark.parametrize("endpoint, arguments, where", [
    ("fal-ai/video-understanding", {"prompt": "Rate this clip."}, ["body", "video_url"]),
    ("fal-ai/video-understanding", {"video_url": CLIP}, ["body", "prompt"]),
    ("openrouter/router/video", {"video_urls": CLIP, "prompt": "x"}, ["body", "video_urls"]),  # a string, not a list
    ("openrouter/router/video", {"video_url": CLIP, "video_urls": [CLIP], "prompt": "x"}, ["body"]),
])
def test_an_input_a_judge_cannot_take_is_a_422_detail_list(fake_fal, endpoint, arguments, where):
    handle = fal_client.SyncClient(key=SERVER_KEY).submit(endpoint, arguments)
    with pytest.raises(fal_client.FalClientHTTPError) as refused:
        handle.get()
    assert refused.value.status_code == 422
    assert isinstance(refused.value.message, list) and [d["loc"] for d in refused.value.message] == [where]


def test_a_video_endpoint_still_answers_a_video(fake_fal):
    handle = fal_client.SyncClient(key=SERVER_KEY).submit("fal-ai/bytedance/seedance/v1/lite/text-to-video",
                                                         {"prompt": "a kite"})
    assert handle.get()["video"]["content_type"] == "video/mp4"
