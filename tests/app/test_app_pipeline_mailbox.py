"""The one-slot hand-off between the pipeline's stages: newest wins, nothing queues."""

from __future__ import annotations

import threading

from kiosk.app.mailbox import Mailbox


def test_the_receiver_gets_the_newest_item_and_the_slot_empties():
    box: Mailbox[int] = Mailbox()
    box.put(1)
    box.put(2)  # not taken yet: replaced, never queued behind
    assert box.take(timeout=0) == 2
    taken_s = box.taken_s
    assert taken_s > 0
    assert box.take(timeout=0.01) is None
    assert box.taken_s == taken_s  # only taking an item counts


def test_the_sender_learns_when_the_receiver_took_the_last_item():
    box: Mailbox[str] = Mailbox()
    assert box.wait_empty(timeout=0)
    box.put("frame")
    assert not box.wait_empty(timeout=0.01)
    taker = threading.Thread(target=box.take, args=(1.0,))
    taker.start()
    assert box.wait_empty(timeout=5.0)
    taker.join()


def test_take_wakes_as_soon_as_an_item_arrives():
    box: Mailbox[str] = Mailbox()
    got: list[str | None] = []
    taker = threading.Thread(target=lambda: got.append(box.take(timeout=10.0)))
    taker.start()
    box.put("frame")
    taker.join(timeout=5.0)
    assert got == ["frame"]
