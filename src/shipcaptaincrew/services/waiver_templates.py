"""Waiver templates: versioned text. Editing stores a new version; old versions stay."""

from __future__ import annotations

from ..domain.errors import Conflict, DuplicateKey, NotFound
from ..domain.models import AuditEntry, CrewMember, new_id
from ..domain.waivers import WaiverTemplate, check_template, text_sha256
from . import audit
from .access import actor_of, require_manager
from .context import Context


def get_template(ctx: Context, *, template_id: str, version: int | None = None) -> WaiverTemplate:
    """That version (default: the latest) of a template, or NotFound. Changes nothing."""
    template = ctx.store.get_waiver_template(template_id, version)
    if template is None:
        details: dict[str, object] = {"template_id": template_id}
        if version is not None:
            details["version"] = version
        raise NotFound("No such waiver template.", details)
    return template


def list_templates(ctx: Context) -> list[WaiverTemplate]:
    """The latest version of every template, by name. Changes nothing."""
    return ctx.store.list_waiver_templates()


def list_versions(ctx: Context, *, template_id: str) -> list[WaiverTemplate]:
    """Every version of a template, oldest first, or NotFound. Changes nothing."""
    versions = ctx.store.list_waiver_template_versions(template_id)
    if not versions:
        raise NotFound("No such waiver template.", {"template_id": template_id})
    return versions


def create_template(ctx: Context, *, by: CrewMember, name: str, text: str) -> WaiverTemplate:
    """Create a template at version 1 (admins and captains). The text is stored with line
    endings normalised and outer blank space removed; its SHA-256 is of that stored text.
    Writes an audit entry."""
    require_manager(by)
    name, text = check_template(name, text)
    template = WaiverTemplate(
        id=new_id("wvt"),
        name=name,
        version=1,
        text=text,
        sha256=text_sha256(text),
        created_at=ctx.now(),
        created_by=by.id,
    )
    ctx.store.add_waiver_template(template, _entry(ctx, by, "waiver_template.created", template))
    return template


def edit_template(
    ctx: Context, *, by: CrewMember, template_id: str, text: str, name: str | None = None
) -> WaiverTemplate:
    """Store the next version of a template with the new text (and name, if given) (admins
    and captains). Signatures keep pointing at the version they signed. Saving the same
    name and text as the latest version stores nothing and returns the latest. Writes an
    audit entry; Conflict when someone else saved a version at the same moment."""
    require_manager(by)
    latest = get_template(ctx, template_id=template_id)
    name, text = check_template(latest.name if name is None else name, text)
    if name == latest.name and text == latest.text:
        return latest
    template = WaiverTemplate(
        id=latest.id,
        name=name,
        version=latest.version + 1,
        text=text,
        sha256=text_sha256(text),
        created_at=ctx.now(),
        created_by=by.id,
    )
    try:
        ctx.store.add_waiver_template(template, _entry(ctx, by, "waiver_template.edited", template))
    except DuplicateKey:
        raise Conflict(
            "Someone else saved this template at the same moment; reload and retry.",
            {"template_id": template_id, "version": template.version},
        ) from None
    return template


def _entry(ctx: Context, by: CrewMember, action: str, template: WaiverTemplate) -> AuditEntry:
    return audit.entry(
        ctx,
        actor=actor_of(by),
        action=action,
        subject=f"{template.id}@{template.version}",
        data={
            "template_id": template.id,
            "name": template.name,
            "version": template.version,
            "sha256": template.sha256,
        },
    )
