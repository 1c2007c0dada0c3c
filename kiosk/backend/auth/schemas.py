from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=256)


class UserOut(BaseModel):
    id: int
    email: str
    role: str
    stores: list[str]
    is_active: bool


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=10, max_length=256)
    role: str = Field(pattern="^(admin|manager|staff)$")
    stores: list[str] = Field(default_factory=list, max_length=100)


class AccessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field(pattern="^(admin|manager|staff)$")
    stores: list[str] = Field(default_factory=list, max_length=100)


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=10, max_length=256)
