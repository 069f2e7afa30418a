"""Template engines and template lookup: :func:`render` and the directories it searches.

:func:`render` renders a template name or template text with the Jinja2 or the
``string.Template`` engine. Template names are looked up in the directories added with
:func:`add_template_dir`, in those of the environment variable ``PYNNLITE_TEMPLATE_PATH``
(:data:`ENV_VAR`) and in the installed package ``pynnlite.templates``; the lookup rules and
the naming scheme are in the docstring of :mod:`pynnlite.descriptions`.
"""
from __future__ import annotations

import os
import re
import string
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pynnlite.descriptions.formatting import (GIVEN_BY_CONNECTOR, _combined_units, call_text, component_block,
                                              entry_block, flatten_context, format_number, format_param,
                                              format_value, inline_params, markdown_cell, other_items,
                                              param_block, stats_text, text_table, unit_symbol)
from pynnlite.errors import TemplateError


#: Template engines ``render`` accepts.
ENGINES = ("default", "jinja2", "string")
#: Environment variable with extra template directories (``os.pathsep``-separated).
ENV_VAR = "PYNNLITE_TEMPLATE_PATH"
#: Inserted before the extension to name a template's ``string.Template`` version.
STRING_SUFFIX = "_string"
#: Marker of the installed directory in ``template_search_path()``.
PACKAGE = "pynnlite.templates"

_user_dirs: list[Path] = []


# ---------------------------------------------------------------- template directories


def add_template_dir(path: str | os.PathLike) -> None:
    """Search ``path`` for templates before the installed ones (directories are
    searched in the order they were added)."""
    directory = Path(path).expanduser()
    if not directory.is_dir():
        raise TemplateError(f"template directory {str(path)!r} does not exist or is not a directory")
    directory = directory.resolve()
    if directory not in _user_dirs:
        _user_dirs.append(directory)


def remove_template_dir(path: str | os.PathLike) -> None:
    """Stop searching ``path`` (added with ``add_template_dir``); no error if absent."""
    directory = Path(path).expanduser().resolve()
    if directory in _user_dirs:
        _user_dirs.remove(directory)


def _env_dirs() -> list[Path]:
    value = os.environ.get(ENV_VAR, "")
    dirs = []
    for entry in value.split(os.pathsep):
        if not entry:
            continue
        directory = Path(entry).expanduser()
        if not directory.is_dir():
            raise TemplateError(f"template directory {entry!r} (from ${ENV_VAR}) does not exist "
                                f"or is not a directory")
        dirs.append(directory)
    return dirs


def _package_dir() -> Any:
    return resources.files(PACKAGE)


def template_search_path() -> list[str]:
    """The directories searched for templates, in order (the installed ones last)."""
    return [str(d) for d in _user_dirs] + [str(d) for d in _env_dirs()] + [PACKAGE]


def _string_name(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}{STRING_SUFFIX}.{ext}" if dot else name + STRING_SUFFIX


def _is_string_name(name: str) -> bool:
    stem = name.rpartition(".")[0] or name
    return stem.endswith(STRING_SUFFIX)


def _listing(directory: Any) -> list[str]:
    try:
        return sorted(entry.name for entry in directory.iterdir()
                      if entry.is_file() and not entry.name.startswith((".", "__"))
                      and not entry.name.endswith((".py", ".pyc")))
    except OSError:  # pragma: no cover - unreadable directory
        return []


def available_templates(engine: str = "jinja2") -> list[str]:
    """The template names that ``render(engine, name, ...)`` finds (sorted)."""
    engine = _engine(engine)
    user = [name for d in _user_dirs + _env_dirs() for name in _listing(d)]
    package = _listing(_package_dir())
    if engine == "string":
        names = {name for name in user if not name.endswith(".j2")}
        names |= {_plain_name(name) for name in user + package if _is_string_name(name)}
    else:
        names = {name for name in user + package if not _is_string_name(name)}
    return sorted(names)


