"""The Maraya backend: the FastAPI service staff run their kiosks from and every kiosk syncs to.

`create_app(settings)` (kiosk.backend.app) is the composition root; each domain (auth, stores,
catalogue, kiosks, sessions, analytics, help, faq, handoff) keeps its models, schemas, service
and router in its own subpackage.
"""
