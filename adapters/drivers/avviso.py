"""The paper notice of a position, for drivers whose intermediary prints none (GPD).

Maps what the proxy knows (the tenant's notice profile, the debtor, the position, the
digital stamp) onto :class:`adapters.notice.Notice` and renders pagoPA's standard notice
with :func:`adapters.notice.render_notice`.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.core.intermediary import Debtor as PositionDebtor
from adapters.core.intermediary import PositionContext
from adapters.notice import (
    Creditor,
    Debtor,
    Notice,
    PaymentOption,
    PostalAccount,
    StampDetails,
    render_notice,
)

__all__ = ["debtor_address", "due_date", "notice_of", "render_position_notice"]


def debtor_address(debtor: PositionDebtor) -> str | None:
    """ "Via Roma 1, 56100 Bugliano (PI)", from what the payer's data has."""
    street = " ".join(p for p in (debtor.street_name, debtor.building_number) if p)
    town = " ".join(p for p in (debtor.postal_code, debtor.town_name) if p)
    if debtor.province:
        town = f"{town} ({debtor.province})".strip()
    return ", ".join(p for p in (street, town) if p) or None


def due_date(expire_at: datetime | None) -> date | None:
    """The due date as Italians read it: the expiry's day in Rome."""
    if expire_at is None:
        return None
    try:
        return expire_at.astimezone(ZoneInfo("Europe/Rome")).date()
    except ZoneInfoNotFoundError:  # no tz database installed: the UTC day is at most 2 h off
        return expire_at.date()


def notice_of(ctx: PositionContext) -> Notice:
    """The notice of a position; raises ``adapters.notice.InvalidNotice`` on bad data."""
    profile = ctx.creditor.profile
    postal = None
    if profile.postal_account:
        postal = PostalAccount(
            number=profile.postal_account,
            holder=profile.postal_account_holder or ctx.creditor.creditor_name,
            authorization=profile.postal_authorization,
        )
    creditor = Creditor(
        name=ctx.creditor.creditor_name,
        fiscal_code=ctx.position.creditor_fiscal_code,
        office=profile.office,
        contact_info=profile.contact_info,
        website=profile.website,
        cbill_code=profile.cbill_code,
        logo=profile.logo,
        postal_account=postal,
    )
    debtor = Debtor(
        name=ctx.debtor.full_name or ctx.debtor.fiscal_code,
        fiscal_code=ctx.debtor.fiscal_code,
        address=debtor_address(ctx.debtor),
    )
    option = PaymentOption(
        notice_number=ctx.position.notice_number,
        amount=ctx.position.amount,
        due_date=due_date(ctx.expire_at),
        iuv=ctx.position.iuv or None,
    )
    stamp = None
    if ctx.stamp is not None:
        stamp = StampDetails(
            document_hash=ctx.stamp.document_hash,
            province=ctx.stamp.province,
            stamp_type=ctx.stamp.stamp_type,
        )
    return Notice(creditor=creditor, debtor=debtor, subject=ctx.reason, single=option, stamp=stamp)


def render_position_notice(ctx: PositionContext) -> bytes:
    """The A4 notice PDF of a position."""
    return render_notice(notice_of(ctx))
