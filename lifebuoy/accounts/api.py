"""REST handlers for the signed-in person, their API tokens and organizations."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema
from ninja.responses import Status

from lifebuoy.accounts.api_auth import AuthedRequest

from . import selectors, services
from .models import ApiToken, Organization, User

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    email: str
    name: str
    role: str
    tier: int | None
    organization_id: int | None

    @staticmethod
    def resolve_name(obj: User) -> str:
        return obj.display_name


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str
    plan: str
    support_tier: int
    timezone: str


class TokenIn(Schema):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class TokenCreatedOut(TokenOut):
    secret: str


@router.get("/me", response=MeOut)
def me_api(request: AuthedRequest) -> User:
    return request.auth


@router.get("/organizations", response=list[OrganizationOut])
def organization_list_api(request: AuthedRequest) -> list[Organization]:
    return list(selectors.organization_list_for_user(user=request.auth))


@router.get("/organizations/{organization_id}", response=OrganizationOut)
def organization_detail_api(request: AuthedRequest, organization_id: int) -> Organization:
    return selectors.organization_get_for_user(user=request.auth, organization_id=organization_id)


@router.get("/tokens", response=list[TokenOut])
def token_list_api(request: AuthedRequest) -> list[ApiToken]:
    return list(request.auth.api_tokens.order_by("-id"))


@router.post("/tokens", response={201: TokenCreatedOut})
def token_create_api(request: AuthedRequest, payload: TokenIn) -> Status[dict[str, object]]:
    token, secret = services.api_token_create(user=request.auth, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "secret": secret})


@router.delete("/tokens/{token_id}", response={204: None})
def token_revoke_api(request: AuthedRequest, token_id: int) -> Status[None]:
    services.api_token_revoke(user=request.auth, token_id=token_id)
    return Status(204, None)
