"""Connecting to the sync server: URLs shown without their password, failures as one line, the schema check."""

from typing import NamedTuple
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from mlpath.errors import MlpathError, UserError

SCHEMA = "mlpath"
VERSION_TABLE = "server_version"
# The server revisions this mlpath knows, oldest first (tests check them against migrations/versions).
SERVER_REVISIONS = ("s0001_class", "s0002_memory_model")
SERVER_HEAD = SERVER_REVISIONS[-1]
CONNECT_TIMEOUT = 10  # seconds


class SyncUnavailable(MlpathError):
    """The server cannot be reached or went away: nothing was lost; sync again later (exit 1)."""


class ServerUrl(NamedTuple):
    url: str  # as given, password included: never print it

    @property
    def parts(self):
        return urlsplit(self.url)

    @property
    def user(self) -> str | None:
        return unquote(self.parts.username) if self.parts.username else None

    @property
    def has_password(self) -> bool:
        return self.parts.password is not None

    @property
    def shown(self) -> str:
        """The URL without its password (what messages and logs may show)."""
        p = self.parts
        host = p.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = (f"{quote(self.user or '', safe='')}@" if p.username else "") + host + (
            f":{p.port}" if p.port else "")
        return urlunsplit((p.scheme, netloc, p.path, "", ""))

    @property
    def database(self) -> str:
        return unquote(self.parts.path.lstrip("/")) or (self.user or "")

    def with_user(self, user: str, password: str) -> str:
        p = self.parts
        host = p.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}" + (f":{p.port}" if p.port else "")
        return urlunsplit((p.scheme, netloc, p.path, p.query, ""))


def parse_url(url: str, what: str = "sync URL") -> ServerUrl:
    """Check that ``url`` is a postgresql:// URL naming a database. The message never repeats the URL (it may
    hold a password)."""
    if not isinstance(url, str) or not url.strip():
        raise UserError(f"the {what} is empty; it looks like postgresql://USER:PASSWORD@HOST:5432/DATABASE")
    url = url.strip()
    try:
        p = urlsplit(url)
        p.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise UserError(f"the {what} is not a valid URL; it looks like postgresql://USER:PASSWORD@HOST:5432/DATABASE") \
            from None
    if p.scheme not in ("postgresql", "postgres"):
        raise UserError(f"the {what} must start with postgresql:// (got {p.scheme or 'no scheme'}://...)")
    if not p.hostname or not p.path.strip("/"):
        raise UserError(f"the {what} must name a host and a database: postgresql://USER:PASSWORD@HOST:5432/DATABASE")
    return ServerUrl(url)


def _reason(e: Exception) -> str:
    text = " ".join(str(e).split())
    for prefix in ("connection failed:", "FATAL:"):
        text = text.replace(prefix, "")
    return " ".join(text.split())[:200]


def connect(server: ServerUrl, *, autocommit: bool = False):
    """A psycopg connection; a failure becomes one line: bad credentials exit 2, an unreachable server exit 1."""
    import psycopg

    try:
        return psycopg.connect(server.url, connect_timeout=CONNECT_TIMEOUT, autocommit=autocommit,
                               application_name="mlpath")
    except psycopg.Error as e:
        reason = _reason(e)
        low = reason.lower()
        if "permission denied for database" in low:
            raise UserError(f"the user of {server.shown} may not connect to that database (it is not a member of "
                            "this class)") from None
        if "password" in low or "role" in low and "does not exist" in low or "authentication" in low \
                or "permission denied" in low or "not permitted to log in" in low:
            raise UserError(f"the sync server {server.shown} refused the credentials (wrong user name or "
                            "password)") from None
        if "database" in low and "does not exist" in low:
            raise UserError(f"the sync server has no database {server.database!r} ({server.shown})") from None
        raise SyncUnavailable(f"cannot reach the sync server {server.shown} ({reason}); nothing was changed, "
                              "try again later") from None


def lost(server: ServerUrl, e: Exception) -> SyncUnavailable:
    return SyncUnavailable(f"lost the sync server {server.shown} ({_reason(e)}); nothing was lost: what was "
                           "saved stays saved, and the next sync carries on")


def schema_version(conn) -> str | None:
    """The server's schema revision, or None where no class was set up (no mlpath schema)."""
    row = conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.{VERSION_TABLE}",)).fetchone()
    if row[0] is None:
        return None
    row = conn.execute(f"SELECT version_num FROM {SCHEMA}.{VERSION_TABLE}").fetchone()
    return row[0] if row else None


def check_schema(conn, server: ServerUrl, older_ok: bool = False) -> str:
    """The server's schema revision, if this mlpath can work with it: the newest it knows, or (``older_ok``, for
    a learner's sync and a teacher's report) an older one whose missing parts are then left out."""
    version = schema_version(conn)
    if version == SERVER_HEAD:
        return version
    if version is None:
        raise UserError(f"the sync server {server.shown} has no mlpath class; a teacher or admin sets one up "
                        "with `mlpath class init`")
    if version not in SERVER_REVISIONS:
        raise UserError(f"the sync server {server.shown} has a newer schema ({version}) than this mlpath knows; "
                        "upgrade mlpath")
    if older_ok:
        return version
    raise UserError(f"the sync server {server.shown} has an older schema ({version}); the class's admin upgrades it "
                    "with `mlpath class init`")


def has_memory_model(version: str) -> bool:
    """Whether a server at this schema revision keeps learners' memory models (from s0002_memory_model)."""
    return SERVER_REVISIONS.index(version) >= SERVER_REVISIONS.index("s0002_memory_model")


def refused(server: ServerUrl, e: Exception) -> MlpathError:
    """Any other error the server reports, in one line (nothing was committed by the failing step)."""
    return MlpathError(f"the sync server {server.shown} refused a step of the sync ({_reason(e)}); nothing was "
                       "lost; if it persists, the class's admin can check the server")
