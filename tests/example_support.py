"""Helpers of the example tests: import an example script as a module, recognise a PNG file."""
import importlib.util
import os

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "examples")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def example(name):
    """Import examples/<name>.py as a module (its main(argv) runs it)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", os.path.join(EXAMPLES, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def is_png(path):
    with open(path, "rb") as handle:
        return handle.read(8) == PNG_MAGIC
