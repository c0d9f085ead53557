"""Who a visitor is for public-mode limits: their address (behind trusted proxies, the one those proxies add)."""

import pytest

from playground.visitor import Visitor, client_address, network_id


@pytest.mark.parametrize("peer, forwarded, proxies, expected", [
    ("203.0.113.5", "", 0, "203.0.113.5"),
    ("203.0.113.5", "1.2.3.4", 0, "203.0.113.5"),  # no proxy trusted: whatever the client wrote is ignored
    ("10.0.0.2", "198.51.100.7", 1, "198.51.100.7"),
    ("10.0.0.2", "6.6.6.6, 198.51.100.7", 1, "198.51.100.7"),  # the client's own entry is to the left
    ("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.9", 2, "198.51.100.7"),
    ("10.0.0.2", "", 1, "10.0.0.2"),  # no header: the connection is all there is
    ("10.0.0.2", " , ", 1, "10.0.0.2"),
])
def test_client_address(peer, forwarded, proxies, expected):
    assert client_address(peer, forwarded, proxies) == expected


def test_network_ids_group_an_ipv6_64_and_separate_others():
    assert network_id("2001:db8:1:2::1") == network_id("2001:db8:1:2:ffff::9")
    assert network_id("2001:db8:1:2::1") != network_id("2001:db8:1:3::1")
    assert network_id("::ffff:198.51.100.7") == network_id("198.51.100.7")
    assert network_id("198.51.100.7") != network_id("198.51.100.8")
    assert network_id("not an address").startswith("n-") and "198" not in network_id("198.51.100.7")


def test_a_visitor_is_limited_by_network_and_owns_by_key_or_session():
    assert Visitor(session="s", network="n-1").limited_as == "n-1"
    assert Visitor(session="s").limited_as == "session:s"
    assert Visitor(key="k:1", session="s").owner.startswith("k-") and Visitor(session="s").owner.startswith("s-")
    assert Visitor(session="a").owner != Visitor(session="b").owner
