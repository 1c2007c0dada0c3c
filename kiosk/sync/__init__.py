"""Kiosk side of the backend contract (kiosk/backend/API.md): a durable SQLite outbox of
session events, an HTTP client for every kiosk route, and the sync thread between them."""
