"""Where Lifebuoy may POST a customer's webhooks: public HTTPS hosts only.

A webhook URL is chosen by a customer and called by our workers from inside our network, so an
unchecked URL would let anyone make Lifebuoy send requests to its own private services (SSRF):
the database, the broker, a cloud provider's metadata endpoint at 169.254.169.254.

The rules, checked when an endpoint is added or changed, before a test event, and again by the
worker for every delivery, which then connects to exactly the address it checked:

- ``https://`` only, with a host name and no ``user:password@``;
- the host must resolve, and *every* address it resolves to must be globally routable: no
  loopback, private (RFC 1918, unique-local IPv6), link-local, carrier-grade NAT, multicast,
  reserved or unspecified address. IPv4 addresses hidden inside IPv6 (``::ffff:10.0.0.1``,
  6to4, NAT64) are unwrapped first. Checking every address matters: a name with one public and
  one private address would otherwise pass half the time;
- the same rules in every settings module: ``DEBUG`` changes nothing here.

Checking at sending time and connecting to the checked address (``delivery_address``) closes
DNS rebinding: a name that answered with a public address when the endpoint was saved and
answers with a private one later is refused when it is sent to. Redirects are not followed.

``LIFEBUOY_WEBHOOK_PRIVATE_TARGETS`` lifts the address rules for an on-premises installation
whose customers' tools live on the same private network, and for a developer trying out a local
receiver: plain ``http://`` is then allowed to ``localhost``, ``127.0.0.1`` or ``[::1]`` only.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

MAX_URL_LENGTH = 500
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def resolve_addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the tests replace this; they never use the network)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _unwrap(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries, if it carries one."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def is_public_address(address: str) -> bool:
    try:
        ip = _unwrap(ipaddress.ip_address(address.split("%", 1)[0]))  # drop an IPv6 zone id
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return False
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback
    )


def _split(url: str) -> SplitResult | None:
    if len(url) > MAX_URL_LENGTH:
        return None
    try:
        URLValidator(schemes=["http", "https"])(url)
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port out of range
    except (ValidationError, ValueError):
        return None
    return parts


class TargetRefused(Exception):
    """A webhook URL Lifebuoy will not send to; ``retryable`` when the cause may pass (DNS)."""

    def __init__(self, reason: str, *, retryable: bool = False) -> None:
        super().__init__(reason)
        self.retryable = retryable


def webhook_url_problem(url: str, *, allow_private: bool = False) -> str | None:
    """None when Lifebuoy may send to ``url``; otherwise why not, in a sentence for the form."""
    try:
        delivery_address(url, allow_private=allow_private)
    except TargetRefused as refused:
        return str(refused)
    return None


def delivery_address(url: str, *, allow_private: bool = False) -> str:
    """The address to connect to for ``url``, resolved and checked now; ``TargetRefused``
    (with a sentence for the customer) when Lifebuoy may not send there."""
    parts = _split(url)
    if parts is None or not parts.hostname:
        raise TargetRefused(f"Enter a full https:// URL of at most {MAX_URL_LENGTH} characters.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(
            "Leave user names and passwords out of the URL; verify our signature instead."
        )
    host = parts.hostname.rstrip(".").lower()
    plain_http_allowed = allow_private and host in LOOPBACK_HOSTS
    if parts.scheme.lower() != "https" and not plain_http_allowed:
        raise TargetRefused("Use an https:// URL.")
    default_port = 443 if parts.scheme.lower() == "https" else 80
    try:
        addresses = resolve_addresses(host, parts.port or default_port)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(f"The host “{host}” cannot be resolved.", retryable=True) from exc
    if not addresses:
        raise TargetRefused(f"The host “{host}” cannot be resolved.", retryable=True)
    if not allow_private and not all(is_public_address(a) for a in addresses):
        raise TargetRefused(
            f"The host “{host}” is a private, loopback or link-local address; "
            "webhooks go to public hosts only."
        )
    return addresses[0]
