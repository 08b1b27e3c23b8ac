"""The officials' JSON API (/api/v1/complaints/desk): queues and the workflow, with roles
and the second factor enforced as on the desk pages."""

from ninja import Router

router = Router(tags=["complaints desk"])
