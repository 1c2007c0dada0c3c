# Maraya — one Makefile for the two commands (demo, test) and the developer's others.
# Every target that runs code first makes sure the machine is set up: Debian packages
# (installed when root, else the exact sudo line is printed) and the project's .venv.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEB_PACKAGES := libusb-1.0-0 libgl1 libegl1 libgles2 espeak-ng alsa-utils chromium postgresql fonts-noto-core

.PHONY: demo test bench eval gallery lint deps install clean

demo: install
	$(PY) -m kiosk.cli demo

test: install
	$(PY) -m pytest

bench: install
	$(PY) -m bench

eval: install
	$(PY) -m vision.evaluate
	$(PY) -m recommender.evaluate
	$(PY) -m kiosk.assistant.evaluate

gallery: install
	$(PY) -m vision.makeup.gallery --out build/gallery/makeup
	$(PY) -m vision.render.gallery --out build/gallery/furniture

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages: $$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	  else \
	    echo "Missing Debian packages. Run:"; echo "  sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi

install: deps $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

clean:
	rm -rf build .pytest_cache
