"""Which webhook URLs Lifebuoy accepts: public https hosts only (no database, no network)."""

from __future__ import annotations

import pytest

from lifebuoy.notifications.webhook_targets import is_public_address, webhook_url_problem

pytestmark = pytest.mark.usefixtures("fake_dns")


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.acme.example/lifebuoy",
        "https://hooks.globex.example:8443/in?token=abc",
        "https://93.184.215.20/hook",
    ],
)
def test_it_accepts_public_https_urls(url):
    assert webhook_url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://hooks.acme.example/lifebuoy", "https://"),
        ("ftp://hooks.acme.example/", "full https:// URL"),
        ("hooks.acme.example/lifebuoy", "full https:// URL"),
        ("", "full https:// URL"),
        ("https://", "full https:// URL"),
        ("https://hooks.acme.example:99999/", "full https:// URL"),
        ("https://hooks.acme.example/" + "a" * 500, "full https:// URL"),
        ("https://user:pw@hooks.acme.example/", "passwords"),
        ("https://nowhere.example/", "cannot be resolved"),
        ("https://localhost/hook", "private"),
        ("https://127.0.0.1/hook", "private"),
        ("https://[::1]/hook", "private"),
        ("https://10.0.0.5/hook", "private"),
        ("https://172.16.3.4/hook", "private"),
        ("https://192.168.1.1/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "private"),
        ("https://100.64.0.1/hook", "private"),
        ("https://0.0.0.0/hook", "private"),
        ("https://224.0.0.1/hook", "private"),
        ("https://[fe80::1]/hook", "private"),
        ("https://[fd00::1]/hook", "private"),
        ("https://[::ffff:10.0.0.1]/hook", "private"),
        ("https://internal.example/hook", "private"),
        ("https://metadata.example/hook", "private"),
        ("https://split.example/hook", "private"),  # one public, one private address
    ],
)
def test_it_refuses_other_urls_with_a_reason(url, says):
    problem = webhook_url_problem(url)
    assert problem is not None
    assert says in problem


@pytest.mark.parametrize(
    "url", ["http://localhost:8000/hook", "http://127.0.0.1:9000/hook", "https://[::1]/hook"]
)
def test_private_targets_allow_this_machine_over_plain_http(url):
    assert webhook_url_problem(url, allow_private=True) is None
    assert webhook_url_problem(url) is not None


@pytest.mark.parametrize("url", ["http://192.168.1.10/hook", "http://hooks.acme.example/"])
def test_private_targets_still_refuse_plain_http_elsewhere(url):
    assert webhook_url_problem(url, allow_private=True) is not None


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("2002:0a00:0001::1", False),  # 6to4 wrapping 10.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 wrapping 10.0.0.1
        ("64:ff9b::5db8:d70e", True),  # NAT64 wrapping 93.184.215.14
        ("fe80::1%eth0", False),
        ("255.255.255.255", False),
        ("240.0.0.1", False),
        ("not an address", False),
    ],
)
def test_addresses_hidden_in_ipv6_are_unwrapped(address, public):
    assert is_public_address(address) is public
