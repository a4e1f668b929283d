"""Hostile implementations of act.softmax for the isolation tests: each tries to take the
checker down (hang in C or in Python, allocate, exit, crash, raise BaseException, return
nonsense). Imported by name in the worker process, as a user's target would be."""

from __future__ import annotations

import ctypes
import os
import sys
import time

import torch


def c_hang(z):
    time.sleep(3600)  # a hang inside C: no Python-level exception can interrupt it


def python_hang(z):
    while True:
        pass


def allocating_loop(z):
    kept = []
    while True:
        kept.append([object() for _ in range(1000)])
        if len(kept) > 200:  # allocate forever, but stay within memory
            kept.clear()


def swallowing_loop(z):
    while True:
        try:
            time.sleep(0.001)
        except BaseException:  # swallows the time limit's exception, again and again
            pass


def exits_zero(z):
    os._exit(0)


def exits_seven(z):
    os._exit(7)


def calls_sys_exit(z):
    sys.exit(3)


def segfaults(z):
    ctypes.string_at(0)


class Escape(BaseException):
    pass


def raises_base_exception(z):
    raise Escape("not an Exception")


def raises_keyboard_interrupt(z):
    raise KeyboardInterrupt


def returns_none(z):
    return None


def returns_string(z):
    return "softmax"


def returns_wrong_shape(z):
    return z.sum(-1)


def returns_int_tensor(z):
    return torch.zeros_like(z, dtype=torch.int64)


def buggy(z):
    e = torch.exp(z)  # no max shift: overflows
    return e / e.sum(-1, keepdim=True)


def good(z):
    return torch.softmax(z, dim=-1)
