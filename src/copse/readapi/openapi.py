"""The OpenAPI 3.1 document of the read API, and a browsable page of it.

Both are built from the same :class:`~copse.readapi.endpoint.Operation`
declarations as the router, so every route is documented and every
documented path is served (the tests check both ways anyway).  The docs page
is plain server-rendered HTML: no JavaScript, nothing from a CDN.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from copse.readapi.endpoint import PREFIX, Json, Operation
from copse.readapi.params import DEFAULT_LIMIT, MAX_LIMIT, Param

ERROR_TEXT = {
    "400": "Bad input: the message names the parameter",
    "401": "No valid API token (missing, unknown, expired or revoked)",
    "403": "The token's user may not use the read API",
    "404": "Not found, or not visible to you",
}

_NULLABLE_STR = {"type": ["string", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"]}


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(props: dict[str, Any], required: Sequence[str] = ()) -> Json:
    out: Json = {"type": "object", "properties": props}
    if required:
        out["required"] = list(required)
    return out


def _list_of(item: str, paged: bool) -> Json:
    props: dict[str, Any] = {"items": {"type": "array", "items": _ref(item)}}
    if paged:
        props["next_cursor"] = {
            **_NULLABLE_STR,
            "description": "Pass as cursor for the next page; null on the last page",
        }
    return _obj(props, ["items", *(["next_cursor"] if paged else [])])


SUMMARY = _obj(
    {
        "name": {"type": "string"},
        "value": {"type": ["number", "string", "boolean", "null"]},
        "description": {"type": "string"},
        "out_of": {"type": ["number", "null"]},
    },
    ["name", "value", "description"],
)
IDNUM = _obj({"which_idnum": {"type": "integer"}, "idnum_value": _NULLABLE_INT})
SCHEMAS: dict[str, Json] = {
    "Error": _obj(
        {"status": {"type": "integer"}, "error": {"type": "string"}}, ["status", "error"]
    ),
    "Summary": SUMMARY,
    "TaskListItem": _obj(
        {
            "table": {"type": "string"},
            "pk": {"type": "integer"},
            "url": {"type": "string"},
            "task_type": {"type": "string"},
            "when_created": _NULLABLE_STR,
            "when_created_utc": _NULLABLE_STR,
            "era": {"type": "string"},
            "group_id": {"type": "integer"},
            "device_id": {"type": "integer"},
            "adding_user_id": _NULLABLE_INT,
            "patient_pk": _NULLABLE_INT,
            "patient_url": _NULLABLE_STR,
            "complete": {"type": ["boolean", "null"]},
            "summaries": {"type": ["array", "null"], "items": _ref("Summary")},
        },
        ["table", "pk", "url", "summaries"],
    ),
    "TaskPage": _list_of("TaskListItem", True),
    "BlobLink": _obj(
        {
            "pk": {"type": "integer"},
            "id": {"type": "integer"},
            "table": _NULLABLE_STR,
            "field": _NULLABLE_STR,
            "mimetype": _NULLABLE_STR,
            "filename": _NULLABLE_STR,
            "size": _NULLABLE_INT,
            "url": {"type": "string"},
        },
        ["pk", "url"],
    ),
    "Task": _obj(
        {
            "table": {"type": "string"},
            "pk": {"type": "integer"},
            "url": {"type": "string"},
            "task_type": {"type": "string"},
            "longname": {"type": "string"},
            "complete": {"type": ["boolean", "null"]},
            "server": {"type": "object", "description": "Server bookkeeping columns"},
            "fields": {"type": "object", "description": "The task row's own columns"},
            "ancillary": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "object"}},
            },
            "blobs": {"type": "array", "items": _ref("BlobLink")},
            "summaries": {"type": ["array", "null"], "items": _ref("Summary")},
            "patient": {"oneOf": [_ref("Patient"), {"type": "null"}]},
        },
        ["table", "pk", "fields", "ancillary", "blobs", "summaries"],
    ),
    "Patient": _obj(
        {
            "pk": {"type": "integer"},
            "url": {"type": "string"},
            "tasks_url": {"type": "string"},
            "forename": _NULLABLE_STR,
            "surname": _NULLABLE_STR,
            "dob": _NULLABLE_STR,
            "sex": _NULLABLE_STR,
            "group_id": {"type": "integer"},
            "device_id": {"type": "integer"},
            "era": {"type": "string"},
            "idnums": {"type": "array", "items": IDNUM},
        },
        ["pk", "url"],
    ),
    "PatientPage": _list_of("Patient", True),
    "DownloadJob": _obj(
        {
            "id": {"type": "integer"},
            "state": {
                "type": "string",
                "enum": ["queued", "running", "done", "failed", "expired", "deleted"],
            },
            "format": {"type": "string", "enum": ["csv", "xlsx", "sqlite"]},
            "progress_rows": {"type": "integer"},
            "total_rows": _NULLABLE_INT,
            "reason": {**_NULLABLE_STR, "description": "Why a job failed"},
            "size_bytes": _NULLABLE_INT,
            "created_utc": {"type": "string"},
            "finished_utc": _NULLABLE_STR,
            "expires_utc": _NULLABLE_STR,
            "url": {"type": "string"},
            "file_url": {**_NULLABLE_STR, "description": "Set once the job is done"},
        },
        ["id", "state", "format", "url", "file_url"],
    ),
    "DownloadJobList": _list_of("DownloadJob", False),
    "TaskTypeHead": _obj(
        {
            "table": {"type": "string"},
            "url": {"type": "string"},
            "shortname": {"type": "string"},
            "longname": {"type": "string"},
            "has_patient": {"type": "boolean"},
            "has_scoring_logic": {"type": "boolean"},
        },
        ["table", "url", "has_scoring_logic"],
    ),
    "TaskTypeList": _list_of("TaskTypeHead", False),
    "TaskType": {
        "allOf": [
            _ref("TaskTypeHead"),
            _obj(
                {
                    "fields": {
                        "type": "array",
                        "items": _obj(
                            {
                                "table": {"type": "string"},
                                "name": {"type": "string"},
                                "kind": {"type": "string"},
                                "meaning": {"type": "string"},
                            }
                        ),
                    },
                    "summaries": {
                        "type": "array",
                        "items": _obj(
                            {
                                "name": {"type": "string"},
                                "kind": {"type": "string"},
                                "description": {"type": "string"},
                            }
                        ),
                    },
                    "ancillary_tables": {"type": "array", "items": {"type": "string"}},
                    "blob_fields": {"type": "array", "items": {"type": "string"}},
                }
            ),
        ]
    },
    "Group": _obj(
        {"id": {"type": "integer"}, "name": {"type": "string"}, "description": _NULLABLE_STR}
    ),
    "GroupList": _list_of("Group", False),
    "IdnumDefinition": _obj(
        {
            "which_idnum": {"type": "integer"},
            "description": _NULLABLE_STR,
            "short_description": _NULLABLE_STR,
        }
    ),
    "IdnumDefinitionList": _list_of("IdnumDefinition", False),
    "Binary": {"type": "string", "contentMediaType": "application/octet-stream"},
}


def _param_schema(p: Param) -> Json:
    if p.kind in ("int",):
        return {"type": "integer"}
    if p.kind == "limit":
        return {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}
    if p.kind == "date":
        return {"type": "string", "format": "date"}
    if p.kind == "bool":
        return {"type": "boolean"}
    if p.kind == "enum":
        return {"type": "string", "enum": list(p.choices)}
    if p.kind == "tasktypes":
        return {"type": "array", "items": {"type": "string"}}
    return {"type": "string"}


def _parameter(p: Param) -> Json:
    out: Json = {
        "name": p.name,
        "in": p.location,
        "description": p.description,
        "required": p.location == "path",
        "schema": _param_schema(p),
    }
    if p.kind == "tasktypes":
        out["style"], out["explode"] = "form", True
    return out


def _error(text: str) -> Json:
    return {"description": text, "content": {"application/json": {"schema": _ref("Error")}}}


def _operation(op: Operation) -> Json:
    responses: Json = {
        "200": {
            "description": "OK",
            "content": {op.media_type: {"schema": _ref(op.schema)}},
        }
    }
    has_path = any(p.location == "path" for p in op.params)
    for code, text in ERROR_TEXT.items():
        if code == "404" and not has_path:
            continue
        responses[code] = _error(text)
    out: Json = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "description": op.description,
        "tags": list(op.tags),
        "parameters": [_parameter(p) for p in op.params],
        "responses": responses,
    }
    if op.writes:
        out["requestBody"] = {
            "required": False,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    return out


def document(operations: Sequence[Operation], version: str) -> Json:
    """The OpenAPI 3.1 document: every operation, its parameters and replies."""
    paths: Json = {}
    for op in operations:
        paths.setdefault(PREFIX + op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "copse read API",
            "version": version,
            "description": (
                "Read-only JSON access to the data you may see on this copse server. "
                "Authenticate with a personal API token (web front end: API tokens; "
                "or `copse token create USER`) sent as 'Authorization: Bearer <token>'. "
                "Every call is audited."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerToken": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token",
                }
            },
            "schemas": SCHEMAS,
        },
    }


def docs_page(operations: Sequence[Operation]) -> str:
    """The operations as one HTML page (escaped; no scripts)."""
    e = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>copse read API</title><link rel='stylesheet' href='/static/copse.css'>",
        "</head><body><main><h1>copse read API</h1>",
        "<p>JSON below <code>" + e(PREFIX) + "</code>. Send a personal API token as "
        "<code>Authorization: Bearer &lt;token&gt;</code>; create one on the "
        "<a href='/api-tokens'>API tokens</a> page. Lists are paged: pass a page's "
        "<code>next_cursor</code> as <code>cursor</code>. Errors are "
        "<code>{&quot;status&quot;: …, &quot;error&quot;: …}</code>. "
        "Machine-readable: <a href='/openapi.json'>/openapi.json</a> (OpenAPI 3.1).</p>",
    ]
    for op in operations:
        anchor = e(op.operation_id)
        parts.append(
            f"<section id='{anchor}'><h2><code>{e(op.method)} {e(PREFIX + op.path)}</code></h2>"
            f"<p><strong>{e(op.summary)}</strong>. {e(op.description)}</p>"
        )
        if op.params:
            parts.append(
                "<table><thead><tr><th>Parameter</th><th>In</th><th>Type</th>"
                "<th>Meaning</th></tr></thead><tbody>"
            )
            for p in op.params:
                kind = p.kind + (f" ({', '.join(p.choices)})" if p.choices else "")
                parts.append(
                    f"<tr><td><code>{e(p.name)}</code></td><td>{e(p.location)}</td>"
                    f"<td>{e(kind)}</td><td>{e(p.description)}</td></tr>"
                )
            parts.append("</tbody></table>")
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "".join(parts)
