"""The rule of engines/: pure computations that bring in no web framework, no database
and none of the app's own models or views, so that anything may use them."""

import subprocess
import sys
from pathlib import Path

ENGINES = Path(__file__).resolve().parents[1] / "engines"


def test_engines_import_no_flask_peewee_models_or_views():
    modules = sorted(f"engines.{path.stem}" for path in ENGINES.glob("*.py"))
    check = (
        f"import sys\nfor name in {modules!r}:\n    __import__(name)\n"
        "print(sorted(n for n in sys.modules\n"
        "             if n.split('.')[0] in {'flask', 'peewee', 'models', 'views', 'worker'}))"
    )
    found = subprocess.run([sys.executable, "-c", check], cwd=ENGINES.parent,
                           capture_output=True, text=True, check=True)
    assert len(modules) > 6
    assert found.stdout.strip() == "[]"
