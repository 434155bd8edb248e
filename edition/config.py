"""Project configuration: where things are, and the few choices an editor makes.

Read from ``edition.toml`` at the project root when present; every value
has a default so a bare project builds.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from edition.diagnostics import Diagnostic, EditionError, SourcePosition

LANGUAGES = ("en", "kk", "ru")
"""Languages the edition knows: content, abstracts and interface strings."""


@dataclass(frozen=True)
class Config:
    root: Path
    """The project root; nothing is read or written outside it."""
    out_dir: Path
    """Where the site is built (``site/`` by default)."""
    strict: bool = False
    """Warnings fail the build."""
    quiet: bool = False
    citation_style: str = "journal"
    """Name of the literature citation style (``journal`` or ``chicago``)."""
    site_title: str = "edition"
    base_url: str = ""
    """Absolute URL of the published site, for sitemap and citation metadata."""
    languages: tuple[str, ...] = LANGUAGES
    build_date: str = field(default="")
    """ISO date used where the build must record a date (anchor tombstones);
    from ``SOURCE_DATE_EPOCH`` when set, so builds are reproducible."""

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def bibliography_path(self) -> Path:
        return self.root / "bibliography.bib"

    @property
    def lock_path(self) -> Path:
        return self.root / "anchors.lock"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".edition-cache"


def _build_date() -> str:
    import datetime as dt

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        moment = (dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch
                  else dt.datetime.now(dt.timezone.utc))
    except (ValueError, OverflowError, OSError):
        raise EditionError([Diagnostic(SourcePosition("SOURCE_DATE_EPOCH"), "error", "config-key",
                                       f"SOURCE_DATE_EPOCH must be seconds since 1970, not {epoch[:40]!r}")]
                           ) from None
    return moment.date().isoformat()


def load_config(root: Path, out_dir: Path | None = None, strict: bool = False,
                quiet: bool = False) -> Config:
    """Read ``edition.toml``; a malformed file is a user error, not a traceback."""
    root = root.resolve()
    settings: dict = {}
    toml_path = root / "edition.toml"
    if toml_path.exists():
        import tomllib  # only for a project that has the file

        try:
            settings = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, IsADirectoryError, PermissionError) as error:
            raise EditionError([Diagnostic(SourcePosition("edition.toml"), "error", "config-syntax",
                                           "edition.toml cannot be read as UTF-8 text: "
                                           f"{getattr(error, 'reason', None) or error}")]) from None
        except tomllib.TOMLDecodeError as error:
            # Python 3.14 gives the place as attributes; earlier versions only in the message.
            place = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
            line = getattr(error, "lineno", None) or (int(place.group(1)) if place else 1)
            col = getattr(error, "colno", None) or (int(place.group(2)) if place else 1)
            raise EditionError([Diagnostic(SourcePosition("edition.toml", line, col), "error",
                                           "config-syntax", str(error).split(" (at")[0])]) from None
    edition = settings.get("edition", settings)
    if not isinstance(edition, dict):
        raise EditionError([Diagnostic(SourcePosition("edition.toml"), "error", "config-key",
                                       "'edition' must be a table of settings: [edition]")])
    config = Config(root=root, out_dir=(out_dir or root / "site"), strict=strict, quiet=quiet,
                    build_date=_build_date())
    known = {"citation_style": str, "site_title": str, "base_url": str}
    problems = []
    for key, value in edition.items():
        if key == "base_url" and isinstance(value, str) and value and not value.startswith(("https://", "http://")):
            problems.append(Diagnostic(SourcePosition("edition.toml"), "error", "config-key",
                                       f"base_url must be an http:// or https:// address, not {value[:60]!r}"))
        elif key not in known or not isinstance(value, known[key]):
            problems.append(Diagnostic(SourcePosition("edition.toml"), "error", "config-key",
                                       f"unknown or mistyped setting {key!r}",
                                       "known settings: " + ", ".join(sorted(known))))
        else:
            config = replace(config, **{key: value})
    if problems:
        raise EditionError(problems)
    return config
