"""The sheets' PDF laid out one team-day sheet per process, then put together as one document.

WeasyPrint lays a document out on one core, and the layout is most of a plan's writing time. Every
sheet starts on a new page and shares nothing with the others but the page numbers ("第 N 页" in
the top-right corner, counted through the whole document so a loose page can be put back in
order). So runs of sheets are rendered apart without the number, their pages are joined in
order with pikepdf (qpdf), and the numbers are laid over them from one more small document of empty
pages under the same ``@page`` rules: the same font, size and place as when the whole document is
rendered at once.
"""

from __future__ import annotations

import io
import math
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from gis.i18n import gettext as _

_SHEET = '<section class="sheet"'
#: Sheets in one run at most: WeasyPrint holds a run's whole layout until it writes it, ~18 MB a sheet, so a
#: district's 200 sheets in two runs took 3.9 GB. A process keeps about its largest run's memory. Each run
#: embeds its own subset of the fonts, so the runs are no smaller than they need to be.
SHEETS_PER_RUN = 25
_END = "</section>"
_NO_NUMBER = "@page { @top-right { content: none; } }"
# a later run goes on after a page break, where the body's top margin is not repeated
_GOES_ON = "body { margin-top: 0; }"


def split_sheets(html: str) -> tuple[str, list[str], str]:
    """The document's head (up to its first sheet), each sheet's ``<section>``, and what follows the last.

    Sheets are found by their tag as the template writes it; text from users inside them is
    escaped by Jinja, so it can never look like one.
    """
    first, last = html.find(_SHEET), html.rfind(_END)
    if first < 0 or last < first:
        return html, [], ""
    body, sheets, at = html[first:last + len(_END)], [], 0
    while at < len(body):
        end = body.index(_END, at) + len(_END)
        sheets.append(body[at:end])
        at = body.find(_SHEET, end)
        if at < 0:
            break
    return html[:first], sheets, html[last + len(_END):]


def workers_here() -> int:
    """The cores this process may use (its CPU affinity), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def parallel_pdf(html: str, render: Callable[..., bytes], *, workers: int | None = None,
                 progress: Callable[[float, str], None] | None = None) -> bytes | None:
    """The PDF of the sheets ``html``, runs of its sheets rendered by ``render(html)`` in ``workers`` processes.

    ``render`` must be a module-level function (it runs in the worker processes). Returns ``None``
    when there is nothing to gain (one sheet, or one core): render the whole document then.
    ``progress(fraction, message)`` is told as each sheet is done.
    """
    head, sheets, tail = split_sheets(html)
    workers = min(workers or workers_here(), len(sheets))
    if workers < 2:
        return None
    groups = balanced_groups([len(s) for s in sheets], max(workers, math.ceil(len(sheets) / SHEETS_PER_RUN)))
    first, later = (head.replace("</head>", f"<style>{css}</style></head>",
                                 1) for css in (_NO_NUMBER, _NO_NUMBER + _GOES_ON))
    parts: list[bytes | None] = [None] * len(groups)
    with ProcessPoolExecutor(max_workers=workers, mp_context=pool_context()) as pool:
        futures = {pool.submit(render, (later if a else first) + "".join(sheets[a:b]) + tail): k
                   for k, (a, b) in enumerate(groups)}
        done_sheets = 0
        for future in as_completed(futures):
            parts[futures[future]] = future.result()
            a, b = groups[futures[future]]
            done_sheets += b - a
            if progress is not None:
                progress(0.9 * done_sheets / len(sheets),
                         _("%(done)d of %(n)d sheets laid out", done=done_sheets, n=len(sheets)))
    if progress is not None:
        progress(0.92, _("joining the sheets"))
    return _joined(parts, lambda pages: render(_numbers_document(head, pages, tail)))


def balanced_groups(sizes: Sequence[int], count: int) -> list[tuple[int, int]]:
    """``count`` runs of consecutive items (start, end), each of about the same total size.

    Runs of many sheets rather than one document per sheet: each document embeds its own subset
    of the Chinese fonts, so fewer documents keep the joined PDF small.
    """
    total, groups, start, acc = sum(sizes), [], 0, 0
    for k, size in enumerate(sizes):
        acc += size
        left_items, left_groups = len(sizes) - k - 1, count - len(groups) - 1
        if left_groups > 0 and (acc >= total * (len(groups) + 1) / count or left_items == left_groups):
            groups.append((start, k + 1))
            start = k + 1
    groups.append((start, len(sizes)))
    return [g for g in groups if g[1] > g[0]]


def pool_context() -> multiprocessing.context.BaseContext:
    """Fork where this process has one thread, else spawn.

    Forking is quick (WeasyPrint is already imported); forking threads is unsafe.
    """
    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


def _numbers_document(head: str, pages: int, tail: str) -> str:
    """``pages`` empty pages under the sheets' own ``@page`` rules: only their page numbers are printed."""
    return head + '<section class="sheet"></section>' * pages + tail


def _joined(parts: Sequence[bytes], numbers: Callable[[int], bytes]) -> bytes:
    """The runs' pages in order, each with its page number laid over it (qpdf, through pikepdf: fast)."""
    import pikepdf

    runs = [pikepdf.open(io.BytesIO(part)) for part in parts]
    out = pikepdf.new()
    for run in runs:
        out.pages.extend(run.pages)
    stamps = pikepdf.open(io.BytesIO(numbers(len(out.pages))))
    if len(stamps.pages) != len(out.pages):
        msg = f"page numbers: {len(stamps.pages)} pages of numbers for {len(out.pages)} pages of sheets"
        raise RuntimeError(msg)
    for page, stamp in zip(out.pages, stamps.pages):
        page.add_overlay(stamp)
    out.docinfo = out.copy_foreign(runs[0].docinfo)  # title and producer, as WeasyPrint wrote them
    buffer = io.BytesIO()
    out.save(buffer, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()