def _plain_name(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem[: -len(STRING_SUFFIX)]
    return f"{stem}.{ext}" if ext else stem


def _find(name: str, engine: str) -> tuple[str, str]:
    """(source, origin) of template ``name`` for ``engine``."""
    if os.sep in name or (os.altsep and os.altsep in name):
        path = Path(name).expanduser()
        if path.is_file():
            return path.read_text(encoding="utf-8"), str(path)
    user_dirs = _user_dirs + _env_dirs()
    package = _package_dir()
    if engine == "string":
        candidates = [(_string_name(name), user_dirs + [package])]
        if not _is_string_name(name):
            candidates.append((name, user_dirs))
        else:
            candidates.append((name, user_dirs + [package]))
    else:
        candidates = [(name, user_dirs + [package])]
    for candidate, directories in candidates:
        for directory in directories:
            entry = directory / candidate
            if entry.is_file():
                origin = f"{PACKAGE}/{candidate}" if directory is package else str(entry)
                return entry.read_text(encoding="utf-8"), origin
    raise TemplateError(
        f"no template {name!r} for the {engine!r} engine in {', '.join(template_search_path())}; "
        f"available templates are: {', '.join(available_templates(engine))}")


def _is_inline(template: str, engine: str) -> bool:
    if "\n" in template:
        return True
    if engine == "string":
        return "$" in template
    return any(token in template for token in ("{{", "{%", "{#"))


# ---------------------------------------------------------------- engines


def _engine(engine: str) -> str:
    if engine not in ENGINES:
        raise TemplateError(f"unknown template engine {engine!r}; available engines are: "
                            f"{', '.join(repr(e) for e in ENGINES)}")
    if engine == "default":
        try:
            import jinja2  # noqa: F401
        except ImportError:  # pragma: no cover - jinja2 is a dependency
            return "string"
        return "jinja2"
    return engine


def render(engine: str, template: str | None, context: dict[str, Any]) -> Any:
    """Render ``template`` (a name or template text) with ``context``; the context
    itself if ``template`` is None. See the docstring of :mod:`pynnlite.descriptions` for the
    lookup rules."""
    engine = _engine(engine)
    if template is None:
        return context
    if not isinstance(template, str):
        raise TemplateError(f"template must be a template name, template text or None, got "
                            f"{type(template).__name__}")
    if _is_inline(template, engine):
        context = _augmented(context)
        if engine == "string":
            return _render_string(template, "<template text>", context)
        return _render_jinja2(None, template, context)
    context = _augmented(context)
    name = _kind_default(template, context)
    if engine == "string":
        source, origin = _find(name, engine)
        return _render_string(source, origin, context)
    return _render_jinja2(name, None, context)


def _celltype_weight_unit(context: Mapping[str, Any]) -> str | None:
    """Unit name of the synaptic weights onto cells of a cell-type context (None for sources)."""
    if context.get("weight_unit"):
        return context["weight_unit"]
    if not context.get("receptor_types"):
        return None
    from pynnlite.models import cells
    cls = getattr(cells, str(context.get("name")), None)
    if getattr(cls, "voltage_based_synapses", False) or context.get("voltage_based_synapses"):
        return "mV"
    return "uS" if context.get("conductance_based") else "nA"


def _augmented(context: Any) -> Any:
    """The context with what the templates need but some objects do not yet report: the weight
    unit of cell types (mV for voltage-jump synapses) and of projections onto such cells."""
    if not isinstance(context, Mapping):
        return context
    result = dict(context)
    if "receptor_types" in result and "conductance_based" in result and "weight_unit" not in result:
        unit = _celltype_weight_unit(result)
        if unit is not None:
            result["weight_unit"] = unit
    for key in ("celltype", "pre", "post"):
        if isinstance(result.get(key), Mapping):
            result[key] = _augmented(result[key])
    if isinstance(result.get("populations"), list):
        result["populations"] = [_augmented(p) for p in result["populations"]]
    connector, synapse = result.get("connector"), result.get("synapse_type")
    if isinstance(connector, Mapping) and isinstance(synapse, Mapping) \
            and isinstance(connector.get("parameters"), Mapping) and isinstance(synapse.get("parameters"), Mapping):
        given = connector["parameters"].get("column_names") or ()
        if isinstance(given, (list, tuple)) and any(name in synapse["parameters"] for name in given):
            parameters = {name: GIVEN_BY_CONNECTOR if name in given else value
                          for name, value in synapse["parameters"].items()}
            result["synapse_type"] = dict(synapse, parameters=parameters)
    post = result.get("post")
    if "weight_unit" in result and isinstance(post, Mapping):
        celltypes = [post.get("celltype")] if "celltype" in post else \
            [p.get("celltype") for p in post.get("populations", [])]
        combined = _combined_units(c["weight_unit"] for c in celltypes
                                   if isinstance(c, Mapping) and c.get("weight_unit"))
        if combined:
            result["weight_unit"] = combined
    return result


def _kind_default(name: str, context: Any) -> str:
    """Views and assemblies pass the Population default; give them their own."""
    if name != "population_default.txt" or not isinstance(context, Mapping):
        return name
    if "populations" in context and "first_id" not in context:
        return "assembly_default.txt"
    if "parent" in context and "first_id" not in context:
        return "populationview_default.txt"
    return name


# -- jinja2

_jinja_env: Any = None


def _jinja_environment() -> Any:
    global _jinja_env
    if _jinja_env is None:
        import jinja2

        def load(name: str) -> Any:
            source, origin = _find(_kind_default(name, None), "jinja2")
            return source, origin, lambda: False

        def autoescape(name: str | None) -> bool:
            return bool(name) and name.endswith((".html", ".htm"))

        env = jinja2.Environment(loader=jinja2.FunctionLoader(load), undefined=jinja2.StrictUndefined,
                                 trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                                 autoescape=autoescape)
        env.filters.update(fmt=format_value, fmt_param=format_param, unit=unit_symbol, md=markdown_cell,
                           num=format_number)
        env.globals.update(text_table=text_table, format_value=format_value, param_block=param_block,
                           entry_block=entry_block, inline_params=inline_params, call=call_text,
                           component_block=component_block, stats=stats_text,
                           other_items_of=lambda mapping, *known: other_items(mapping, known),
                           other_items=jinja2.pass_context(lambda ctx, *known: other_items(
                               {k: v for k, v in ctx.get_all().items() if k not in env.globals}, known)))
        _jinja_env = env
    return _jinja_env


def _render_jinja2(name: str | None, source: str | None, context: Mapping[str, Any]) -> str:
    """Render the template called ``name`` (or the template text ``source``)."""
    import jinja2
    env = _jinja_environment()
    origin = name if name is not None else "<template text>"
    try:
        compiled = env.get_template(name) if name is not None else env.from_string(source)
        return compiled.render(dict(context))
    except jinja2.UndefinedError as exc:
        where = _template_location(exc, origin)
        missing = re.fullmatch(r"'([^']*)' is undefined", str(exc))
        hint = (f"the context has no key {missing.group(1)!r}; its keys are: {', '.join(map(str, context))}"
                if missing else "a key missing from a part of the context")
        raise TemplateError(f"template {where}: {exc} ({hint})") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template {exc.name or origin!r}, line {exc.lineno}: {exc.message}") from None
    except TemplateError:
        raise
    except jinja2.TemplateError as exc:
        raise TemplateError(f"template {origin!r}: {exc}") from None


def _template_location(exc: BaseException, origin: str) -> str:
    """'name', line N of the innermost template frame of a rendering error."""
    tb = exc.__traceback__
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename and not filename.endswith(".py"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    if found is None:
        return repr(origin)
    filename, lineno = found
    if filename == "<template>":
        filename = origin
    elif filename.startswith(PACKAGE + "/"):
        filename = filename[len(PACKAGE) + 1:]
    return f"{filename!r}, line {lineno}"


# -- string.Template


def _render_string(source: str, origin: str, context: Mapping[str, Any]) -> str:
    flat = flatten_context(context)
    try:
        return string.Template(source).substitute(flat)
    except KeyError as exc:
        key = exc.args[0]
        raise TemplateError(f"template {origin!r}: no key {key!r} in the context (${key}); "
                            f"available keys are: {', '.join(sorted(flat))}") from None
    except ValueError as exc:
        raise TemplateError(f"template {origin!r}: {exc}") from None
