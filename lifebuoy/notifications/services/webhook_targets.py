"""Where Lifebuoy may POST a customer's webhooks: public HTTPS hosts only.

A webhook URL is chosen by a customer and called by our workers from inside our network, so an
unchecked URL would let anyone make Lifebuoy send requests to its own private services (SSRF):
the database, the broker, a cloud provider's metadata endpoint at 169.254.169.254.

The rules, checked when an endpoint is added or changed and again before a test event:

- ``https://`` only, with a host name and no ``user:password@``;
- the host must resolve, and *every* address it resolves to must be globally routable: no
  loopback, private (RFC 1918, unique-local IPv6), link-local, carrier-grade NAT, multicast,
  reserved or unspecified address. IPv4 addresses hidden inside IPv6 (``::ffff:10.0.0.1``,
  6to4, NAT64) are unwrapped first. Checking every address matters: a name with one public and
  one private address would otherwise pass half the time;
- with ``DEBUG`` on (a developer's machine), ``http://`` or ``https://`` to ``localhost``,
  ``127.0.0.1`` or ``[::1]`` is allowed, so a local receiver can be tried out.

What this cannot see: a name whose DNS answer changes after the check (DNS rebinding). The
worker that sends a delivery resolves the host again and does not repeat the check, so
production deployments should also deny the workers' outbound traffic to private ranges at
the firewall.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

MAX_URL_LENGTH = 500
LOCAL_DEV_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
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


def webhook_url_problem(url: str, *, debug: bool) -> str | None:
    """None when Lifebuoy may send to ``url``; otherwise why not, in a sentence for the form."""
    parts = _split(url)
    if parts is None or not parts.hostname:
        return f"Enter a full https:// URL of at most {MAX_URL_LENGTH} characters."
    if parts.username is not None or parts.password is not None:
        return "Leave user names and passwords out of the URL; verify our signature instead."
    host = parts.hostname.rstrip(".").lower()
    if debug and host in LOCAL_DEV_HOSTS:
        return None
    if parts.scheme.lower() != "https":
        return "Use an https:// URL (plain http only for localhost, and only in development)."
    try:
        addresses = resolve_addresses(host, parts.port or 443)
    except (OSError, UnicodeError):
        return f"The host “{host}” cannot be resolved."
    if not addresses or not all(is_public_address(a) for a in addresses):
        return (
            f"The host “{host}” is a private, loopback or link-local address; "
            "webhooks go to public hosts only."
        )
    return None
