"""The README's two commands and its counts stay true."""

from pathlib import Path

from refcheck.stats import counts, readme_counts

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def test_readme_states_the_two_commands_and_ci_runs_the_test_command():
    text = README.read_text()
    assert "pip install nox && nox -s serve" in text and "nox -s verify" in text
    assert "nox -s verify" in (ROOT / ".ci" / "run").read_text()


def test_readme_counts_match_the_repository():
    """Run `python scripts/update-readme-stats.py` after adding claims, snippets, pages or losses."""
    assert readme_counts(README) == counts()
