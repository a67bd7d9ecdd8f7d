"""QR codes of the result forms, for the printed sheets and the check-in page.

A module of its own, importing segno only, so that the processes that share out a district's codes
start quickly however they are started.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool

import segno

log = logging.getLogger(__name__)

#: Below this many codes a process of its own does not pay for its start (a code takes ~4 ms).
QR_PER_PROCESS = 300


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as an SVG data URI (medium error correction survives a crumpled sheet)."""
    return segno.make(url, error="m").svg_data_uri(scale=3, border=2)


def qr_data_uris(urls: Sequence[str], *, workers: int | None = None) -> list[str]:
    """:func:`qr_data_uri` of each of ``urls``, in order; in a pool of processes when there are many.

    segno tries all eight masks of each code and keeps the one the standard scores best for scanners,
    which is most of a district plan's writing time (3,300 stops: 14 s on one core). The masks stay
    the standard's; the codes are shared out over the cores instead.
    """
    from concurrent.futures import ProcessPoolExecutor

    from .sheets_parallel import pool_context, workers_here

    workers = min(workers or workers_here(), len(urls) // QR_PER_PROCESS)
    if workers < 2:
        return [qr_data_uri(url) for url in urls]
    context = pool_context()  # spawn after Dask (its idle thread stays): this module's children import segno only
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(qr_data_uri, urls, chunksize=max(1, len(urls) // (4 * workers))))
    except (BrokenProcessPool, OSError) as err:  # no processes to be had here: the sheets still get their codes
        log.warning("QR codes made in one process (%s)", err)
        return [qr_data_uri(url) for url in urls]
