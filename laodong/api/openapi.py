"""The API described as OpenAPI 3.1, served at /api/v1/openapi.json; a test keeps it equal to
the URL conf and checks real answers against it."""

from __future__ import annotations

from typing import Any

from laodong.forms.definitions import FORM_CODES

_ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*statuses: int) -> dict[str, Any]:
    texts = {
        400: "Bad request (the message says what, in Vietnamese)",
        401: "Not signed in",
        403: "The account's role may not use the API",
        404: "No such form",
        405: "Method not allowed",
        413: "Body too large",
    }
    return {
        str(status): {
            "description": texts[status],
            "content": {"application/json": {"schema": _ERROR}},
        }
        for status in statuses
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


# A real day written dd/mm/yyyy between 1900 and 2099 (29 February only in leap years), or
# nothing: what the validator accepts as a reference date.
REAL_DATE = (
    r"^$|^(?:(?:0[1-9]|1[0-9]|2[0-8])/(?:0[1-9]|1[0-2])|(?:29|30)/(?:0[13-9]|1[0-2])"
    r"|31/(?:0[13578]|1[02]))/(?:19|20)[0-9]{2}$"
    r"|^29/02/(?:(?:19|20)(?:0[48]|[2468][048]|[13579][26])|2000)$"
)

CODE = {
    "name": "code",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": list(FORM_CODES)},
    "description": "form version, e.g. tt11-2022-m03 or tt09-2025-m01",
}

SCHEMA: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "laodong API",
        "version": "1",
        "description": (
            "Form versions and the register's validation engine. Sign in with the site's "
            'session (cookie); every answer is JSON, errors as {"error": "…"}.'
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"session": []}],
    "paths": {
        "/forms/": {
            "get": {
                "operationId": "listForms",
                "summary": "Form versions",
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/FormList"}, "The versions"),
                    **_errors(401, 403, 405),
                },
            }
        },
        "/forms/{code}/": {
            "get": {
                "operationId": "viewForm",
                "summary": "A version's definition: items, options, skip rules, code lists",
                "parameters": [CODE],
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/FormDefinition"}, "The form"),
                    **_errors(401, 403, 404, 405),
                },
            }
        },
        "/forms/{code}/validate/": {
            "post": {
                "operationId": "validateForm",
                "summary": "Check answers with the register's rules; nothing is stored",
                "parameters": [CODE],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ValidateRequest"}
                        }
                    },
                },
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/ValidateResponse"}, "Findings"),
                    **_errors(400, 401, 403, 404, 405, 413),
                },
            }
        },
    },
    "components": {
        "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "sessionid"}},
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "string"}},
            },
            "FormList": {
                "type": "object",
                "required": ["forms"],
                "properties": {
                    "forms": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["code", "form_number", "legal_basis"],
                            "properties": {
                                "code": {"type": "string"},
                                "form_number": {"type": "string"},
                                "legal_basis": {"type": "string"},
                            },
                        },
                    }
                },
            },
            "FormDefinition": {
                "type": "object",
                "required": ["code", "title", "items", "code_lists", "sections"],
                "properties": {
                    "code": {"type": "string"},
                    "title": {"type": "string"},
                    "form_number": {"type": "string"},
                    "legal_basis": {"type": "string"},
                    "sections": {"type": "array", "items": {"type": "object"}},
                    "items": {"type": "array", "items": {"type": "object"}},
                    "code_lists": {"type": "object"},
                },
            },
            "ValidateRequest": {
                "type": "object",
                "required": ["answers"],
                "properties": {
                    "answers": {
                        "type": "object",
                        "description": "item key → answer as typed",
                        "additionalProperties": {
                            "anyOf": [
                                {"type": "string"},
                                {"type": "number"},
                                {"type": "boolean"},
                                {"type": "null"},
                                {"type": "array", "items": {"type": "string"}},
                            ]
                        },
                    },
                    "reference_date": {
                        "type": "string",
                        "pattern": REAL_DATE,
                        "description": "age is computed on this day, dd/mm/yyyy (a real date "
                        "from 1900 to 2099); empty or absent: today",
                    },
                },
            },
            "ValidateResponse": {
                "type": "object",
                "required": ["form", "valid", "findings", "unknown_items", "values"],
                "properties": {
                    "form": {"type": "string"},
                    "valid": {"type": "boolean"},
                    "findings": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["rule", "severity", "field", "message"],
                            "properties": {
                                "rule": {"type": "string"},
                                "severity": {"type": "string", "enum": ["error", "warning"]},
                                "field": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        },
                    },
                    "unknown_items": {"type": "array", "items": {"type": "string"}},
                    "values": {"type": "object"},
                },
            },
        },
    },
}
