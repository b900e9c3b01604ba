"""Administration of users, groups and ID number definitions (policies.md §2, §3).

Scope: superusers manage everything.  A group administrator sees the users
who belong to a group they administer, may add users to those groups, and
may change only those groups' memberships, passwords and locks of
non-superusers; they may never grant or change superuser status.  Disabling
or deleting a user affects all their groups, so it needs an administrator of
every one of them (never oneself).  Groups (policies, IP use, which other
groups they may see) and ID number definitions are superuser-only, as they
affect every group; what may be deleted is in :mod:`copse.accounts.admin_ops`.
Changes are audited (copse additions: the reference does not list these
among its web audits).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.responses import Response

from copse.accounts import admin_ops, lockout, mfa
from copse.accounts import web_sessions as auth
from copse.accounts.users import (
    MEMBERSHIP_FLAGS,
    create_group,
    create_user,
    set_membership,
    set_password,
)
from copse.audit import audit
from copse.errors import ActionRefused, UserError
from copse.patients.ip_use import get_ip_use, set_ip_use
from copse.policy.evaluate import policy_problems
from copse.web.endpoint import HttpError, WebContext, forbidden, not_found, page, redirect
from copse.web.forms import parse_int

IP_FLAGS = ("clinical", "commercial", "educational", "research")


def _note(ctx: WebContext, text: str) -> None:
    assert ctx.user is not None
    audit(
        ctx.conn,
        text,
        source="webviewer",
        now=ctx.now,
        remote_addr=ctx.remote_addr,
        user_id=ctx.user.id,
    )


def _require_superuser(ctx: WebContext) -> None:
    if ctx.user is None or not ctx.user.superuser:
        raise forbidden("Only superusers may use this page.")


def _managed_groups(ctx: WebContext) -> list[tuple[int, str]]:
    assert ctx.user is not None
    return admin_ops.administered_groups(ctx.conn, ctx.user.superuser, ctx.user.admin_group_ids)


def _user_in_scope(ctx: WebContext, user_id: int) -> sa.Row[Any]:
    """The user row, if this administrator may manage them (else 404/403)."""
    assert ctx.user is not None
    u = admin_ops.get_user_row(ctx.conn, user_id)
    if u is None:
        raise not_found()
    if ctx.user.superuser:
        return u
    if not admin_ops.group_ids_of(ctx.conn, user_id) & ctx.user.admin_group_ids:
        raise not_found()
    if u.superuser:
        raise forbidden("Only superusers may change superusers.")
    return u


@page(admin=True)
def users_view(ctx: WebContext) -> Response:
    assert ctx.user is not None
    error = None
    if ctx.request.method == "POST" and ctx.field("action") == "mfa-site":
        _require_superuser(ctx)
        required = bool(ctx.field("mfa_required"))
        mfa.set_site_required(ctx.conn, required)
        _note(ctx, f"Two-factor login {'required' if required else 'not required'} for everyone")
    elif ctx.request.method == "POST":
        username, password = ctx.field("username").strip(), ctx.field("password")
        group_id = parse_int(ctx.field("group_id"))
        managed = dict(_managed_groups(ctx))
        problem = auth.password_problem(
            password, password, username, ctx.settings.password_min_length
        )
        if group_id is None or group_id not in managed:
            error = "Choose a group you administer."
        elif problem is not None:
            error = problem
        else:
            try:
                uid = create_user(
                    ctx.conn,
                    username,
                    password,
                    upload_group_id=group_id,
                    bcrypt_rounds=ctx.settings.bcrypt_rounds,
                    now=ctx.now,
                )
            except UserError as exc:
                error = str(exc)
            else:
                admin_ops.set_user_flags(ctx.conn, uid, must_change_password=True)
                set_membership(ctx.conn, uid, group_id, may_use_webviewer=True)
                _note(ctx, f"User added: {username}")
                return redirect(f"/admin/users/{uid}")
    rows = admin_ops.list_users(ctx.conn, None if ctx.user.superuser else ctx.user.admin_group_ids)
    locked = {r.username for r in rows if lockout.locked_until(ctx.conn, r.username, ctx.now)}
    disabled = {r.username for r in rows if not r.hashedpw}
    return ctx.render(
        "users.html",
        title="Users",
        rows=rows,
        locked=locked,
        disabled=disabled,
        error=error,
        groups=_managed_groups(ctx),
        mfa_site=mfa.site_required(ctx.conn),
        status_code=400 if error else 200,
    )


def _require_whole_control(ctx: WebContext, u: sa.Row[Any]) -> None:
    """Disabling or deleting affects every group of the user: only someone who
    administers all of them may do it, and never to themselves or ``system``."""
    assert ctx.user is not None
    if u.id == ctx.user.id:
        raise forbidden("You can't disable or delete yourself.")
    if u.username == "system":
        raise forbidden("The built-in system user can't be changed.")
    if ctx.user.superuser:
        return
    if not admin_ops.group_ids_of(ctx.conn, u.id) <= ctx.user.admin_group_ids:
        raise forbidden("This user also belongs to groups you don't administer; ask a superuser.")


@page(admin=True)
def user_edit(ctx: WebContext) -> Response:
    """Flags per administered group, upload group, password, unlock."""
    assert ctx.user is not None
    u = _user_in_scope(ctx, ctx.request.path_params["user_id"])
    managed = _managed_groups(ctx)
    message = error = None
    if ctx.request.method == "POST":
        action = ctx.field("action")
        if action == "memberships":
            for gid, _ in managed:
                flags = {f: bool(ctx.field(f"{gid}:{f}")) for f in MEMBERSHIP_FLAGS}
                if ctx.field(f"{gid}:member"):
                    set_membership(ctx.conn, u.id, gid, **flags)
                else:
                    admin_ops.remove_membership(ctx.conn, u.id, gid)
            upload = parse_int(ctx.field("upload_group_id"))
            if upload is None or upload in dict(managed):
                admin_ops.set_user_flags(ctx.conn, u.id, upload_group_id=upload)
            if ctx.user.superuser and u.id != ctx.user.id:
                admin_ops.set_user_flags(ctx.conn, u.id, superuser=bool(ctx.field("superuser")))
            _note(ctx, f"User permissions changed: {u.username}")
            message = "Saved."
        elif action == "password":
            new = ctx.field("new_password")
            error = auth.password_problem(
                new, ctx.field("new_password2"), u.username, ctx.settings.password_min_length
            )
            if error is None:
                set_password(
                    ctx.conn, u.id, new, bcrypt_rounds=ctx.settings.bcrypt_rounds, now=ctx.now
                )
                admin_ops.set_user_flags(
                    ctx.conn, u.id, must_change_password=bool(ctx.field("must_change"))
                )
                _note(ctx, f"Password set by administrator for user: {u.username}")
                message = "Password set."
        elif action == "mfa-required":
            required = bool(ctx.field("mfa_required"))
            mfa.set_user_required(ctx.conn, u.id, required)
            _note(
                ctx,
                f"Two-factor login {'required' if required else 'not required'} "
                f"for user: {u.username}",
            )
            message = "Saved."
        elif action == "mfa-reset":
            mfa.reset(ctx.conn, u.id)
            _note(ctx, f"Two-factor login reset for user: {u.username}")
            message = "Two-factor login reset: the password alone logs in until it is set up again."
        elif action == "unlock":
            lockout.unlock(ctx.conn, u.username)
            _note(ctx, f"User unlocked: {u.username}")
            message = "Unlocked."
        elif action in ("disable", "delete"):
            _require_whole_control(ctx, u)
            if action == "disable":
                admin_ops.disable_user(ctx.conn, u.id)
                _note(ctx, f"User disabled: {u.username}")
                message = "Disabled: no password will work until a new one is set."
            else:
                try:
                    admin_ops.delete_user(ctx.conn, u.id)
                except ActionRefused as exc:
                    raise HttpError(400, str(exc)) from None
                _note(ctx, f"User deleted: {u.username}")
                return redirect("/admin/users")
        fresh = admin_ops.get_user_row(ctx.conn, u.id)
        assert fresh is not None  # only "delete" removes the user, and it redirected
        u = fresh
    ms = admin_ops.memberships_of(ctx.conn, u.id)
    return ctx.render(
        "user_edit.html",
        title=f"User {u.username}",
        u=u,
        groups=managed,
        ms=ms,
        flags=MEMBERSHIP_FLAGS,
        message=message,
        error=error,
        locked=lockout.locked_until(ctx.conn, u.username, ctx.now),
        disabled=not u.hashedpw,
        usage=admin_ops.user_usage(ctx.conn, u.id),
        mfa_status=mfa.status(ctx.conn, u.id),
        status_code=400 if error else 200,
    )


@page(admin=True)
def groups_view(ctx: WebContext) -> Response:
    _require_superuser(ctx)
    error = None
    if ctx.request.method == "POST":
        try:
            gid = create_group(
                ctx.conn, ctx.field("name").strip(), ctx.field("description").strip() or None
            )
        except UserError as exc:
            error = str(exc)
        else:
            _note(ctx, f"Group added: {ctx.field('name').strip()}")
            return redirect(f"/admin/groups/{gid}")
    rows = admin_ops.list_groups(ctx.conn)
    return ctx.render(
        "groups.html", title="Groups", rows=rows, error=error, status_code=400 if error else 200
    )


@page(admin=True)
def group_edit(ctx: WebContext) -> Response:
    _require_superuser(ctx)
    gid = ctx.request.path_params["group_id"]
    g = admin_ops.get_group(ctx.conn, gid)
    if g is None:
        raise not_found()
    errors: list[str] = []
    message = None
    if ctx.request.method == "POST" and ctx.field("action") == "delete":
        try:
            admin_ops.delete_group(ctx.conn, gid)
        except ActionRefused as exc:
            raise HttpError(400, str(exc)) from None
        _note(ctx, f"Group deleted: {g.name}")
        return redirect("/admin/groups")
    if ctx.request.method == "POST":
        values: dict[str, Any] = {
            "description": ctx.field("description").strip() or None,
            "upload_policy": ctx.field("upload_policy").strip() or None,
            "finalize_policy": ctx.field("finalize_policy").strip() or None,
            "check_policy_on_upload": bool(ctx.field("check_policy_on_upload")),
        }
        for label, key in (
            ("Upload policy", "upload_policy"),
            ("Finalize policy", "finalize_policy"),
        ):
            problem = policy_problems(values[key], admin_ops.idnum_types(ctx.conn))
            if problem:
                errors.append(f"{label}: {problem}")
        if not errors:
            admin_ops.update_group(ctx.conn, gid, values)
            set_ip_use(ctx.conn, gid, **{f: bool(ctx.field(f"ip_{f}")) for f in IP_FLAGS})
            seen = [
                g2 for g2 in (parse_int(v) for v in ctx.form.get("can_see", [])) if g2 is not None
            ]
            try:
                admin_ops.set_visible_groups(ctx.conn, gid, seen)
            except ActionRefused as exc:
                raise HttpError(400, str(exc)) from None
            _note(ctx, f"Group edited: {g.name}")
            message = "Saved."
            g = admin_ops.get_group(ctx.conn, gid)
            assert g is not None
    return ctx.render(
        "group_edit.html",
        title=f"Group {g.name}",
        g=g,
        errors=errors,
        message=message,
        ip=get_ip_use(ctx.conn, gid),
        ip_flags=IP_FLAGS,
        form=ctx.form,
        others=[(i, n) for i, n in admin_ops.administered_groups(ctx.conn, True, ()) if i != gid],
        can_see=admin_ops.visible_groups_of(ctx.conn, gid),
        status_code=400 if errors else 200,
    )


@page(admin=True)
def idnums_view(ctx: WebContext) -> Response:
    _require_superuser(ctx)
    errors: list[str] = []
    if ctx.request.method == "POST" and ctx.field("action") == "delete":
        which = parse_int(ctx.field("which_idnum"))
        if which is None or admin_ops.get_idnum(ctx.conn, which) is None:
            raise not_found()
        try:
            admin_ops.delete_idnum(ctx.conn, which)
        except ActionRefused as exc:
            errors.append(str(exc))
        else:
            _note(ctx, f"ID number definition deleted: {which}")
            return redirect("/admin/idnums")
    elif ctx.request.method == "POST":
        which = parse_int(ctx.field("which_idnum"))
        desc, short = ctx.field("description").strip(), ctx.field("short_description").strip()
        method = ctx.field("validation_method")
        new = ctx.field("action") == "add"
        errors = admin_ops.idnum_problems(ctx.conn, which, desc, short, new)
        if method not in ("", "uk_nhs_number"):
            errors.append("Unknown validation method")
        if not new and which is not None and admin_ops.get_idnum(ctx.conn, which) is None:
            raise not_found()
        if not errors:
            values = dict(
                description=desc, short_description=short, validation_method=method or None
            )
            assert which is not None  # idnum_problems refuses a missing number
            admin_ops.save_idnum(ctx.conn, which, new, values)
            _note(ctx, f"ID number definition {'added' if new else 'edited'}: {which}")
            return redirect("/admin/idnums")
    rows = admin_ops.list_idnums(ctx.conn)
    return ctx.render(
        "idnums.html",
        title="ID number definitions",
        rows=rows,
        errors=errors,
        status_code=400 if errors else 200,
    )
