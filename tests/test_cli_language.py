"""The command line speaks the business's language: Finnish unless VUORO_LANGUAGE says
Swedish or English, in what each command writes, asks and refuses, and in the one
line a wrong setting stops the start with."""

import pytest
from support import ENGLISH, PASSWORD, translated

from app import SettingError, create_app

NOVEMBER = ("export", "accounting", "--from", "2026-11-01", "--to", "2026-11-30", "--format")
# Every command the suite runs cheaply, its refusals too: (arguments, the exit code).
COMMANDS = (
    (["init-db"], 0),
    (["demo"], 0),
    (["demo"], 0),
    (["create-user", "uusi@hieronta.example", "--role", "staff", "--link"], 0),
    (["create-user", "uusi@hieronta.example", "--role", "owner"], 1),
    (["reset-password", "uusi@hieronta.example"], 0),
    (["reset-password", "kukaan@hieronta.example"], 1),
    (["outbox"], 0),
    (["retention", "--dry-run"], 0),
    (["retention"], 0),
    (["analytics", "rollup"], 0),
    (["backup"], 1),
    (["backup-key", "{tmp}/avain.txt"], 0),
    (["backup-key", "{tmp}/avain.txt"], 1),
    (["export", "data", "--output", "{tmp}/kaikki.xlsx"], 0),
    (["export", "data", "--format", "csv", "--output", "{tmp}/kaikki.zip"], 0),
    (["export", "data", "--format", "csv", "--what", "customers", "--output", "{tmp}/csv"],
     0),
    (["export", "data", "--what", "salaisuudet", "--output", "{tmp}/x.xlsx"], 1),
    ([*NOVEMBER, "csv", "--output", "{tmp}/tositteet.csv"], 0),
    ([*NOVEMBER, "csv", "--output", "{tmp}/tositteet.csv"], 1),
    ([*NOVEMBER, "finvoice", "--output", "{tmp}/finvoice"], 0),
    ([*NOVEMBER, "finvoice", "--output", "{tmp}/finvoice"], 1),
    (["export", "accounting", "--from", "1.11.2026", "--to", "2026-11-30", "--format",
      "csv", "--output", "{tmp}/x.csv"], 1),
    (["export", "accounting", "--from", "2026-12-01", "--to", "2026-11-30", "--format",
      "csv", "--output", "{tmp}/x.csv"], 1),
    (["demo", "--remove"], 1),
)


def run_all(runner, tmp_path):
    """Each command's output (its refusals' line on stderr too), without the paths of
    the test's folder (which may hold any word)."""
    outputs = []
    for arguments, exit_code in COMMANDS:
        arguments = [argument.format(tmp=tmp_path) for argument in arguments]
        result = runner.invoke(args=arguments)
        assert result.exit_code == exit_code, (arguments, result.output)
        outputs.append((arguments, result.output.replace(str(tmp_path), "")))
    return outputs


def test_no_command_writes_english_for_a_finnish_business(app, runner, tmp_path):
    for arguments, output in run_all(runner, tmp_path):
        assert output.strip(), arguments
        assert not ENGLISH.findall(output), (arguments, output)
        assert "Error:" not in output, arguments


def test_the_password_is_asked_and_the_account_told_in_finnish(runner, shop):
    result = runner.invoke(args=["create-user", "aino@hieronta.example", "--role", "staff"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Salasana: ", "Salasana uudelleen: ",
        "Työntekijän käyttäjätili aino@hieronta.example on luotu."]


@pytest.fixture
def swedish(app):
    """The app of a business whose language is Swedish (VUORO_LANGUAGE=sv)."""
    app.config["LANGUAGE"] = "sv"
    return app.test_cli_runner()


def test_a_swedish_business_gets_every_command_in_swedish(app, swedish, tmp_path):
    outputs = dict((" ".join(arguments), output)
                   for arguments, output in run_all(swedish, tmp_path))
    for arguments, output in outputs.items():
        assert not ENGLISH.findall(output), (arguments, output)
        assert "Virhe" not in output and "Error:" not in output, arguments
    assert outputs["init-db"].startswith("Databasen är uppdaterad (")
    assert outputs["demo"] == "Databasen har redan ett företag, så demot lades inte till.\n"
    assert outputs["reset-password kukaan@hieronta.example"] == (
        "Fel: Det finns inget konto för kukaan@hieronta.example.\n")
    assert "Bokningar: 36 månader efter besöket" in outputs["retention --dry-run"]
    assert outputs["backup"].startswith("Fel: Säkerhetskopiering är inte ")
    # The headings of an export, when no --language is given, are Swedish too.
    headings = (tmp_path / "csv" / "customers.csv").read_text(encoding="utf-8")
    assert headings.startswith(f"\ufeff{translated('sv', 'Customer number')};")


def test_a_wrong_setting_is_told_in_the_business_language(database_url):
    settings = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x",
                "BASE_URL": "ajanvaraus.example.fi"}
    with pytest.raises(SettingError) as finnish:
        create_app(settings)
    assert finnish.value.line == ("Virhe: VUORO_BASE_URL on oltava sivuston osoite, esim. "
                                  "https://ajanvaraus.example.fi, ei 'ajanvaraus.example.fi'.")
    with pytest.raises(SettingError) as swedish:
        create_app({**settings, "LANGUAGE": "sv"})
    assert swedish.value.line.startswith("Fel: VUORO_BASE_URL ska vara webbplatsens adress")
    with pytest.raises(SettingError, match="VUORO_LANGUAGE on oltava fi, sv tai en, ei 'de'"):
        create_app({**settings, "LANGUAGE": "de"})
