"""Shared fal plumbing: one client per key and event loop; uploads sent once per key; billed units recorded."""

import asyncio

from playground.backends.connections import FalConnections


def test_one_client_per_key_per_loop():
    connections = FalConnections()

    async def clients():
        return connections.client("a:1111"), connections.client("a:1111"), connections.client("b:2222")

    first_a, again_a, b = asyncio.run(clients())
    assert first_a is again_a and first_a is not b and first_a.key == "a:1111"
    other_loop_a, _, _ = asyncio.run(clients())
    assert other_loop_a is not first_a  # an httpx pool never crosses event loops


def test_same_bytes_upload_once_per_key_even_concurrently(fake_fal):
    connections = FalConnections()

    async def uploads():
        same = [connections.upload("a:1111", b"\x89PNG same", "image/png", "image_url.png") for _ in range(4)]
        other_key = connections.upload("b:2222", b"\x89PNG same", "image/png", "image_url.png")
        other_bytes = connections.upload("a:1111", b"\x89PNG different", "image/png", "image_url.png")
        return await asyncio.gather(*same, other_key, other_bytes)

    urls = asyncio.run(uploads())
    assert len(set(urls[:4])) == 1 and len(set(urls)) == 3
    assert len(fake_fal.seen("POST", "/files/upload")) == 3
