"""Review ids that are unique across devices: UUIDv7 layout (RFC 9562), derived from the review itself.

The 48-bit timestamp is the review's own time in milliseconds; the 74 "random" bits are a SHA-256 of the review's
identity (question, exact time, rating, and its occurrence among reviews identical in all three). So the same
review gets the same id on every device, whether it was recorded there, migrated from an older database, imported
from a backup or pulled by `mlpath sync`; and two different reviews never share one (short of a hash collision).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from hashlib import sha256 as _sha256

_UUID_TEXT = set("0123456789abcdef-")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def canonical_time(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("time must be timezone-aware")
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def review_uid(question_id: str, at: datetime, rating: int, occurrence: int = 0) -> str:
    """The id of the ``occurrence``-th (from 0) review of ``question_id`` at ``at`` with ``rating``."""
    key = f"{question_id}\x1f{canonical_time(at)}\x1f{int(rating)}\x1f{int(occurrence)}".encode()
    digest = int.from_bytes(hashlib.sha256(key).digest()[:10], "big")  # 80 bits, 74 used
    ms = max(0, (at - _EPOCH) // timedelta(milliseconds=1))  # exact integer arithmetic, no float rounding
    rand_a = digest & 0xFFF
    rand_b = (digest >> 12) & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_HOUR_MS: dict[str, int] = {}  # "YYYY-MM-DD HH" -> milliseconds from the epoch to the start of that UTC hour
_EPOCH_DAY = _EPOCH.date().toordinal()


def review_uid_of_utc_text(question_id: str, at: str, rating: int) -> str:
    """``review_uid(question_id, at, rating)`` for a UTC time given as text ``YYYY-MM-DD HH:MM:SS.ffffff`` (as the
    database stores it), computed from the text without building datetimes: the same id, several times faster
    (bulk imports derive one per review). Any other text is parsed and handed to ``review_uid``."""
    if len(at) != 26 or at[10] != " " or at[19] != "." or at[13] != ":" or at[16] != ":":
        return review_uid(question_id, datetime.fromisoformat(at).replace(tzinfo=timezone.utc), rating)
    ms = _utc_text_ms(at)
    # the hex of the digest's first 80 bits: the low 12 are rand_a, the 62 above them rand_b (as in review_uid)
    d = _sha256(f"{question_id}\x1f{at[:10]}T{at[11:]}Z\x1f{int(rating)}\x1f0".encode()).digest()[:10].hex()
    t = f"{max(0, ms) & 0xFFFF_FFFF_FFFF:012x}"
    return f"{t[:8]}-{t[8:]}-7{d[17:]}-{_VARIANT[d[1]]}{d[2:5]}-{d[5:17]}"


def _utc_text_ms(at: str) -> int:
    """Milliseconds from the epoch to ``at``, stored UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` (checked by the caller)."""
    hour = at[:13]
    base = _HOUR_MS.get(hour)
    if base is None:
        base = ((date.fromisoformat(at[:10]).toordinal() - _EPOCH_DAY) * 24 + int(at[11:13])) * 3_600_000
        if len(_HOUR_MS) < 200_000:
            _HOUR_MS[hour] = base
    return base + int(at[14:16]) * 60_000 + int(at[17:19] + at[20:23])  # seconds and milliseconds, as one number


def uid_time_bounds(first: str, last: str) -> tuple[str, str] | None:
    """For reviews at times from ``first`` to ``last`` (stored UTC text, ``YYYY-MM-DD HH:MM:SS.ffffff``): the range
    ``[low, high)`` of ids that `review_uid` gives them, compared as text (lowercase hex sorts as the number, and
    the 48-bit time comes first). None when a time is not in that form."""
    for at in (first, last):
        if len(at) != 26 or at[10] != " " or at[19] != "." or at[13] != ":" or at[16] != ":":
            return None
    try:
        low, high = _utc_text_ms(first), _utc_text_ms(last) + 1
    except ValueError:
        return None
    out = []
    for ms in (max(0, low), max(0, high)):
        if ms > 0xFFFF_FFFF_FFFF:
            return None
        t = f"{ms:012x}"
        out.append(f"{t[:8]}-{t[8:]}")
    return out[0], out[1]


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}  # 0b10 and the top two bits of rand_b


def is_review_uid(text: object) -> bool:
    """Whether ``text`` looks like an id made by `review_uid` (36 characters of lowercase hex and dashes, v7)."""
    return (isinstance(text, str) and len(text) == 36 and set(text) <= _UUID_TEXT
            and [len(p) for p in text.split("-")] == [8, 4, 4, 4, 12] and text[14] == "7" and text[19] in "89ab")
