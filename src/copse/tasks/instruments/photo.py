"""Photograph and photograph sequence.

* ``photosequence``: rule per tasks.md §3 and data-model.md §7.4: complete
  when ``sequence_description`` is non-empty **and** at least one current
  ``photosequence_photos`` child exists (children linked by
  ``photosequence_id``, ordered by ``seqnum``).
* ``photo``: the interface reference gives no rule; a photograph task exists
  to hold a picture, so we call it complete when ``photo_blobid`` refers to a
  BLOB (the description is optional).

Photos are shown as ``<img>`` elements when the web layer provides a URL for
the referenced BLOB; the (defunct) ``rotation`` column is ignored, the blob's
own ``image_rotation_deg_cw`` is honoured.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import TaskData, TaskDefinition
from copse.tasks.values import as_int, is_nonempty_text

PHOTOS = "photosequence_photos"


class Photo(TaskDefinition):
    tablename = "photo"

    def is_complete(self, task: TaskData) -> bool | None:
        return as_int(task.get("photo_blobid")) is not None

    def body_html(self, task: TaskData) -> Markup:
        rows = [
            ("Description", task.get("description")),
            ("Photograph", h.blob_html(as_int(task.get("photo_blobid")), task.blobs, "photograph")),
        ]
        return h.section("Photograph", h.table(rows, css_class="copse-answers"))


class PhotoSequence(TaskDefinition):
    tablename = "photosequence"

    def is_complete(self, task: TaskData) -> bool | None:
        return is_nonempty_text(task.get("sequence_description")) and len(task.children(PHOTOS)) > 0

    def body_html(self, task: TaskData) -> Markup:
        photos = task.children(PHOTOS)
        parts = [
            h.section(
                "Sequence",
                h.table(
                    [
                        ("Description", task.get("sequence_description")),
                        ("Number of photographs", len(photos)),
                    ]
                ),
            )
        ]
        for index, photo in enumerate(photos, start=1):
            rows = [
                ("Position", photo.get("seqnum")),
                ("Description", photo.get("description")),
                (
                    "Photograph",
                    h.blob_html(
                        as_int(photo.get("photo_blobid")), task.blobs, f"photograph {index}"
                    ),
                ),
            ]
            parts.append(h.section(f"Photograph {index}", h.table(rows, css_class="copse-answers")))
        return Markup("").join(parts)


TASKS = (Photo(), PhotoSequence())
