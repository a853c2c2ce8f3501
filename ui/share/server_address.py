"""The address a shared link is built on: one the class can open, not the teacher's `localhost`.

A teacher usually opens the app on the machine that runs it (http://localhost:8501); that address
means "this computer" on every student's machine too. So a link is built on, in this order:

1. Streamlit's `browser.serverAddress` (and `browser.serverPort`) when the server's owner set it:
   the address they chose for the class (a hostname, a public name behind a proxy);
2. when the page is open on a loopback name (localhost, 127.0.0.1, ::1): this machine's network
   address, the same "Network URL" Streamlit prints when it starts;
3. otherwise the address the page was opened with, which that browser could already reach.

`link_base` decides from plain values (tested directly); `share_link_base` reads them from
Streamlit for the running page.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

import streamlit as st

LOOPBACK_HOSTS = ("localhost", "::1")  # and every 127.x.y.z
ALL_INTERFACES = ("0.0.0.0", "::")  # a server listening here answers the network; a browser there is local
DEFAULT_PORTS = {80: "http", 443: "https"}  # ports a link leaves out


@dataclass(frozen=True)
class LinkBase:
    url: str  # scheme://host:port/path of the page, no query; "" when no address is known at all
    note: str  # which address the link uses and why, for the teacher


def _is_loopback(host: str | None) -> bool:
    host = (host or "").strip("[]").lower()
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def _with_host(parts: urllib.parse.SplitResult, host: str, port: int | None) -> str:
    """The page's address with its host (and port) replaced; IPv6 literals get their brackets."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    netloc = shown if port is None else f"{shown}:{port}"
    return urllib.parse.urlunsplit((parts.scheme or "http", netloc, parts.path or "/", "", ""))


def link_base(browser_url: str | None, server_address: str | None, server_port: int | None,
              lan_address: str | None, listen_address: str | None = None) -> LinkBase:
    """Where a shared link points. `browser_url`: the page as this browser opened it (None when
    Streamlit does not say); `server_address` / `server_port`: browser.serverAddress and
    browser.serverPort when the server's owner set the address, else None; `lan_address`: this
    machine's network address (None when it has none); `listen_address`: server.address, the
    interface the server listens on (None or "" when it listens on all of them)."""
    parts = urllib.parse.urlsplit(browser_url or "")
    if server_address:
        host = server_address.strip().rstrip("/")
        port = server_port if server_port else parts.port
        if port in DEFAULT_PORTS:  # behind a proxy on 443 the class uses https, with no port in the link
            parts, port = parts._replace(scheme=DEFAULT_PORTS[port]), None
        url = _with_host(parts, host, port)
        return LinkBase(url, f"The link uses the server address set for this app (browser.serverAddress): "
                             f"{urllib.parse.urlsplit(url).netloc}.")
    if not parts.hostname:
        return LinkBase("", "Streamlit did not report this page's address: add the text below to the page's "
                            "address to share the settings.")
    if not (_is_loopback(parts.hostname) or parts.hostname in ALL_INTERFACES):
        return LinkBase(urllib.parse.urlunsplit(parts._replace(query="", fragment="")),
                        f"The link uses the address this page was opened with: {parts.netloc}.")
    if _is_loopback(listen_address):  # the server itself answers only this computer
        return LinkBase(urllib.parse.urlunsplit(parts._replace(query="", fragment="")),
                        f"This server listens only on {listen_address} (server.address), so the link only "
                        "opens on this computer. Start it without --server.address (or with 0.0.0.0) to "
                        "share it with the class.")
    if lan_address and not _is_loopback(lan_address):
        url = _with_host(parts, lan_address, parts.port)
        return LinkBase(url, f"This page is open on {parts.hostname}, which on a student's computer means "
                             f"their own computer, so the link uses this machine's network address "
                             f"{urllib.parse.urlsplit(url).netloc} instead (computers on the same network "
                             "can open it).")
    return LinkBase(urllib.parse.urlunsplit(parts._replace(query="", fragment="")),
                    f"This page is open on {parts.hostname} and this machine has no network address, so the "
                    "link only opens on this computer. Set browser.serverAddress to the address students use.")


def _lan_address() -> str | None:
    """This machine's network address as Streamlit finds it for its "Network URL" (no packet is sent)."""
    try:
        from streamlit.net_util import get_internal_ip
    except ImportError:  # an internal helper of Streamlit's: without it, no network address is offered
        return None
    return get_internal_ip()


def _browser_url() -> str | None:
    """The page's address as this browser opened it (None in AppTest and other bare runs)."""
    return getattr(st.context, "url", None)


def share_link_base() -> LinkBase:
    """link_base for the page being drawn, from Streamlit's context and options."""
    from streamlit import config

    configured = config.is_manually_set("browser.serverAddress")
    return link_base(_browser_url(),
                     st.get_option("browser.serverAddress") if configured else None,
                     int(st.get_option("browser.serverPort")) if configured else None,
                     _lan_address(), st.get_option("server.address"))
