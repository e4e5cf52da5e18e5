"""Steps judging the proxy's last HTTP answer (status, problem details)."""

from __future__ import annotations

from pytest_bdd import parsers, then

from collaudo.bdd.fixtures import Answer


@then(parsers.re(r"il proxy risponde (?P<codice>\d{3})$"))
def answers_with(risposta: Answer, codice: str) -> None:
    assert risposta.status == int(codice), risposta


@then(parsers.re(r'l\'errore indica il campo "(?P<campo>[\w.]+)"'))
def error_names_field(risposta: Answer, campo: str) -> None:
    problem = risposta.json()
    fields = [e.get("field") for e in problem.get("errors", [])]
    assert campo in fields, problem
    assert campo in problem.get("detail", ""), problem


@then("il proxy risponde con un errore dell'intermediario che ne spiega il motivo")
def intermediary_error(risposta: Answer) -> None:
    assert risposta.status in (502, 503, 504), risposta
    problem = risposta.json()
    assert problem.get("detail") and problem.get("intermediary_error"), problem


@then("la risposta spiega che il pagamento non è ancora pagato")
def explains_not_paid(risposta: Answer) -> None:
    problem = risposta.json()
    # The problem's type, not its words: the proxy answers in the operator's language.
    assert problem["type"].endswith("/not-paid"), problem
    assert problem["title"] and "PAYMENT_PENDING" in problem["detail"], problem
