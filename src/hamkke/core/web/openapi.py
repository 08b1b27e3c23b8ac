"""The API's OpenAPI document made exact: every operation lists the error answers the site may
give it, in the one error format, and no two apps' schemas share a component name."""

from __future__ import annotations

import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from ninja import NinjaAPI
from ninja.constants import NOT_SET
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import BaseModel

# Every operation may answer these, whatever its router declares: the site refuses bad input
# (400: a NUL character, a date off the calendar), an unknown object (404), a body over its cap
# (413), a request its schema refuses (422) and too many attempts (429) alike; an operation that
# signs in or writes may also answer 401 and 403, and a write 409.
EVERY_OPERATION_ERRORS = (400, 404, 413, 422, 429)
SIGNED_IN_ERRORS = (401, 403)
WRITE_ERRORS = (401, 403, 409)
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
ERROR_DESCRIPTIONS = {
    400: "Bad input, refused with a reason (a NUL character, a date off the calendar, …)",
    401: "Not signed in",
    403: "Not allowed (a role, a verification, the CSRF token)",
    404: "No such object",
    409: "Clashes with the current state",
    413: "The request body is over its cap",
    422: "The request does not fit the operation's schema",
    429: "Too many attempts: wait (Retry-After)",
}
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "For people; may be translated"},
        "code": {"type": "string", "description": "Stable, for programs"},
        "field": {"type": "string", "description": "The parameter or field refused, if one"},
    },
    "required": ["detail", "code"],
}
COMPONENTS = REF_TEMPLATE.format(model="")


class DocumentedApi(NinjaAPI):
    """A NinjaAPI whose OpenAPI document clients (and the schemathesis fuzz test) can hold it
    to: every status it answers is listed, every schema named once."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = DistinctNamesSchema(self, path_prefix)
        schema["components"].setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"application/json": {"schema": {"$ref": f"{COMPONENTS}Error"}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                statuses = set(EVERY_OPERATION_ERRORS)
                if operation.get("security"):
                    statuses.update(SIGNED_IN_ERRORS)
                if method in WRITE_METHODS:
                    statuses.update(WRITE_ERRORS)
                for status in sorted(statuses):
                    operation["responses"].setdefault(
                        status, {"description": ERROR_DESCRIPTIONS[status], "content": error}
                    )
        return schema


class DistinctNamesSchema(OpenAPISchema):
    """ninja names a component after its class alone, so two apps' `MeOut` overwrite each
    other and the document describes one operation's answer with the other's schema. A name
    that two models share is given its app's name in front (AccountsMeOut, BudgetMeOut)."""

    def __init__(self, api: NinjaAPI, path_prefix: str) -> None:
        self.shared_names = _shared_names(api)
        super().__init__(api, path_prefix)

    def _create_schema_from_model(
        self, model, by_alias: bool = True, remove_level: bool = True, mode="validation"
    ):
        renames = {
            cls.__name__: qualified_name(cls)
            for cls in models_in(model)
            if cls.__name__ in self.shared_names
        }
        if not renames or hasattr(model, "__ninja_flatten_map__"):
            return super()._create_schema_from_model(model, by_alias, remove_level, mode)
        schema = model.model_json_schema(
            ref_template=REF_TEMPLATE,
            by_alias=by_alias,
            schema_generator=NinjaGenerateJsonSchema,
            mode=mode,
        )
        schema = _renamed(schema, renames)
        if schema.get("$defs"):
            self.add_schema_definitions(schema.pop("$defs"))
        # As ninja does: a generated wrapper of one field stands for that field.
        if remove_level and len(schema["properties"]) == 1:
            name, details = next(iter(schema["properties"].items()))
            return details, name in schema.get("required", {})
        return schema, True


def qualified_name(cls: type) -> str:
    """The class's name after its app's: hamkke.budget.schemas.MeOut is BudgetMeOut, and
    hamkke.core.city.api.PlaceOut (core's rooms count as apps here) CityPlaceOut."""
    parts = cls.__module__.split(".")
    app = parts[2] if len(parts) > 2 and parts[1] == "core" else parts[min(1, len(parts) - 1)]
    return app.title().replace("_", "") + cls.__name__


def models_in(model: Any) -> Iterator[type[BaseModel]]:
    """`model` and every pydantic model its fields hold, however deep (lists, unions, …)."""
    seen: set[type] = set()
    pending = [model]
    while pending:
        current = pending.pop()
        if isinstance(current, type) and issubclass(current, BaseModel):
            if current in seen:
                continue
            seen.add(current)
            yield current
            pending.extend(field.annotation for field in current.model_fields.values())
        else:
            pending.extend(typing.get_args(current))


def _shared_names(api: NinjaAPI) -> set[str]:
    classes: dict[str, set[type]] = defaultdict(set)
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                roots = [*operation.models, *operation.response_models.values()]
                for root in roots:
                    if root is None or root is NOT_SET:
                        continue
                    for cls in models_in(root):
                        classes[cls.__name__].add(cls)
    return {name for name, found in classes.items() if len(found) > 1}


def _renamed(value: Any, renames: dict[str, str]) -> Any:
    """A generated schema with the components of `renames` under their new names: the keys of
    `$defs` and every `$ref` to them (pydantic may add -Input or -Output to a name)."""

    def new_name(name: str) -> str:
        base, dash, mode = name.partition("-")
        return f"{renames[base]}{dash}{mode}" if base in renames else name

    if isinstance(value, dict):
        renamed = {}
        for key, child in value.items():
            if key == "$ref" and isinstance(child, str) and child.startswith(COMPONENTS):
                renamed[key] = COMPONENTS + new_name(child[len(COMPONENTS) :])
            elif key == "$defs":
                renamed[key] = {new_name(k): _renamed(v, renames) for k, v in child.items()}
            else:
                renamed[key] = _renamed(child, renames)
        return renamed
    if isinstance(value, list):
        return [_renamed(child, renames) for child in value]
    return value
