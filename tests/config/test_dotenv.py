"""`make run` and manage.py load .env as `docker run --env-file` reads it; the environment wins; empty is unset."""
from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.dotenv import load_dotenv, parse
from config.env import envbool, envint, envstr
from config.run import address


def test_it_reads_names_and_values_as_docker_does():
    text = "# a comment\n\nA=1\n  B=two words  \nC=x # not a comment\nD=\nE=a=b\nPASSED_THROUGH\n"
    assert parse(text) == {"A": "1", "B": "two words  ", "C": "x # not a comment", "D": "", "E": "a=b"}


def test_it_refuses_a_line_that_is_no_assignment():
    with pytest.raises(ImproperlyConfigured, match=".env:2"):
        parse("A=1\nnot a setting=2\n")


def test_it_lets_the_environment_win_over_the_file(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text("RESTYLE_T_FROM_FILE=file\nRESTYLE_T_BOTH=file\n")
    monkeypatch.delenv("RESTYLE_T_FROM_FILE", raising=False)
    monkeypatch.setenv("RESTYLE_T_BOTH", "environment")
    assert load_dotenv(dotenv) == {"RESTYLE_T_FROM_FILE": "file"}
    import os

    assert os.environ["RESTYLE_T_FROM_FILE"] == "file" and os.environ["RESTYLE_T_BOTH"] == "environment"
    monkeypatch.delenv("RESTYLE_T_FROM_FILE")
    assert load_dotenv(tmp_path / "missing") == {}


def test_it_takes_host_and_port_from_dotenv_for_make_run(tmp_path, monkeypatch):
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    dotenv = tmp_path / ".env"
    dotenv.write_text("# listen on every interface\nHOST=0.0.0.0\nPORT=8123\n")
    try:
        assert address(dotenv) == ("0.0.0.0", "8123")
    finally:
        monkeypatch.delenv("HOST", raising=False)
        monkeypatch.delenv("PORT", raising=False)
    assert address(tmp_path / "missing") == ("127.0.0.1", "8000")


def test_it_leaves_a_variable_with_an_empty_value_unset(tmp_path, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)  # prometheus_client: set at all = multiprocess
    dotenv = tmp_path / ".env"
    dotenv.write_text("PROMETHEUS_MULTIPROC_DIR=\n")
    assert load_dotenv(dotenv) == {}
    import os

    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ


@pytest.mark.parametrize("reader, default", [(envbool, True), (envbool, False), (envint, 7), (envstr, "x")])
def test_it_reads_an_empty_value_as_unset(monkeypatch, reader, default):
    monkeypatch.setenv("RESTYLE_T_EMPTY", "")
    assert reader("RESTYLE_T_EMPTY", default) == default
