"""Intellectual-property use settings per group (policies.md §6).

A single-patient tablet learns from ``register_patient`` in which contexts
(clinical, commercial, educational, research) its group uses the tasks, and
hides tasks whose licence prohibits that use.  Each group owns at most one
``_security_ip_use`` row; a group without one means "none of these".
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from copse.db.insert import insert_id
from copse.errors import UserError
from copse.schema.tables import groups, ip_use

__all__ = ["IP_USE_FLAGS", "IpUse", "get_ip_use", "ip_use_info_json", "set_ip_use"]

IP_USE_FLAGS = ("clinical", "commercial", "educational", "research")


@dataclass(frozen=True)
class IpUse:
    clinical: bool = False
    commercial: bool = False
    educational: bool = False
    research: bool = False


def get_ip_use(conn: sa.Connection, group_id: int) -> IpUse:
    """The group's settings; all False if it has none (the reference's default)."""
    row = conn.execute(
        sa.select(ip_use)
        .join(groups, groups.c.ip_use_id == ip_use.c.id)
        .where(groups.c.id == group_id)
    ).first()
    if row is None:
        return IpUse()
    return IpUse(**{f: bool(getattr(row, f)) for f in IP_USE_FLAGS})


def set_ip_use(conn: sa.Connection, group_id: int, **flags: bool | None) -> IpUse:
    """Change some flags (None = leave as is), creating the group's row if needed."""
    unknown = set(flags) - set(IP_USE_FLAGS)
    if unknown:
        raise ValueError(f"Unknown IP-use flags: {sorted(unknown)}")
    row = conn.execute(sa.select(groups.c.ip_use_id).where(groups.c.id == group_id)).first()
    if row is None:
        raise UserError("Nonexistent group")
    changes = {k: bool(v) for k, v in flags.items() if v is not None}
    if row.ip_use_id is None:
        values = {f: False for f in IP_USE_FLAGS}
        values.update(changes)
        new_id = insert_id(conn, sa.insert(ip_use).values(**values))
        conn.execute(sa.update(groups).where(groups.c.id == group_id).values(ip_use_id=new_id))
    elif changes:
        conn.execute(sa.update(ip_use).where(ip_use.c.id == row.ip_use_id).values(**changes))
    return get_ip_use(conn, group_id)


def ip_use_info_json(settings: IpUse) -> str:
    """``ip_use_info`` for the client (wire.md §5.5): 0/1 ints in this key order."""
    return json.dumps(
        {
            "ip_use_commercial": int(settings.commercial),
            "ip_use_clinical": int(settings.clinical),
            "ip_use_educational": int(settings.educational),
            "ip_use_research": int(settings.research),
        }
    )
