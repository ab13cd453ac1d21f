"""A file input for forms whose upload goes through ``store_upload``.

The field only checks that a file was chosen (when ``required``); the real checks (type by
content, size, name) happen in ``store_upload``, whose ``OperationError`` the view shows next
to the field with ``form.add_operation_error``.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from core.uploads import detection
from core.uploads.operations import DEFAULT_KINDS, accepted_types_text, format_size
from core.uploads.storage import max_upload_bytes


def upload_hint(kinds: Iterable[str] = DEFAULT_KINDS) -> LazyString:
    """"Accepted types: PDF, PNG. At most 10 MB.", worded when the page is rendered (so in
    the reader's language, with the configured limit)."""
    return _l("Accepted types: %(types)s. At most %(limit)s.",
              types=accepted_types_text(kinds),
              limit=LazyString(lambda: format_size(max_upload_bytes())))


class FileUploadField(FileField):
    """A file input limited to ``kinds``, with a hint listing them and the size limit.

    ``required=True`` refuses a form sent without a file. The ``accept`` attribute only helps
    the browser's file picker; nothing relies on it.
    """

    def __init__(self, label=None, validators=(), *, kinds: Iterable[str] = DEFAULT_KINDS,
                 required: bool = False, **kwargs):
        kinds = tuple(kinds)
        self.kinds = kinds
        if required:
            validators = [FileRequired(message=_l("Choose a file to upload.")), *validators]
        kwargs.setdefault("description", upload_hint(kinds))
        accept = ",".join(f".{ext}" for kind in kinds for ext in detection.EXTENSIONS[kind])
        kwargs.setdefault("render_kw", {}).setdefault("accept", accept)
        super().__init__(label, validators, **kwargs)
