"""Default describe() templates (Jinja2 and string.Template), installed as pynnlite.templates."""
