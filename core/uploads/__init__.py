"""Uploaded files: an allow-list of types checked by content, a size limit, random storage
names outside ``static/`` and downloads only as attachments.

- ``detection``: which kind of file some bytes are (PDF, DOCX, XLSX, ODT, JPEG, PNG).
- ``storage``: where the bytes live, behind a small interface (a local folder for now).
- ``models``: ``StoredFile``, one row per stored upload.
- ``operations``: ``store_upload`` and ``delete_stored_file`` (they flush, never commit).
- ``responses``: ``send_stored_file``, called by a domain view after its permission check.
- ``forms``: ``FileUploadField``, a file input with a hint about accepted types and size.

Core has no download route of its own: only a domain view knows who may see a file.
"""
