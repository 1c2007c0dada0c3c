"""Every table, imported in one place so Alembic (and nothing else) sees the whole schema."""

from kiosk.backend.audit import AuditEntry
from kiosk.backend.auth.models import LoginAttempt, LoginThrottle, StaffSession, User, user_stores
from kiosk.backend.catalogue.models import Product, RemovedProduct, Shade, Variant
from kiosk.backend.db import Base
from kiosk.backend.faq.models import FaqEntry
from kiosk.backend.handoff.models import Handoff
from kiosk.backend.help.models import HelpRequest
from kiosk.backend.kiosks.models import Kiosk, ModelRelease
from kiosk.backend.sessions.models import IngestBatch, SessionEvent
from kiosk.backend.stores.models import Store

__all__ = [
    "AuditEntry",
    "Base",
    "FaqEntry",
    "Handoff",
    "HelpRequest",
    "IngestBatch",
    "Kiosk",
    "LoginAttempt",
    "LoginThrottle",
    "ModelRelease",
    "Product",
    "RemovedProduct",
    "SessionEvent",
    "Shade",
    "StaffSession",
    "Store",
    "User",
    "Variant",
    "user_stores",
]
