"""Waiver templates (versioned) and the signed-waiver PDF for crew."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ...domain.waivers import WaiverTemplate
from ...services import waiver_templates as templates
from ...services import waivers
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx
from ..schemas import (
    WaiverTemplateEdit,
    WaiverTemplateIn,
    WaiverTemplateListOut,
    WaiverTemplateOut,
    WaiverTemplateVersionsOut,
)
from .common import ERRORS

router = APIRouter(route_class=DeferredRoute, tags=["waivers"], responses=ERRORS)


def template_out(t: WaiverTemplate) -> WaiverTemplateOut:
    return WaiverTemplateOut(
        id=t.id,
        name=t.name,
        version=t.version,
        text=t.text,
        sha256=t.sha256,
        created_at=t.created_at,
        created_by=t.created_by,
    )


@router.get("/waiver-templates", response_model=WaiverTemplateListOut)
def list_templates(ctx: Ctx, crew: Crew) -> WaiverTemplateListOut:
    return WaiverTemplateListOut(templates=[template_out(t) for t in templates.list_templates(ctx)])


@router.post("/waiver-templates", response_model=WaiverTemplateOut, status_code=201)
def create_template(body: WaiverTemplateIn, ctx: Ctx, crew: Crew) -> WaiverTemplateOut:
    return template_out(templates.create_template(ctx, by=crew, name=body.name, text=body.text))


@router.put("/waiver-templates/{template_id}", response_model=WaiverTemplateOut)
def edit_template(
    template_id: str, body: WaiverTemplateEdit, ctx: Ctx, crew: Crew
) -> WaiverTemplateOut:
    template = templates.edit_template(
        ctx, by=crew, template_id=template_id, text=body.text, name=body.name
    )
    return template_out(template)


@router.get("/waiver-templates/{template_id}/versions", response_model=WaiverTemplateVersionsOut)
def list_versions(template_id: str, ctx: Ctx, crew: Crew) -> WaiverTemplateVersionsOut:
    versions = templates.list_versions(ctx, template_id=template_id)
    return WaiverTemplateVersionsOut(versions=[template_out(t) for t in versions])


@router.get(
    "/events/{event_id}/{patron_id}/waiver.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The signed waiver"}},
)
def waiver_pdf(event_id: str, patron_id: str, ctx: Ctx, crew: Crew) -> Response:
    pdf = waivers.crew_waiver_pdf(ctx, event_id=event_id, patron_id=patron_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="waiver-{patron_id}.pdf"'},
    )
