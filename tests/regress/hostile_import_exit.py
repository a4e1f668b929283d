"""A target module that ends the process when it is imported."""

import os

os._exit(5)


def softmax(z):  # never reached
    return z
