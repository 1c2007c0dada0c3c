"""The kiosk process: composition root (`runtime`), settings, state machine, pipeline loop and
the local UI server. `kiosk run` / `kiosk demo` (kiosk/commands/run.py) start it."""
