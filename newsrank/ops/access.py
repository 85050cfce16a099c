"""Who may read /metrics: a client on an allowed network, or one holding the bearer token.

Pure: no Django import. Behind a reverse proxy on the same machine every request arrives from
127.0.0.1, so an allowed REMOTE_ADDR alone would open the metrics to the internet. A request that
carries proxy headers (X-Forwarded-For, X-Real-IP, Forwarded) is therefore allowed by address only
when every address it names is allowed too. A client cannot gain access by forging those headers:
they can only add addresses that must pass, never replace REMOTE_ADDR.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Loopback and the private ranges of RFC 1918 and RFC 4193, where a Prometheus server usually runs.
DEFAULT_ALLOW = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"

_FORWARDED_FOR = re.compile(r'for="?\[?([^;,"\]]+)', re.IGNORECASE)  # RFC 7239 §4


@dataclass(frozen=True)
class Decision:
    allowed: bool
    status: int = 200  # 404 hides the endpoint from strangers; 403 answers a wrong token


def parse_networks(text: str) -> list[Network]:
    """Comma-separated networks in CIDR notation; raises ValueError naming a bad entry."""
    networks = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not a network; use CIDR such as 10.0.0.0/8") from None
    return networks


def proxied_addresses(headers: dict[str, str]) -> list[str]:
    """The client addresses named by proxy headers, as sent (possibly forged)."""
    found = []
    for part in headers.get("X-Forwarded-For", "").split(","):
        found.append(part.strip())
    found.append(headers.get("X-Real-Ip", "").strip())
    found += _FORWARDED_FOR.findall(headers.get("Forwarded", ""))
    return [address for address in found if address]


def decide(
    remote_addr: str,
    headers: dict[str, str],
    allow: list[Network],
    token: str,
) -> Decision:
    """Whether a request may read the metrics, and the status to answer when it may not."""
    presented = headers.get("Authorization", "")
    if token and presented:
        scheme, _, value = presented.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token):
            return Decision(True)
        return Decision(False, 403)
    addresses = [remote_addr, *proxied_addresses(headers)]
    if all(_in(address, allow) for address in addresses):
        return Decision(True)
    return Decision(False, 404)


def _in(address: str, allow: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])  # drop an IPv6 zone id
    except ValueError:
        return False  # "unknown", an obfuscated name (RFC 7239 §6.3), garbage: not allowed
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in allow)
