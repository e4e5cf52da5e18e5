# language: it
@ricevuta
Funzionalità: Scaricamento della ricevuta telematica
  A pagamento avvenuto il cittadino scarica la ricevuta telematica (RT) dall'Area
  Personale; prima del pagamento il proxy la rifiuta spiegando perché.

  Scenario: prima del pagamento la ricevuta è rifiutata con un motivo chiaro
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    Quando il cittadino chiede la ricevuta
    Allora il proxy risponde 409
    E la risposta spiega che il pagamento non è ancora pagato

  @manuale
  Scenario: a pagamento avvenuto la ricevuta telematica si scarica
    Dato una pratica di occupazione suolo pubblico pagata online
    Quando il cittadino chiede la ricevuta
    Allora il proxy risponde 200
    E la ricevuta riporta lo IUV del pagamento

  Scenario: la ricevuta di un pagamento sconosciuto non esiste
    Quando il cittadino chiede la ricevuta di un pagamento che il proxy non conosce
    Allora il proxy risponde 404
