"""HTML building blocks: every value goes through `esc` (html.escape) on its way into a page.

Pages are plain strings assembled from these helpers: no template engine, no script, one small
stylesheet inline (allowed by the Content-Security-Policy through its hash, so the policy can
forbid everything else). Values shown to a steward are names, identifiers and attributes of
customers: escaping them is what keeps a hostile record from becoming markup.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape
from urllib.parse import urlencode

from singleview.domain.identifiers import Identifier
from singleview.domain.records import Customer, Evidence, PersonAttributes, SourceRecordRef

CSS = """
:root{font-family:system-ui,sans-serif;line-height:1.4;color:#1b1b1b;background:#fff}
body{margin:0}header{background:#1f3a5f;color:#fff;padding:.5rem 1rem}
header a{color:#fff}nav{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header input[type=text]{width:auto}header label{display:inline}
main{padding:1rem;max-width:90rem}h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f5}.num{text-align:right;font-variant-numeric:tabular-nums}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.side{border:1px solid #bbb;padding:.5rem}.contradicts{background:#fde8e8}
.notice{background:#e6f4ea;border:1px solid #2e7d32;padding:.5rem}
.error{background:#fde8e8;border:1px solid #b71c1c;padding:.5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}
dd{margin:0}fieldset{margin:1rem 0}label{display:block;font-weight:600}
textarea,input[type=text]{width:100%;max-width:40rem;font:inherit}
button{font:inherit;padding:.4rem 1rem;margin:.3rem .5rem .3rem 0;cursor:pointer}
.inline{display:inline}code{white-space:pre-wrap;word-break:break-all}
a:focus,button:focus,input:focus,textarea:focus{outline:3px solid #f9a825}
"""

CSS_HASH = "sha256-" + base64.b64encode(hashlib.sha256(CSS.encode("utf-8")).digest()).decode()
"""The stylesheet's hash, for `style-src` in the Content-Security-Policy."""


def esc(value: object) -> str:
    """Text and attribute-safe: quotes are escaped too."""
    return escape(str(value), quote=True)


def link(href: str, text: str) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def url(path: str, **query: str) -> str:
    """A path with a query string of the non-empty parameters."""
    params = {k: v for k, v in query.items() if v}
    return f"{path}?{urlencode(params)}" if params else path


def when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return (
        f'<time datetime="{esc(moment.isoformat())}">{esc(f"{moment:%Y-%m-%d %H:%M:%S %Z}")}</time>'
    )


def table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table whose cells are already HTML; an empty body says so in one row."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    if not body:
        body = f'<tr><td colspan="{len(headers)}">None.</td></tr>'
    return (
        f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def definitions(items: Iterable[tuple[str, str]]) -> str:
    """A definition list; values are already HTML, empty ones are left out."""
    return "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in items if v) + "</dl>"


def customer_id_of(name: str) -> str:
    return name.removeprefix("customers/")


def customer_link(customer_id: str) -> str:
    return link(f"/customers/{customer_id}", f"customers/{customer_id}")


def identifier_text(identifier: Identifier) -> str:
    prefix = f"{identifier.namespace}:" if identifier.namespace else ""
    return f"{identifier.kind.value} {prefix}{identifier.value}"


def identifier_list(identifiers: Iterable[Identifier]) -> str:
    items = "".join(f"<li>{esc(identifier_text(i))}</li>" for i in sorted(identifiers))
    return f"<ul>{items}</ul>" if items else ""


def record_text(ref: SourceRecordRef) -> str:
    return f"{ref.source}/{ref.record_id}"


def attribute_items(attributes: PersonAttributes) -> list[tuple[str, str]]:
    address = attributes.address
    parts = [*address.lines, address.locality, address.region, address.postal_code]
    return [
        ("Given name", esc(attributes.given_name)),
        ("Family name", esc(attributes.family_name)),
        ("Full name", esc(attributes.full_name)),
        ("Birth date", esc(attributes.birth_date.isoformat() if attributes.birth_date else "")),
        ("Address", esc(", ".join(p for p in [*parts, address.country] if p))),
    ]


def golden(customer: Customer) -> str:
    return definitions(attribute_items(customer.golden)) or "<p>No attributes.</p>"


def evidence_list(evidence: Iterable[Evidence]) -> str:
    """The labels a steward reads (Splink-style levels), with their weights."""
    items = "".join(
        f"<li>{esc(e.label)}"
        + (f" <span>(weight {e.weight:+.2f})</span>" if e.weight else "")
        + "</li>"
        for e in evidence
    )
    return f"<ul>{items}</ul>" if items else ""


def page(title: str, body: str, *, who: str = "", csrf: str = "", notice: str = "") -> str:
    """The whole document: navigation, the flash notice (if any) and the body."""
    account = ""
    if who:
        account = f"<span>Signed in as {esc(who)}</span>"
        if csrf:
            account += (
                '<form class="inline" method="post" action="/logout">'
                f'<input type="hidden" name="csrf_token" value="{esc(csrf)}">'
                "<button>Sign out</button></form>"
            )
    nav = (
        '<nav aria-label="Console">'
        + link("/", "Review queue")
        + link("/audit", "Audit log")
        + '<form class="inline" method="get" action="/customers" role="search">'
        '<label for="find-customer" class="inline">Customer</label> '
        '<input id="find-customer" name="name" type="text" size="30" '
        'placeholder="customers/…"> <button>Open</button></form>' + account + "</nav>"
    )
    flash = f'<p class="notice" role="status">{esc(notice)}</p>' if notice else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · singleview console</title><style>{CSS}</style></head>"
        f"<body><header>{nav}</header><main><h1>{esc(title)}</h1>{flash}{body}</main>"
        "</body></html>"
    )


def hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{esc(name)}" value="{esc(value)}">'


def reason_field(field_id: str, label: str) -> str:
    return (
        f'<label for="{esc(field_id)}">{esc(label)}</label>'
        f'<textarea id="{esc(field_id)}" name="reason" rows="2" required maxlength="512">'
        "</textarea>"
    )
