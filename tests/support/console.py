"""A small HTTP client for the stewards' console, as a browser without scripts uses it.

It keeps the session cookie, does not follow redirects (tests look at them), and reads a page's
forms (hidden fields, CSRF token, request_id) and links with the standard library's HTML parser.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


class Page(HTMLParser):
    """What a test needs from a page: its text, form inputs by name, link targets."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, list[str]] = {}
        self.links: list[str] = []
        self.forms: list[str] = []
        self.text_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "input" and "name" in values:
            self.inputs.setdefault(values["name"], []).append(values.get("value", ""))
        elif tag == "a" and "href" in values:
            self.links.append(values["href"])
        elif tag == "form" and values.get("method") == "post":
            self.forms.append(values.get("action", ""))

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    @property
    def page(self) -> Page:
        parsed = Page()
        parsed.feed(self.body)
        return parsed

    def field(self, name: str) -> str:
        return self.page.inputs[name][0]


class ConsoleClient:
    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def _send(
        self, method: str, path: str, body: str | None, headers: dict[str, str] | None
    ) -> Reply:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return Reply(response.status, response.headers, text)

    def get(self, path: str) -> Reply:
        return self._send("GET", path, None, None)

    def post(
        self,
        path: str,
        fields: list[tuple[str, str]],
        headers: dict[str, str] | None = None,
    ) -> Reply:
        return self._send("POST", path, urlencode(fields), headers)
